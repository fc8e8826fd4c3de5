import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { BANDWIDTH_RULES, DEFAULT_BANDWIDTH_RULE, SLOT_SECONDS, p95Dropped, periodBounds, periodOf, slotOf, type BandwidthRule, type BillableBandwidth } from '../../core/bandwidth.js'
import { activeSubscriptionPlanHosting, peakBelowTop, sampleStats } from '../../store/bandwidth.repo.js'

/**
 * The billable bandwidth of a customer for a calendar month (UTC; the current one by default),
 * by the rule its plan names (seed 001's `currentBillableBandwidth`; the rules are in
 * core/bandwidth.ts).
 *
 * The rule: of the customer's active subscriptions, oldest first, the first whose plan names a
 * `bandwidthBillingRule` decides (the plan as it is now, so changing a plan's rule re-bills
 * its current period); none: `p95`. The figure is computed in the database (count, max, sums,
 * and one `ORDER BY … LIMIT 1 OFFSET` for the percentile) on the (org_id, slot) key: a month
 * holds at most 8,928 slots per customer, and no row is loaded into memory.
 *
 * Any actor that may see the customer may read it (the customer itself included).
 */
export const getBillableBandwidth = defineOp({
  name: 'bandwidth.billable.get',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      period: Type.Optional(Type.String({ maxLength: 7, description: 'YYYY-MM (UTC); the current month when absent' })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<BillableBandwidth & { subscriptionId?: number; planId?: number }> {
    requirePermission(ctx, 'org.read')
    const period = input.period ?? periodOf(ctx.clock())
    const bounds = periodBounds(period)
    if (!bounds) throw new DomainError('invalid_argument', `period ${JSON.stringify(period)} is not a month (YYYY-MM)`, { field: 'period' })
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)

    let rule: BandwidthRule = DEFAULT_BANDWIDTH_RULE
    let source: { subscriptionId?: number; planId?: number } = {}
    for (const s of await activeSubscriptionPlanHosting(db, org.id)) {
      const named = (JSON.parse(s.hosting) as { bandwidthBillingRule?: unknown }).bandwidthBillingRule
      if (typeof named === 'string' && (BANDWIDTH_RULES as readonly string[]).includes(named)) {
        rule = named as BandwidthRule
        source = { subscriptionId: s.subscriptionId, planId: s.planId }
        break
      }
    }

    const from = slotOf(bounds.start)
    const to = slotOf(bounds.end)
    const stats = await sampleStats(db, org.id, from, to)
    const base = {
      orgId: org.id,
      rule,
      period,
      periodStart: new Date(bounds.start).toISOString(),
      periodEnd: new Date(bounds.end).toISOString(),
      samples: stats.count,
      ...source,
    }
    switch (rule) {
      case 'p95':
        return { ...base, billableBitsPerSecond: stats.count === 0 ? 0 : await peakBelowTop(db, org.id, from, to, p95Dropped(stats.count)) }
      case 'max':
        return { ...base, billableBitsPerSecond: stats.maxPeak }
      case 'average':
        return { ...base, billableBitsPerSecond: stats.count === 0 ? 0 : Math.round(stats.sumPeak / stats.count) }
      case 'total':
        return { ...base, billableBytes: Math.round((stats.sumInOut * SLOT_SECONDS) / 8) }
    }
  },
})
