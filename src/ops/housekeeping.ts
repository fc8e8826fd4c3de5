/**
 * Periodic housekeeping, run hourly by every server process (each step is idempotent, so
 * several processes running it at once is harmless).
 */
import type { Deps } from './context.js'
import { purgeIdempotencyKeys } from './idempotency.js'
import { purgeThrottle } from '../store/throttle.repo.js'
import { purgeLoginLinks } from '../store/login-links.repo.js'
import { purgeRecoveries } from '../store/recovery.repo.js'
import { purgeChallenges } from '../store/login-challenges.repo.js'
import { purgeEmailChanges } from '../store/account.repo.js'
import { nowIso } from '../store/store.js'
import { sweepCancellations } from './cancellations/sweep-cancellations.js'

/**
 * Deletes idempotency answers past retention, spent authentication counters, login links that ran
 * out, ended password recovery secrets, pending logins (PIN step) and e-mail changes that ran
 * out; carries out approved cancellations whose end of billing period has come
 * (ops/cancellations/).
 */
export async function runHousekeeping(
  deps: Deps,
): Promise<{ idempotencyKeys: number; throttles: number; loginLinks: number; recoveries: number; loginChallenges: number; emailChanges: number; cancellations: number }> {
  const idempotencyKeys = await purgeIdempotencyKeys(deps)
  const throttles = await deps.store.write((trx) => purgeThrottle(trx, deps.clock()))
  const loginLinks = await deps.store.write((trx) => purgeLoginLinks(trx, nowIso(deps.clock)))
  const recoveries = await deps.store.write((trx) => purgeRecoveries(trx, nowIso(deps.clock)))
  const loginChallenges = await deps.store.write((trx) => purgeChallenges(trx, nowIso(deps.clock)))
  const emailChanges = await deps.store.write((trx) => purgeEmailChanges(trx, nowIso(deps.clock)))
  const cancellations = await sweepCancellations(deps)
  return { idempotencyKeys, throttles, loginLinks, recoveries, loginChallenges, emailChanges, cancellations }
}
