import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The service catalogue: services with their packages, user plans and properties, and the
 * locations where services are offered. Names are unique case-insensitively through a
 * `name_key` column (the name case-folded by the store); a service's children are unique within
 * it and go with it.
 */
export function catalog(dialect: Dialect) {
  const pg = dialect === 'postgres'
  // Names are sorted on: bytes on both databases (see 0001).
  const sortText = pg ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('services')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('version', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('driver', 'text', (c) => c.notNull().defaultTo('noop'))
        .addColumn('driver_config', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('multiple_user_plans', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('services_name').on('services').columns(['name', 'id']).execute()

      await db.schema
        .createTable('service_packages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('service_packages_name', ['service_id', 'name_key'])
        .execute()

      await db.schema
        .createTable('service_plans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('fullname', 'text', (c) => c.notNull().defaultTo(''))
        // NULL is `Unlimited`.
        .addColumn('user_limit', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('service_plans_name', ['service_id', 'name_key'])
        .execute()

      await db.schema
        .createTable('service_properties')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('service_properties_name', ['service_id', 'name_key'])
        .execute()

      await db.schema
        .createTable('locations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('customer_properties', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('user_additional_properties', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('locations_name').on('locations').columns(['name', 'id']).execute()

      await db.schema
        .createTable('location_services')
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id').onDelete('cascade'))
        .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('location_services_pk', ['location_id', 'service_id'])
        .execute()
      await db.schema.createIndex('location_services_service').on('location_services').columns(['service_id']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['location_services', 'locations', 'service_properties', 'service_plans', 'service_packages', 'services']) {
        await db.schema.dropTable(t).ifExists().execute()
      }
    },
  }
}
