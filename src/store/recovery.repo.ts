/**
 * Password recovery secrets (`password_recoveries`, by the SHA-256 digest of the secret) and
 * what recovery reads of users: the live users an address names, and the user behind a secret.
 */
import { sql } from 'kysely'
import type { Db } from './store.js'

/** A user that may recover its password: enabled, in an organisation that is not deleted or disabled. */
export interface RecoverableUser {
  id: string
  username: string
  email: string
  org_id: string
  org_path: string
  cred_version: number
  version: number
}

function recoverable(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.username', 'users.email', 'users.org_id', 'orgs.path as org_path', 'users.cred_version', 'users.version'])
    .where('users.enabled', '=', 1)
    .where('orgs.status', 'not in', ['deleted', 'disabled'])
}

/**
 * Lists (at most `limit`) live users whose e-mail address is `address` (given lower case), or
 * who have none and whose username is that address; only those of organisation `realmId` when
 * it is given.
 */
export async function listRecoverableUsersByEmail(db: Db, address: string, realmId: string | undefined, limit = 5): Promise<RecoverableUser[]> {
  let q = recoverable(db).where((eb) =>
    eb.or([eb(sql`lower(users.email)`, '=', address), eb.and([eb('users.email', '=', ''), eb('users.username_key', '=', address)])]),
  )
  if (realmId !== undefined) q = q.where('users.org_id', '=', realmId)
  return q.orderBy('users.created_at').orderBy('users.id').limit(limit).execute()
}

/** Finds a live user by id (see `RecoverableUser`). */
export async function findRecoverableUser(db: Db, userId: string): Promise<RecoverableUser | undefined> {
  return recoverable(db).where('users.id', '=', userId).executeTakeFirst()
}

/** Inserts a recovery secret by its digest. */
export async function insertRecovery(trx: Db, row: { secretHash: string; userId: string; credVersion: number; createdAt: string; expiresAt: string }): Promise<void> {
  await trx
    .insertInto('password_recoveries')
    .values({ secret_hash: row.secretHash, user_id: row.userId, cred_version: row.credVersion, created_at: row.createdAt, expires_at: row.expiresAt, used_at: null })
    .execute()
}

/** A recovery secret that still works at `now`: unused and unexpired. */
export interface LiveRecovery {
  user_id: string
  cred_version: number
}

/** Finds the recovery secret with digest `secretHash` if it is unused and unexpired at `nowIso`. */
export async function findLiveRecovery(db: Db, secretHash: string, nowIso: string): Promise<LiveRecovery | undefined> {
  return db
    .selectFrom('password_recoveries')
    .select(['user_id', 'cred_version'])
    .where('secret_hash', '=', secretHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .executeTakeFirst()
}

/**
 * Uses the recovery secret with digest `secretHash`, in `trx`: one conditional UPDATE, so that
 * of two concurrent uses exactly one finds it unused (on PostgreSQL the second waits for the
 * first's row lock and re-reads `used_at`). Answers the secret's user and credential version,
 * or undefined when it is unknown, used or expired.
 */
export async function consumeRecovery(trx: Db, secretHash: string, nowIso: string): Promise<LiveRecovery | undefined> {
  return trx
    .updateTable('password_recoveries')
    .set({ used_at: nowIso })
    .where('secret_hash', '=', secretHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .returning(['user_id', 'cred_version'])
    .executeTakeFirst()
}

/**
 * Sets a user's password hash if its credential version is still `credVersion`, bumping the
 * version (cached credentials, sessions and recovery secrets made before stop working) and the
 * row's version; ends its sessions. Answers whether it did.
 */
export async function resetPassword(trx: Db, userId: string, credVersion: number, passwordHash: string, nowIso: string): Promise<boolean> {
  const r = await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, change_password_at_next_logon: 0, cred_version: sql`cred_version + 1`, version: sql`version + 1`, updated_at: nowIso })
    .where('id', '=', userId)
    .where('cred_version', '=', credVersion)
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) === 0) return false
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute()
  return true
}

/** Deletes recovery secrets that ended before `nowIso` (used or not); answers how many. */
export async function purgeRecoveries(db: Db, nowIso: string): Promise<number> {
  const r = await db.deleteFrom('password_recoveries').where('expires_at', '<', nowIso).executeTakeFirst()
  return Number(r.numDeletedRows)
}
