import type { Kysely } from 'kysely'

/**
 * The second factor by e-mail PIN (issue 16; seed 003's `verify2FA` and `resendPin`).
 *
 * * `users.auth_method`: `basic` (a password opens a session) or `email` (a password opens a
 *   pending challenge, and a PIN mailed to the user turns it into a session).
 * * `login_challenges`: a pending login by the SHA-256 of its cookie token (never the token),
 *   its user and the user's credential version when it was made (a password change or a
 *   disable voids it), the keyed digest of the PIN mailed last (never the PIN), the wrong PINs
 *   tried, the PINs mailed, and its end. Taken by one conditional DELETE when the right PIN
 *   comes; the index on `expires_at` serves housekeeping's purge.
 */
export function loginPins() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('auth_method', 'text', (c) => c.notNull().defaultTo('basic')).execute()
      await db.schema
        .createTable('login_challenges')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('cred_version', 'integer', (c) => c.notNull())
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('login_challenges_user').on('login_challenges').columns(['user_id']).execute()
      await db.schema.createIndex('login_challenges_expires').on('login_challenges').columns(['expires_at']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('login_challenges').execute()
      await db.schema.alterTable('users').dropColumn('auth_method').execute()
    },
  }
}
