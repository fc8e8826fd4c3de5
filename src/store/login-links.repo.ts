/**
 * One-time login links (seed 003's `getOrgMemberLogin` and `createOtpSession`): stored by the
 * SHA-256 of their one-time password, consumed by one conditional DELETE so that a link opens
 * at most one session however many requests race for it, on either database.
 */
import type { Db } from './store.js'
import type { LoginLinkTable } from './schema.js'

/** Inserts a link, stored by the digest of its one-time password. */
export async function insertLoginLink(db: Db, row: LoginLinkTable): Promise<void> {
  await db.insertInto('login_links').values(row).execute()
}

/** Finds a link by the digest of its one-time password, live or not (`undefined` when none). */
export async function findLoginLink(db: Db, otpHash: string): Promise<LoginLinkTable | undefined> {
  return db.selectFrom('login_links').selectAll().where('otp_hash', '=', otpHash).executeTakeFirst()
}

/**
 * Deletes the link whose digest is `otpHash` if it belongs to `userId` and has not expired at
 * `nowIso`, and answers the row deleted; `undefined` when there was none to take. One statement:
 * of two concurrent calls for the same link, exactly one gets the row (PostgreSQL's row lock
 * makes the second see it gone; SQLite runs writes one at a time).
 */
export async function consumeLoginLink(db: Db, otpHash: string, userId: string, nowIso: string): Promise<LoginLinkTable | undefined> {
  return db
    .deleteFrom('login_links')
    .where('otp_hash', '=', otpHash)
    .where('user_id', '=', userId)
    .where('expires_at', '>', nowIso)
    .returningAll()
    .executeTakeFirst()
}

/** Deletes links that ran out before `nowIso`; answers how many. */
export async function purgeLoginLinks(db: Db, nowIso: string): Promise<number> {
  const res = await db.deleteFrom('login_links').where('expires_at', '<=', nowIso).executeTakeFirst()
  return Number(res.numDeletedRows)
}
