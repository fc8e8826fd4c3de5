import type { Kysely } from 'kysely'

/**
 * Cloud accounts and provider allowances: account names unique per organisation, and the
 * indexes that find the accounts and allowances of one provider (checked before a provider is
 * disallowed or deleted).
 */
export const cloudAccounts = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createIndex('cloud_accounts_org_name').on('cloud_accounts').columns(['org_id', 'name']).unique().execute()
    await db.schema.createIndex('cloud_accounts_provider').on('cloud_accounts').columns(['provider_id']).execute()
    await db.schema.createIndex('org_cloud_providers_provider').on('org_cloud_providers').columns(['provider_id']).execute()
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const name of ['org_cloud_providers_provider', 'cloud_accounts_provider', 'cloud_accounts_org_name']) {
      await db.schema.dropIndex(name).ifExists().execute()
    }
  },
}
