import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Seed 001's customer settings and FTP users (issue 13):
 *
 * * `customer_settings`: a customer's settings, one row a name (`SettingList`).
 * * `ftp_users`: customer-controlled FTP users. `username_key` is the username lower-cased and
 *   unique across the whole system, so that two customers cannot both hold `Bob` and `bob`,
 *   even when created at the same moment; `password_hash` is an argon2id PHC string
 *   (core/passwords.ts); `relative_root` is stored normalised (core/ftp.ts).
 */
export function settingsFtp(dialect: Dialect) {
  const pg = dialect === 'postgres'
  // Names sort the same on both databases (byte order).
  const sortText = pg ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('customer_settings')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('customer_settings_pk', ['org_id', 'name'])
        .execute()
      await db.schema
        .createTable('ftp_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('username_key', sortText, (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('relative_root', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('site_name', 'text')
        .addColumn('environment_name', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('ftp_users_username').on('ftp_users').column('username_key').unique().execute()
      await db.schema.createIndex('ftp_users_org').on('ftp_users').columns(['org_id', 'username_key']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('ftp_users').ifExists().execute()
      await db.schema.dropTable('customer_settings').ifExists().execute()
    },
  }
}
