import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { actsForMaster, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { countPlanSubscription, placementColumns, placementOf, planResources, uncountPlanSubscription, type Placement, type PlanResource } from '../../store/plans.repo.js'
import { holdsAmounts, listResourceUsage, replaceSubscriptionResources, updateSubscription as updateSubscriptionRow } from '../../store/subscriptions.repo.js'
import { DedicatedServersInput, PlanId, checkPlacement } from '../plans/schema.js'
import { quotaOfSeller } from '../plans/seller.js'
import { getPlanRow } from '../plans/plan-access.js'
import { getSaleForChange, requireGroupChoice } from './subscription-access.js'
import { handOver } from './handover.js'
import { hostingFromJson } from '../../core/plans.js'
import { becomeMetered, drawFrom, endSubscription, heldResources, refreshWebsitesCount, releaseTo, requireNoDependants, stopMetering } from './quota.js'

/**
 * Changes a subscription sold by `orgId` to its customer: `status` (`active`, `cancelled`, or
 * `deleted`, which is final), `isSuspended`, `planId` (another plan of the seller, or the same
 * one to take its current resources and hosting settings), `friendlyName`, and its own servers
 * (the master organisation only) or server group (the master organisation, or the seller where
 * the plan allows the choice; `null` clears). The subscription as it then stands is handed to
 * its plan's provisioning service, if any.
 *
 * A subscription holds its amounts while it is active and not suspended. Suspending or
 * cancelling it gives them back to the reseller's quota; resuming takes them again, and a plan
 * change gives back the old plan's and takes the new one's, each checked against the quota as
 * a new sale is (`quota_exceeded`), all in one transaction. A plan change is refused when the
 * subscription already uses more of a resource than the new plan gives.
 */
export const updateSubscription = defineOp({
  name: 'subscription.update',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      /** The subscriber, a direct customer of `orgId`; absent, `orgId` is the subscriber (see getSaleForChange). */
      customerOrgId: Type.Optional(Type.String({ maxLength: 64 })),
      subscriptionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
      expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
      status: Type.Optional(Type.Enum(['active', 'cancelled', 'deleted'] as const)),
      isSuspended: Type.Optional(Type.Boolean()),
      planId: Type.Optional(PlanId),
      friendlyName: Type.Optional(Type.String({ maxLength: 200 })),
      serverGroupId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
      dedicatedServers: Type.Optional(Type.Union([DedicatedServersInput, Type.Null()])),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ version: number }> {
    requirePermission(ctx, 'org.write')
    if (input.dedicatedServers !== undefined && !actsForMaster(ctx)) {
      throw new DomainError('forbidden', "only the master organisation may override a plan's servers", { field: 'dedicatedServers' })
    }
    if (input.status === 'deleted' && Object.keys(input).some((k) => !['orgId', 'customerOrgId', 'subscriptionId', 'expectedVersion', 'status'].includes(k) && (input as Record<string, unknown>)[k] !== undefined)) {
      throw new DomainError('invalid_argument', 'deleting a subscription takes no other change', { field: 'status' })
    }
    return ctx.store.write(async (trx) => {
      const { vendor, customer, sub } = await getSaleForChange(ctx, trx, input.orgId, input.customerOrgId, input.subscriptionId)
      if (input.expectedVersion !== undefined && input.expectedVersion !== sub.version) {
        throw new DomainError('version_mismatch', `subscription was changed since version ${input.expectedVersion}`)
      }
      if (input.status === 'deleted') {
        await endSubscription(ctx, trx, sub, { cascade: false, subscriber: customer })
        return { version: sub.version + 1 }
      }
      const now = nowIso(ctx.clock)
      const status = input.status ?? sub.status
      const suspended = input.isSuspended ?? sub.is_suspended === 1
      const held = holdsAmounts(sub.status, sub.is_suspended)
      const holds = holdsAmounts(status, suspended)
      const newPlan = input.planId !== undefined ? await getPlanRow(trx, vendor, input.planId, 'planId') : undefined
      const hosting = newPlan ? newPlan.hosting : sub.hosting
      if (input.serverGroupId !== undefined) requireGroupChoice(ctx, hostingFromJson(hosting), input.serverGroupId)
      const oldResources = await heldResources(trx, sub.id)
      const resources: PlanResource[] = newPlan ? ((await planResources(trx, [newPlan.id])).get(newPlan.id) ?? []) : oldResources
      const wasReseller = sub.plan_type === 'reseller'
      const planType = newPlan?.plan_type ?? sub.plan_type

      // 1. Give back what it holds, when it stops holding or holds something else.
      if (held && sub.drawn_from !== null && (newPlan || !holds)) await releaseTo(trx, sub.drawn_from, oldResources)
      // 2. A reseller subscription changed to a hosting plan stops metering its subscriber.
      if (wasReseller && planType !== 'reseller') {
        await requireNoDependants(trx, sub, customer)
        await stopMetering(ctx, trx, sub.id, customer.id)
      }
      // 3. The new plan's resources, keeping each one's usage.
      if (newPlan) {
        const usage = new Map((await listResourceUsage(trx, sub.id)).map((r) => [r.name, Number(r.usage)]))
        const totals = new Map(resources.map((r) => [r.name, r.total]))
        for (const [name, used] of usage) {
          if (used === 0 || (name === 'customers' && planType === 'reseller')) continue
          const total = totals.get(name)
          if (!totals.has(name) || (total !== undefined && total < used)) {
            throw new DomainError('quota_exceeded', `the subscription uses ${used} ${name}; plan ${newPlan.name} gives ${totals.has(name) ? total : 'none'}`, { resource: name, field: 'planId' })
          }
        }
        await replaceSubscriptionResources(trx, sub.id, resources.map((r) => ({ name: r.name, total: r.total ?? null, usage: usage.get(r.name) ?? 0 })))
        if (newPlan.id !== sub.plan_id) {
          await uncountPlanSubscription(trx, sub.plan_id)
          if (!(await countPlanSubscription(trx, newPlan.id))) throw new DomainError('not_found', `${vendor.name} has no plan ${newPlan.id}`, { field: 'planId' })
        }
      }
      // 4. A reseller subscription meters its subscriber (its customers counted against the new total).
      if (planType === 'reseller' && (!wasReseller || newPlan)) await becomeMetered(ctx, trx, sub, customer)
      // 5. Take the amounts from the seller's quota, when it starts holding or holds something else.
      let drawnFrom = holds ? sub.drawn_from : null
      if (holds && (newPlan || !held)) {
        drawnFrom = await quotaOfSeller(trx, vendor, 'sell')
        if (drawnFrom !== null) await drawFrom(trx, drawnFrom, resources, vendor.name)
      }
      const old = placementOf(sub)
      const placement: Placement = {}
      const group = input.serverGroupId !== undefined ? input.serverGroupId : old.serverGroupId
      const servers = input.dedicatedServers !== undefined ? input.dedicatedServers : old.dedicatedServers
      if (group) placement.serverGroupId = group
      if (servers && Object.keys(servers).length > 0) placement.dedicatedServers = servers
      if (input.serverGroupId !== undefined || input.dedicatedServers !== undefined) await checkPlacement(trx, placement)
      await updateSubscriptionRow(trx, sub.id, {
        status,
        is_suspended: suspended ? 1 : 0,
        suspended_by: suspended ? (sub.is_suspended === 1 ? sub.suspended_by : ctx.actor.orgId) : null,
        plan_id: newPlan?.id ?? sub.plan_id,
        plan_type: planType,
        hosting,
        friendly_name: input.friendlyName ?? sub.friendly_name,
        ...placementColumns(placement),
        drawn_from: drawnFrom,
        updated_at: now,
        version: sub.version + 1,
      })
      if (newPlan) await refreshWebsitesCount(ctx, trx, customer.id)
      await handOver(ctx, trx, { id: sub.id, planId: newPlan?.id ?? sub.plan_id, ...(newPlan ? { service: newPlan.provisioning_service } : {}) }, 'changed')
      return { version: sub.version + 1 }
    })
  },
})
