import { type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Customer services and user services: what the catalogue's services are to one customer and
 * to its users, with their provisioning status (core/provisioning.ts).
 *
 * A customer service's `users_count` is the number of its user services that are not
 * `NotProvisioned`, and a customer plan's `users_count` the number of those holding the plan:
 * counters kept in the same transaction as the user services, so that a user limit is checked
 * and taken in one conditional UPDATE (never read-then-write). `request_id` is the request that
 * last changed the row: a job only moves the status of the subject whose latest request it
 * belongs to. Catalogue rows referenced here are not deleted while in use (the operations
 * refuse; the foreign keys make sure).
 */
export function services(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('customer_services')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
        .addColumn('location_id', 'text', (c) => c.references('locations.id'))
        // core/provisioning.ts's statuses; `desired` is where the latest request is taking it.
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('desired', 'text', (c) => c.notNull())
        // NULL is `Unlimited`.
        .addColumn('user_limit', 'integer')
        .addColumn('users_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_billed', 'integer', (c) => c.notNull().defaultTo(1))
        // {name: value}: values of the service's properties set for this customer.
        .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('request_id', 'integer', (c) => c.references('requests.id'))
        .addColumn('error', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('provisioned_at', 'text')
        .addUniqueConstraint('customer_services_org_service', ['org_id', 'service_id'])
        .execute()
      await db.schema.createIndex('customer_services_service').on('customer_services').columns(['service_id', 'status']).execute()
      await db.schema.createIndex('customer_services_location').on('customer_services').columns(['location_id']).execute()

      await db.schema
        .createTable('customer_service_packages')
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id').onDelete('cascade'))
        .addColumn('package_id', 'text', (c) => c.notNull().references('service_packages.id'))
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('customer_service_packages_pk', ['customer_service_id', 'package_id'])
        .execute()
      await db.schema.createIndex('customer_service_packages_package').on('customer_service_packages').columns(['package_id']).execute()

      await db.schema
        .createTable('customer_service_plans')
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id').onDelete('cascade'))
        .addColumn('plan_id', 'text', (c) => c.notNull().references('service_plans.id'))
        .addColumn('enabled', 'integer', (c) => c.notNull())
        // This customer's limit for the plan; NULL is `Unlimited`.
        .addColumn('user_limit', 'integer')
        .addColumn('users_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('customer_service_plans_pk', ['customer_service_id', 'plan_id'])
        .execute()
      await db.schema.createIndex('customer_service_plans_plan').on('customer_service_plans').columns(['plan_id']).execute()

      await db.schema
        .createTable('customer_service_instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('customer_service_instances_name', ['customer_service_id', 'name_key'])
        .execute()

      await db.schema
        .createTable('user_services')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('desired', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('request_id', 'integer', (c) => c.references('requests.id'))
        .addColumn('error', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('provisioned_at', 'text')
        .addUniqueConstraint('user_services_user_service', ['user_id', 'customer_service_id'])
        .execute()
      await db.schema.createIndex('user_services_customer_service').on('user_services').columns(['customer_service_id', 'status']).execute()

      await db.schema
        .createTable('user_service_plans')
        .addColumn('user_service_id', 'text', (c) => c.notNull().references('user_services.id').onDelete('cascade'))
        .addColumn('plan_id', 'text', (c) => c.notNull().references('service_plans.id'))
        .addPrimaryKeyConstraint('user_service_plans_pk', ['user_service_id', 'plan_id'])
        .execute()
      await db.schema.createIndex('user_service_plans_plan').on('user_service_plans').columns(['plan_id']).execute()

      await db.schema
        .createTable('user_service_instances')
        .addColumn('user_service_id', 'text', (c) => c.notNull().references('user_services.id').onDelete('cascade'))
        .addColumn('instance_id', 'text', (c) => c.notNull().references('customer_service_instances.id'))
        .addPrimaryKeyConstraint('user_service_instances_pk', ['user_service_id', 'instance_id'])
        .execute()
      await db.schema.createIndex('user_service_instances_instance').on('user_service_instances').columns(['instance_id']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['user_service_instances', 'user_service_plans', 'user_services', 'customer_service_instances', 'customer_service_plans', 'customer_service_packages', 'customer_services']) {
        await db.schema.dropTable(t).ifExists().execute()
      }
    },
  }
}
