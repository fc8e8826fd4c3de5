/**
 * Billable bandwidth (seed 001's `currentBillableBandwidth`): the samples a customer's traffic
 * is reported in, the rules a plan may bill it by, and the billing period.
 *
 * A sample is the average rate in and out, in bits per second, over one 5-minute slot (UTC,
 * aligned to the epoch: 00:00, 00:05, …). The billable figure of a period is decided by a rule
 * over the period's samples, each counted as max(in, out) except for `total`:
 *
 * | rule      | figure                                                                     |
 * |-----------|----------------------------------------------------------------------------|
 * | `p95`     | burstable billing: sort ascending, drop the top 5 % (floor(n × 0.05) samples), take the highest remaining — the ceil(0.95 n)-th smallest; 100 samples 1..100 → 95 |
 * | `max`     | the highest sample                                                         |
 * | `average` | the mean of the samples present (missing slots are not counted as zero), rounded to the nearest bit/s |
 * | `total`   | bytes moved: Σ (in + out) × 300 / 8 over the samples (both directions)      |
 *
 * No samples: 0 under every rule.
 */

/** The length of a slot, in seconds. */
export const SLOT_SECONDS = 300

/** The billing rules a plan may name; `p95` when none is named. */
export const BANDWIDTH_RULES = ['p95', 'max', 'average', 'total'] as const
export type BandwidthRule = (typeof BANDWIDTH_RULES)[number]
export const DEFAULT_BANDWIDTH_RULE: BandwidthRule = 'p95'

/** The largest rate a sample may give, in bits per second (1 Tbit/s). */
export const MAX_BPS = 1e12

/** The most samples one import may carry. */
export const MAX_SAMPLES_PER_IMPORT = 10_000

/** One sample as given and answered: the slot's start (ISO, UTC) and the average rates over it. */
export interface BandwidthSample {
  at: string
  inBps: number
  outBps: number
}

/** The billable figure of a customer's period. */
export interface BillableBandwidth {
  orgId: string
  rule: BandwidthRule
  /** `YYYY-MM`. */
  period: string
  /** The period's first instant and the first instant after it (ISO, UTC). */
  periodStart: string
  periodEnd: string
  /** How many 5-minute samples the period holds. */
  samples: number
  /** The figure under `p95`, `max` and `average`. */
  billableBitsPerSecond?: number
  /** The figure under `total`. */
  billableBytes?: number
}

/** The slot an instant (ms since the epoch) falls in. */
export function slotOf(ms: number): number {
  return Math.floor(ms / 1000 / SLOT_SECONDS)
}

/** The start of a slot, ISO. */
export function slotStart(slot: number): string {
  return new Date(slot * SLOT_SECONDS * 1000).toISOString()
}

/** `YYYY-MM` of an instant, UTC. */
export function periodOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7)
}

/** The bounds of a `YYYY-MM` period (UTC) in ms: [start, end). Undefined when it is not a month. */
export function periodBounds(period: string): { start: number; end: number } | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period)
  if (!m) return undefined
  const y = Number(m[1])
  const mo = Number(m[2]) - 1
  return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) }
}

/** How many samples the p95 rule drops from the top of `n` (the top 5 %, rounded down). */
export function p95Dropped(n: number): number {
  return Math.floor((n * 5) / 100)
}
