/**
 * Failed-authentication counters per account, in the database so that a limit holds across
 * every server process sharing it.
 */
import { sql } from 'kysely'
import type { Db, Store } from './store.js'
import { DomainError } from '../core/errors.js'

/** Failures allowed inside the window before the account locks. */
export const MAX_FAILURES = 5
/** The window failures are counted in. */
export const WINDOW_MS = 15 * 60_000
/** The first lock lasts this long; each further failure doubles it, up to `MAX_LOCK_MS`. */
export const FIRST_LOCK_MS = 30_000
export const MAX_LOCK_MS = 15 * 60_000

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
export async function recordFailure(db: Db, account: string, now: number): Promise<number | undefined> {
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
  if (row.failures >= MAX_FAILURES) {
    const lockMs = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (row.failures - MAX_FAILURES))
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
 * Runs one secret check for `account` under the throttle and answers its outcome. A locked
 * account answers `too_many_attempts` (with `retryAfterSeconds`) without checking. The attempt
 * is counted as a failure *before* `check` runs, so that concurrent guesses cannot all slip in
 * under the limit (the one that reaches it locks the account for the others); a success clears
 * the count. Once a lock has passed, each attempt is checked again and each failure locks anew.
 */
export async function throttledCheck(store: Store, account: string, clock: () => number, check: () => Promise<boolean>): Promise<boolean> {
  const locked = await lockedForMs(store.db, account, clock())
  if (locked > 0) throw tooManyAttempts(locked)
  const failures = await store.write((trx) => recordFailure(trx, account, clock()))
  if (failures === undefined) throw tooManyAttempts(await lockedForMs(store.db, account, clock()))
  if (!(await check())) return false
  await store.write((trx) => clearFailures(trx, account))
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
