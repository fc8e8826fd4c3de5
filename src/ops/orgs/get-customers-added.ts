import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { countCustomersAdded } from '../../store/orgs.repo.js'

/** The intervals "customers added" is counted in, and how many of each are answered. */
export const ADDED_INTERVALS = ['hour', 'day', 'month'] as const
export type AddedInterval = (typeof ADDED_INTERVALS)[number]

const SPAN: Record<AddedInterval, { count: number; prefixLength: 7 | 10 | 13 }> = {
  hour: { count: 24, prefixLength: 13 },
  day: { count: 30, prefixLength: 10 },
  month: { count: 12, prefixLength: 7 },
}

/** One interval and how many customers were added in it. */
export interface AddedCount {
  /** The interval's first instant, ISO-8601 UTC (`2026-12-06T00:00:00.000Z` for a day). */
  interval: string
  count: number
}

/**
 * Counts the customers an organisation in the actor's subtree added per interval (seed 003's
 * `getCustomersAdded`): the last 24 hours, 30 days (the default) or 12 months in UTC, oldest
 * first, the current one last, every interval answered (0 when none). A customer counts in the
 * interval of its `createdAt`, whatever its status now (one added and since deleted was still
 * added). Direct customers, or every descendant with `recursive`. Any role that may read the
 * organisation may ask. The database counts (one grouped range read); nothing is loaded.
 */
export const getCustomersAdded = defineOp({
  name: 'customers_added.get',
  input: Type.Object(
    {
      orgId: Type.String(),
      timeInterval: Type.Optional(Type.Enum(ADDED_INTERVALS)),
      recursive: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<AddedCount[]> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const unit = input.timeInterval ?? 'day'
    const { count, prefixLength } = SPAN[unit]
    // One more interval than answered: its start bounds the read (a later createdAt, from a
    // clock set back, counts nowhere).
    const starts = intervalStarts(unit, count + 1, ctx.clock(), 1)
    const until = starts.pop()!.toISOString()
    const rows = await countCustomersAdded(ctx.store.db, { org, recursive: input.recursive === true, from: starts[0]!.toISOString(), until, prefixLength })
    const byKey = new Map(rows.map((r) => [r.interval, r.n]))
    return starts.map((d) => {
      const iso = d.toISOString()
      return { interval: iso, count: byKey.get(iso.slice(0, prefixLength)) ?? 0 }
    })
  },
})

/**
 * The first instants of `count` consecutive intervals of `unit` (UTC), oldest first, the last
 * one `ahead` intervals after the one holding `now`.
 */
export function intervalStarts(unit: AddedInterval, count: number, now: number, ahead = 0): Date[] {
  const t = new Date(now)
  const out: Date[] = []
  for (let i = count - 1 - ahead; i >= -ahead; i--) {
    if (unit === 'hour') out.push(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() - i)))
    else if (unit === 'day') out.push(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() - i)))
    else out.push(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - i, 1)))
  }
  return out
}
