import type { Kysely } from 'kysely'

/**
 * IP address pools and the addresses given from them (issue 13, seed 001's IP address calls).
 *
 * * `ip_pools`: a pool the master organisation defines: its name (`name_key`, lower-cased, is
 *   unique), family (`ipv4`/`ipv6`), network address and prefix length, gateway and an optional
 *   catalogue location (set to null when the location is removed).
 * * `ip_addresses`: an address given to a customer. `address_key` is the address as a
 *   fixed-width sortable key (`4` + 8 hex digits, `6` + 32 hex digits) and is unique across
 *   all pools: the last line of defence against giving one address to two customers.
 *   `(pool_id, address_key)` is indexed so that the allocator scans a pool's addresses in order.
 */
export function ipPools() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('ip_pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('network', 'text', (c) => c.notNull())
        .addColumn('prefix', 'integer', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.references('locations.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('ip_addresses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('ip_pools.id'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('address_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('ip_addresses_address_key').unique().on('ip_addresses').column('address_key').execute()
      await db.schema.createIndex('ip_addresses_pool_key').on('ip_addresses').columns(['pool_id', 'address_key']).execute()
      await db.schema.createIndex('ip_addresses_org').on('ip_addresses').columns(['org_id', 'address_key']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('ip_addresses').execute()
      await db.schema.dropTable('ip_pools').execute()
    },
  }
}
