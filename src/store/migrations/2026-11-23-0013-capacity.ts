import { type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Capacity (seed 000): the capacity unit types, data the master organisation manages (starting
 * with the PyLabs cloud model's nine), and each organisation's entries of available and consumed
 * capacity.
 */
export const DEFAULT_CAPACITY_UNIT_TYPES: readonly [string, string][] = [
  ['CU', 'CPU unit (MHz)'],
  ['LV', 'Linux virtual machines'],
  ['MU', 'memory unit (MB)'],
  ['NBU', 'network bandwidth units (GB/month)'],
  ['NUIPPORTS', 'network unit: public IP addresses'],
  ['NUM', 'network unit: bandwidth in Mbit/s'],
  ['SUA', 'storage unit: archive'],
  ['SUP', 'storage unit: primary'],
  ['WV', 'Windows virtual machines'],
]

export function capacity(dialect: Dialect) {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('capacity_unit_types')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      const now = new Date().toISOString()
      await db
        .insertInto('capacity_unit_types')
        .values(DEFAULT_CAPACITY_UNIT_TYPES.map(([code, description]) => ({ code, description, created_at: now })))
        .execute()
      await db.schema
        .createTable('org_capacity')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        // available | consumed
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('unit_type', 'text', (c) => c.notNull().references('capacity_unit_types.code'))
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('org_capacity_org').on('org_capacity').columns(['org_id', 'kind', 'unit_type']).execute()
      await db.schema.createIndex('org_capacity_type').on('org_capacity').columns(['unit_type']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('org_capacity').ifExists().execute()
      await db.schema.dropTable('capacity_unit_types').ifExists().execute()
    },
  }
}
