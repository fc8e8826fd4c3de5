/**
 * Failed-authentication counters, in the database so that a limit holds across every server
 * process sharing it. Two counters per attempt, both keyed by digests (never a username in
 * clear: a password typed into the username field is not kept):
 *
 * * per account and source (the client's address): `MAX_FAILURES` inside the window lock that
 *   source out of that account;
 * * per account: a looser ceiling, `ACCOUNT_MAX_FAILURES`, which once reached refuses every
 *   source that has failed for the account, while a source with no failure on record still
 *   has its password checked. Anyone can lock themselves out of `admin`; nobody can lock
 *   `admin` out for everyone else.
 */
import { sql } from 'kysely'
import type { Db, Store } from './store.js'
import { DomainError } from '../core/errors.js'
import type { Keyring } from '../core/sealed.js'

/** Failures allowed from one source inside the window before that source locks for the account. */
export const MAX_FAILURES = 5
/** Failures allowed from all sources together inside the window before failed sources are all refused. */
export const ACCOUNT_MAX_FAILURES = 50
/** The window failures are counted in. */
export const WINDOW_MS = 15 * 60_000
/** The first lock lasts this long; each further failure doubles it, up to `MAX_LOCK_MS`. */
export const FIRST_LOCK_MS = 30_000
export const MAX_LOCK_MS = 15 * 60_000

/** The two counters an attempt is counted under (keyed digests, see the authenticator). */
export interface ThrottleKeys {
  /** The account, from every source. */
  account: string
  /** The account from this source. */
  source: string
}

/**
 * The counters of an attempt on the account `usernameKey` from `source` (a client address, or
 * for a check inside a session, the session's user): keyed digests under the sealing key, so
 * every process sharing the database computes the same ones and the database alone tells no
 * name.
 */
export function throttleKeys(keys: Keyring, usernameKey: string, source: string): ThrottleKeys {
  return { account: keys.mac(`throttle\0account\0${usernameKey}`), source: keys.mac(`throttle\0source\0${usernameKey}\0${source}`) }
}

/** When the account is locked, the ms until it unlocks; otherwise 0. */
export async function lockedForMs(db: Db, account: string, now: number): Promise<number> {
  const row = await db.selectFrom('auth_throttle').select('locked_until').where('account', '=', account).executeTakeFirst()
  if (!row?.locked_until) return 0
  return Math.max(0, Date.parse(row.locked_until) - now)
}

/** True when the account has failures on record (so a success has something to clear). */
export async function hasFailures(db: Db, account: string): Promise<boolean> {
  return !!(await db.selectFrom('auth_throttle').select('account').where('account', '=', account).executeTakeFirst())
}

/**
 * Records one failure, locking the account once it has `MAX_FAILURES` inside the window;
 * answers the failures now counted in the window, or `undefined` when the account is locked
 * (then nothing is recorded). Run it in a write transaction: the count and the lock it sets
 * commit together, so a concurrent call sees both.
 */
export async function recordFailure(db: Db, account: string, now: number, max = MAX_FAILURES): Promise<number | undefined> {
  const nowIso = new Date(now).toISOString()
  const windowFloor = new Date(now - WINDOW_MS).toISOString()
  // One atomic upsert: a failure outside the window starts a new count; a locked row is left alone.
  const row = await db
    .insertInto('auth_throttle')
    .values({ account, failures: 1, window_start: nowIso, locked_until: null })
    .onConflict((oc) =>
      oc
        .column('account')
        .doUpdateSet({
          failures: sql`case when auth_throttle.window_start < ${windowFloor} then 1 else auth_throttle.failures + 1 end`,
          window_start: sql`case when auth_throttle.window_start < ${windowFloor} then ${nowIso} else auth_throttle.window_start end`,
        })
        .where((eb) => eb.or([eb('auth_throttle.locked_until', 'is', null), eb('auth_throttle.locked_until', '<=', nowIso)])),
    )
    .returning('failures')
    .executeTakeFirst()
  if (!row) return undefined
  if (row.failures >= max) {
    const lockMs = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(20, row.failures - max))
    await db
      .updateTable('auth_throttle')
      .set({ locked_until: new Date(now + lockMs).toISOString() })
      .where('account', '=', account)
      .execute()
  }
  return row.failures
}

/** Forgets an account's failures after a success. */
export async function clearFailures(db: Db, account: string): Promise<void> {
  await db.deleteFrom('auth_throttle').where('account', '=', account).execute()
}

/**
 * Runs one secret check under the throttle and answers its outcome. A source locked out of the
 * account answers `too_many_attempts` (with `retryAfterSeconds`) without checking; so does any
 * source with a failure on record while the account as a whole is past its ceiling. The attempt
 * is counted as a failure *before* `check` runs, so that concurrent guesses cannot all slip in
 * under the limit (the one that reaches it locks the others out); a success clears the source's
 * count (the account's runs out with its window). Once a lock has passed, each attempt is
 * checked again and each failure locks anew.
 */
export async function throttledCheck(store: Store, keys: ThrottleKeys, clock: () => number, check: () => Promise<boolean>): Promise<boolean> {
  const sourceLocked = await lockedForMs(store.db, keys.source, clock())
  if (sourceLocked > 0) throw tooManyAttempts(sourceLocked)
  const accountLocked = await lockedForMs(store.db, keys.account, clock())
  if (accountLocked > 0 && (await hasFailures(store.db, keys.source))) throw tooManyAttempts(accountLocked)
  const failures = await store.write(async (trx) => {
    const n = await recordFailure(trx, keys.source, clock())
    if (n !== undefined) await recordFailure(trx, keys.account, clock(), ACCOUNT_MAX_FAILURES)
    return n
  })
  if (failures === undefined) throw tooManyAttempts(await lockedForMs(store.db, keys.source, clock()))
  if (!(await check())) return false
  await store.write((trx) => clearFailures(trx, keys.source))
  return true
}

/** The error of a locked account, saying when to retry. */
export function tooManyAttempts(lockedMs: number): DomainError {
  return new DomainError('too_many_attempts', 'too many failed attempts; try again later', {
    retryAfterSeconds: Math.max(1, Math.ceil(lockedMs / 1000)),
  })
}

/** Deletes counters that neither lock nor count any more (older than a day, not locked); answers how many. */
export async function purgeThrottle(db: Db, now: number): Promise<number> {
  const dayAgo = new Date(now - 24 * 3600_000).toISOString()
  const nowIso = new Date(now).toISOString()
  const res = await db
    .deleteFrom('auth_throttle')
    .where('window_start', '<', dayAgo)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', nowIso)]))
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
