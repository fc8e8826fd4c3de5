import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * The mail outbox and password recovery (issue 16).
 *
 * * `mail_outbox`: every message Clientele sends, written in the transaction of the change that
 *   sends it. Its body is sealed (`sealed:v1:…`, bound to the row's `guid`): a recovery link or
 *   a PIN is never readable from the database or the listing. `state` is `held` (no SMTP
 *   transport was configured when it was written), `queued`, `sent` or `failed`; a queued one
 *   has a `mail` job on the queue (`request_id` its request).
 * * `password_recoveries`: a recovery secret by its SHA-256 digest, its user and the user's
 *   credential version when it was made (a password change kills it), its end, and when it was
 *   used (single use: the finish sets `used_at` with a conditional UPDATE).
 */
export function mailRecovery(dialect: Dialect) {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('guid', 'text', (c) => c.notNull().unique())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('request_id', 'integer', (c) => c.references('requests.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('failed_at', 'text')
        .execute()
      await db.schema.createIndex('mail_outbox_created').on('mail_outbox').columns(['created_at', 'id']).execute()

      await db.schema
        .createTable('password_recoveries')
        .addColumn('secret_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('cred_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute()
      await db.schema.createIndex('password_recoveries_user').on('password_recoveries').columns(['user_id']).execute()

    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('password_recoveries').execute()
      await db.schema.dropTable('mail_outbox').execute()
    },
  }
}
