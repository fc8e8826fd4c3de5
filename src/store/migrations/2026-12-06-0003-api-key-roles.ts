import type { Kysely } from 'kysely'

/**
 * An API key may act with a role narrower than its user's (seed 003's access tokens carry
 * their own roles): `role` is that role, null for a key that acts with its user's role as
 * before. Keys are listed by the organisation they act for, hence the index.
 */
export function apiKeyRoles() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('api_keys').addColumn('role', 'text').execute()
      await db.schema.createIndex('api_keys_org').on('api_keys').columns(['org_id']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('api_keys_org').execute()
      await db.schema.alterTable('api_keys').dropColumn('role').execute()
    },
  }
}
