import type { Kysely } from 'kysely'

/**
 * One-time login links (seed 003's `getOrgMemberLogin` / `createOtpSession`): a row per link
 * not yet used, keyed by the SHA-256 of its one-time password (never the password itself),
 * bound to the member's credential version and role when it was made, and to the request that
 * made it. The index on `expires_at` serves housekeeping's purge of links that ran out.
 */
export function loginLinks() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('login_links')
        .addColumn('otp_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('cred_version', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('request_guid', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('login_links_user').on('login_links').columns(['user_id']).execute()
      await db.schema.createIndex('login_links_expires').on('login_links').columns(['expires_at']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('login_links').execute()
    },
  }
}
