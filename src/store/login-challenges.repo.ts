/**
 * Pending logins waiting for their mailed PIN (`login_challenges`, by the SHA-256 of the pending
 * cookie's token), and what the PIN step reads of users. Every change of a challenge is one
 * conditional statement, so that concurrent requests on any number of processes, on either
 * database, count each try and take a challenge at most once.
 */
import type { Db } from './store.js'
import type { LoginChallengeTable } from './schema.js'

/** A user as the PIN step sees it: who to mail, what voids a challenge, where to record it. */
export interface PinUser {
  id: string
  username: string
  email: string
  org_id: string
  org_path: string
  org_status: string
  cred_version: number
  enabled: number
  auth_method: string
}

/** Finds a user by id as the PIN step sees it. */
export async function findPinUser(db: Db, userId: string): Promise<PinUser | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.username', 'users.email', 'users.org_id', 'orgs.path as org_path', 'orgs.status as org_status', 'users.cred_version', 'users.enabled', 'users.auth_method'])
    .where('users.id', '=', userId)
    .executeTakeFirst() as Promise<PinUser | undefined>
}

/** Inserts a challenge. */
export async function insertChallenge(db: Db, row: Omit<LoginChallengeTable, 'attempts' | 'sends'>): Promise<void> {
  await db.insertInto('login_challenges').values({ ...row, attempts: 0, sends: 1 }).execute()
}

/** Finds the challenge of `tokenHash` that is live at `nowIso` (unexpired), whatever its counts. */
export async function findLiveChallenge(db: Db, tokenHash: string, nowIso: string): Promise<LoginChallengeTable | undefined> {
  return db.selectFrom('login_challenges').selectAll().where('token_hash', '=', tokenHash).where('expires_at', '>', nowIso).executeTakeFirst()
}

/**
 * Counts one PIN try against the challenge of `tokenHash`, if it is unexpired at `nowIso` and has
 * had fewer than `maxAttempts` tries; answers it after the count, or `undefined` (expired, used,
 * or out of tries). One conditional UPDATE: of concurrent tries, at most `maxAttempts` in all are
 * ever counted, so at most that many are ever checked.
 */
export async function countPinTry(db: Db, tokenHash: string, nowIso: string, maxAttempts: number): Promise<LoginChallengeTable | undefined> {
  return db
    .updateTable('login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', nowIso)
    .where('attempts', '<', maxAttempts)
    .returningAll()
    .executeTakeFirst()
}

/**
 * Takes (deletes) the challenge of `tokenHash` if its PIN digest is still `pinHash` and it is
 * unexpired at `nowIso`, and answers the row taken; `undefined` when there was none to take. One
 * statement: of concurrent takes exactly one gets the row; a resend since the check makes it fail.
 */
export async function takeChallenge(db: Db, tokenHash: string, pinHash: string, nowIso: string): Promise<LoginChallengeTable | undefined> {
  return db
    .deleteFrom('login_challenges')
    .where('token_hash', '=', tokenHash)
    .where('pin_hash', '=', pinHash)
    .where('expires_at', '>', nowIso)
    .returningAll()
    .executeTakeFirst()
}

/**
 * Replaces the PIN of the challenge of `tokenHash` (the old one stops working) and moves its end
 * to `expiresAt`, if it is unexpired at `nowIso`, has been mailed fewer than `maxSends` PINs and
 * tried fewer than `maxAttempts`; answers it after the change, or `undefined`.
 */
export async function replacePin(db: Db, tokenHash: string, pinHash: string, nowIso: string, expiresAt: string, limits: { maxSends: number; maxAttempts: number }): Promise<LoginChallengeTable | undefined> {
  return db
    .updateTable('login_challenges')
    .set((eb) => ({ pin_hash: pinHash, sends: eb('sends', '+', 1), expires_at: expiresAt }))
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', nowIso)
    .where('sends', '<', limits.maxSends)
    .where('attempts', '<', limits.maxAttempts)
    .returningAll()
    .executeTakeFirst()
}

/** Deletes the challenge of `tokenHash` (nothing when there is none). */
export async function deleteChallenge(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('login_challenges').where('token_hash', '=', tokenHash).execute()
}

/** Deletes every challenge of user `userId` (a password change, a disable, the factor turned off). */
export async function deleteUserChallenges(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('login_challenges').where('user_id', '=', userId).execute()
}

/** Deletes challenges that ran out before `nowIso`; answers how many. */
export async function purgeChallenges(db: Db, nowIso: string): Promise<number> {
  const r = await db.deleteFrom('login_challenges').where('expires_at', '<=', nowIso).executeTakeFirst()
  return Number(r.numDeletedRows)
}
