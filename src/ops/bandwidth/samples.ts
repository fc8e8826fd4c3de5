/**
 * What the bandwidth import operations share: the input shape of a sample, its checks, and who
 * may report a customer's usage.
 */
import { Type } from 'typebox'
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { getOrgInScope, requireAncestor } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { MAX_BPS, MAX_SAMPLES_PER_IMPORT, SLOT_SECONDS, slotOf, slotStart } from '../../core/bandwidth.js'
import { upsertSamples, type SampleRow } from '../../store/bandwidth.repo.js'

const Rate = Type.Integer({ minimum: 0, maximum: MAX_BPS, description: 'Average bits per second over the 5-minute slot' })

/** One sample: an instant inside its 5-minute slot (ISO 8601 with Z or an offset) and the average rates over the slot. */
export const SampleInput = Type.Object(
  {
    at: Type.String({ minLength: 1, maxLength: 40, description: 'An instant of the 5-minute slot (UTC-aligned), ISO 8601 with Z or an offset; it counts for the slot it falls in' }),
    inBps: Rate,
    outBps: Rate,
  },
  { additionalProperties: false },
)
export const SamplesInput = Type.Array(SampleInput, { minItems: 1, maxItems: MAX_SAMPLES_PER_IMPORT })

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/
/** The earliest slot a sample may be for. */
const EARLIEST = Date.UTC(2000, 0, 1)

/**
 * Checks samples and answers them as rows by slot: each `at` a real ISO instant, not before
 * 2000 nor more than one slot (5 minutes) after now; no two for the same slot. `field` prefixes
 * the offending field's name (`samples.3.at`).
 */
export function checkSamples(ctx: Ctx, samples: readonly { at: string; inBps: number; outBps: number }[], field = 'samples'): SampleRow[] {
  const now = ctx.clock()
  const seen = new Map<number, number>()
  const rows: SampleRow[] = []
  samples.forEach((s, i) => {
    const ms = ISO.test(s.at) ? Date.parse(s.at) : NaN
    if (!Number.isFinite(ms)) throw new DomainError('invalid_argument', `${field}.${i}.at: ${JSON.stringify(s.at)} is not an ISO 8601 instant (2026-12-01T00:05:00Z)`, { field: `${field}.${i}.at` })
    if (ms < EARLIEST) throw new DomainError('invalid_argument', `${field}.${i}.at: ${s.at} is before 2000`, { field: `${field}.${i}.at` })
    if (ms > now + SLOT_SECONDS * 1000) throw new DomainError('invalid_argument', `${field}.${i}.at: ${s.at} is in the future`, { field: `${field}.${i}.at` })
    const slot = slotOf(ms)
    const before = seen.get(slot)
    if (before !== undefined) {
      throw new DomainError('invalid_argument', `${field}.${i}.at: samples ${before} and ${i} are both for the 5-minute slot starting ${slotStart(slot)}`, { field: `${field}.${i}.at` })
    }
    seen.set(slot, i)
    rows.push({ slot, at: slotStart(slot), inBps: s.inBps, outBps: s.outBps })
  })
  return rows
}

/**
 * Loads the customer whose usage the actor reports, or throws: it must be in the actor's
 * subtree (`not_found` otherwise) and strictly below the actor's organisation (`forbidden`):
 * the platform (the master organisation) or a reseller reports its customers' usage, never a
 * customer its own.
 */
export async function getReportedOrg(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  requireAncestor(ctx, org, "report an organisation's bandwidth")
  return org
}

/** Writes checked rows for `org`; answers the counts an import reports. */
export async function writeSamples(ctx: Ctx, trx: Db, org: OrgRow, rows: readonly SampleRow[]): Promise<ImportResult> {
  const { inserted, replaced } = await upsertSamples(trx, org.id, rows, new Date(ctx.clock()).toISOString())
  return { orgId: org.id, received: rows.length, inserted, replaced }
}

/** What an import did for one customer. */
export interface ImportResult {
  orgId: string
  received: number
  /** Samples for slots that had none. */
  inserted: number
  /** Samples that replaced the stored sample of their slot. */
  replaced: number
}
