/**
 * A customer's bandwidth samples (`bandwidth_samples`, one row per 5-minute slot) and the
 * aggregates the billing rules need. Knows SQL and nothing of the rules (see core/bandwidth.ts).
 * Every read is bounded by (org_id, slot range) on the primary key; none loads a period's rows.
 */
import type { Db } from './store.js'

/** One sample to write: its slot and rates in bits per second. */
export interface SampleRow {
  slot: number
  at: string
  inBps: number
  outBps: number
}

/** Rows per INSERT (7 values each: well under either database's bound on parameters). */
const CHUNK = 500

/**
 * Writes `rows` for `orgId` (slots distinct), replacing a stored sample of the same slot.
 * Answers how many were new and how many replaced one.
 */
export async function upsertSamples(db: Db, orgId: string, rows: readonly SampleRow[], now: string): Promise<{ inserted: number; replaced: number }> {
  let replaced = 0
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK)
    const existing = await db
      .selectFrom('bandwidth_samples')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('slot', 'in', part.map((r) => r.slot))
      .executeTakeFirstOrThrow()
    replaced += Number(existing.n)
    await db
      .insertInto('bandwidth_samples')
      .values(part.map((r) => ({ org_id: orgId, slot: r.slot, at: r.at, in_bps: r.inBps, out_bps: r.outBps, peak_bps: Math.max(r.inBps, r.outBps), recorded_at: now })))
      .onConflict((oc) =>
        oc.columns(['org_id', 'slot']).doUpdateSet((eb) => ({
          at: eb.ref('excluded.at'),
          in_bps: eb.ref('excluded.in_bps'),
          out_bps: eb.ref('excluded.out_bps'),
          peak_bps: eb.ref('excluded.peak_bps'),
          recorded_at: eb.ref('excluded.recorded_at'),
        })),
      )
      .execute()
  }
  return { inserted: rows.length - replaced, replaced }
}

/** Aggregates of `orgId`'s samples with slot in [fromSlot, toSlot). Sums are 0 with no samples. */
export async function sampleStats(
  db: Db,
  orgId: string,
  fromSlot: number,
  toSlot: number,
): Promise<{ count: number; maxPeak: number; sumPeak: number; sumInOut: number }> {
  const r = await db
    .selectFrom('bandwidth_samples')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.max<number | null>('peak_bps').as('max_peak'),
      eb.fn.sum<number | string | null>('peak_bps').as('sum_peak'),
      eb.fn.sum<number | string | null>('in_bps').as('sum_in'),
      eb.fn.sum<number | string | null>('out_bps').as('sum_out'),
    ])
    .where('org_id', '=', orgId)
    .where('slot', '>=', fromSlot)
    .where('slot', '<', toSlot)
    .executeTakeFirstOrThrow()
  return {
    count: Number(r.n),
    maxPeak: Number(r.max_peak ?? 0),
    sumPeak: Number(r.sum_peak ?? 0),
    sumInOut: Number(r.sum_in ?? 0) + Number(r.sum_out ?? 0),
  }
}

/** The peak of `orgId`'s samples in [fromSlot, toSlot) ranked `skip` places below the highest (0: the highest); 0 when there is none. */
export async function peakBelowTop(db: Db, orgId: string, fromSlot: number, toSlot: number, skip: number): Promise<number> {
  const r = await db
    .selectFrom('bandwidth_samples')
    .select('peak_bps')
    .where('org_id', '=', orgId)
    .where('slot', '>=', fromSlot)
    .where('slot', '<', toSlot)
    .orderBy('peak_bps', 'desc')
    .limit(1)
    .offset(skip)
    .executeTakeFirst()
  return r ? Number(r.peak_bps) : 0
}

/** The hosting JSON of the plans of `orgId`'s active subscriptions, oldest subscription first (at most 100). */
export async function activeSubscriptionPlanHosting(db: Db, orgId: string): Promise<{ subscriptionId: number; planId: number; hosting: string }[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .innerJoin('plans', 'plans.id', 'subscriptions.plan_id')
    .select(['subscriptions.id as sid', 'plans.id as pid', 'plans.hosting as hosting'])
    .where('subscriptions.subscriber_id', '=', orgId)
    .where('subscriptions.status', '=', 'active')
    .orderBy('subscriptions.id')
    .limit(100)
    .execute()
  return rows.map((r) => ({ subscriptionId: Number(r.sid), planId: Number(r.pid), hosting: r.hosting }))
}

/** The id of the organisation whose short code is `code` (codes are unique), if any. */
export async function findOrgIdByCode(db: Db, code: string): Promise<string | undefined> {
  const r = await db.selectFrom('orgs').select('id').where('code', '=', code).executeTakeFirst()
  return r?.id
}
