import type { Kysely } from 'kysely'

/**
 * Seed 001's customer account features (issue 13):
 *
 * * `customer_pins`: a customer's support PIN, one row an organisation: an argon2id PHC string
 *   (core/passwords.ts), never the PIN.
 * * `email_changes`: an e-mail change waiting for confirmation, by the SHA-256 of its token
 *   (never the token): the user whose address it changes, the new address, and its end. Taken by
 *   one conditional DELETE when confirmed; a user has at most one (a new change replaces it);
 *   the index on `expires_at` serves housekeeping's purge.
 */
export function account() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('customer_pins')
        .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id').onDelete('cascade'))
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('email_changes')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('new_email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('email_changes_user').on('email_changes').column('user_id').unique().execute()
      await db.schema.createIndex('email_changes_expires').on('email_changes').column('expires_at').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('email_changes').ifExists().execute()
      await db.schema.dropTable('customer_pins').ifExists().execute()
    },
  }
}
