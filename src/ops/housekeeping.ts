/**
 * Periodic housekeeping, run hourly by every server process (each step is idempotent, so
 * several processes running it at once is harmless).
 */
import type { Deps } from './context.js'
import { purgeIdempotencyKeys } from './idempotency.js'
import { purgeThrottle } from '../store/throttle.repo.js'
import { purgeRecoveries } from '../store/recovery.repo.js'

/** Deletes idempotency answers past retention, spent authentication counters and ended password recovery secrets. */
export async function runHousekeeping(deps: Deps): Promise<{ idempotencyKeys: number; throttles: number; recoveries: number }> {
  const idempotencyKeys = await purgeIdempotencyKeys(deps)
  const throttles = await deps.store.write((trx) => purgeThrottle(trx, deps.clock()))
  const recoveries = await deps.store.write((trx) => purgeRecoveries(trx, new Date(deps.clock()).toISOString()))
  return { idempotencyKeys, throttles, recoveries }
}
