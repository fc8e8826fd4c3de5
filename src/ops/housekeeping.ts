/**
 * Periodic housekeeping, run hourly by every server process (each step is idempotent, so
 * several processes running it at once is harmless).
 */
import type { Deps } from './context.js'
import { purgeIdempotencyKeys } from './idempotency.js'
import { purgeThrottle } from '../store/throttle.repo.js'

/** Deletes idempotency answers past retention and spent authentication counters. */
export async function runHousekeeping(deps: Deps): Promise<{ idempotencyKeys: number; throttles: number }> {
  const idempotencyKeys = await purgeIdempotencyKeys(deps)
  const throttles = await deps.store.write((trx) => purgeThrottle(trx, deps.clock()))
  return { idempotencyKeys, throttles }
}
