import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { actsForMaster, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { countPlanSubscription, placementColumns, planResources, type Placement } from '../../store/plans.repo.js'
import { addOrgSubscriptionsCount, insertSubscription, insertSubscriptionResources } from '../../store/subscriptions.repo.js'
import { DedicatedServersInput, PlanId, checkPlacement } from '../plans/schema.js'
import { quotaOfSeller } from '../plans/seller.js'
import { getPlanRow } from '../plans/plan-access.js'
import { getCustomerOf, getVendor, requireGroupChoice } from './subscription-access.js'
import { handOver } from './handover.js'
import { hostingFromJson } from '../../core/plans.js'
import { becomeMetered, drawFrom } from './quota.js'

/**
 * Subscribes a customer to a plan of its parent (seed 003's `create_customer_subscription`).
 *
 * Only the master organisation or a reseller may subscribe another organisation, only to its
 * own plans, and only its own (direct, live) customers; the actor needs `org.write` on the
 * seller. A reseller that is not the master organisation needs an active reseller subscription,
 * and the sale draws from it: each sold resource's usage there rises by the sold amount, in
 * the same transaction and by one conditional UPDATE per resource, so that a sale past the
 * quota is refused (`quota_exceeded`, naming the resource) and a reseller never sells more than
 * it has. The master organisation is unlimited, and only it may set the subscription's own
 * servers, or a server group of its choice; a seller may choose one of the plan's
 * `serverGroupIds` when the plan has `allowServerGroupSelection` (otherwise the plan's
 * placement applies, or the placement rule). The subscription is given the plan's resources
 * and hosting settings as they now are, and handed to the plan's provisioning service, if any.
 *
 * A subscription to a reseller plan makes its subscriber a (metered) reseller; it may hold one
 * reseller subscription (`already_exists`).
 */
export const createSubscription = defineOp({
  name: 'subscription.create',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      customerOrgId: Type.String({ maxLength: 64 }),
      planId: PlanId,
      friendlyName: Type.Optional(Type.String({ maxLength: 200 })),
      serverGroupId: Type.Optional(Type.String({ maxLength: 64 })),
      dedicatedServers: Type.Optional(DedicatedServersInput),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ id: number }> {
    requirePermission(ctx, 'org.write')
    const placement: Placement = {
      ...(input.serverGroupId ? { serverGroupId: input.serverGroupId } : {}),
      ...(input.dedicatedServers && Object.keys(input.dedicatedServers).length > 0 ? { dedicatedServers: input.dedicatedServers } : {}),
    }
    if (input.dedicatedServers !== undefined && !actsForMaster(ctx)) {
      throw new DomainError('forbidden', "only the master organisation may override a plan's servers", { field: 'dedicatedServers' })
    }
    return ctx.store.write(async (trx) => {
      const vendor = await getVendor(ctx, trx, input.orgId)
      const quota = await quotaOfSeller(trx, vendor, 'subscribe customers')
      const customer = await getCustomerOf(trx, vendor, input.customerOrgId)
      const plan = await getPlanRow(trx, vendor, input.planId, 'planId')
      const hosting = hostingFromJson(plan.hosting)
      if (input.serverGroupId !== undefined) requireGroupChoice(ctx, hosting, input.serverGroupId)
      await checkPlacement(trx, placement)
      const resources = (await planResources(trx, [plan.id])).get(plan.id) ?? []
      const now = nowIso(ctx.clock)
      const id = await insertSubscription(trx, {
        plan_id: plan.id,
        subscriber_id: customer.id,
        vendor_id: vendor.id,
        plan_type: plan.plan_type,
        friendly_name: input.friendlyName ?? '',
        status: 'active',
        is_suspended: 0,
        suspended_by: null,
        ...placementColumns(placement),
        drawn_from: quota,
        hosting: plan.hosting,
        provisioning_status: 'NotProvisioned',
        request_id: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      await insertSubscriptionResources(trx, id, resources.map((r) => ({ name: r.name, total: r.total ?? null, usage: 0 })))
      await handOver(ctx, trx, { id, planId: plan.id, service: plan.provisioning_service }, 'created')
      // Rows shared by many sales are locked last, in the same order by every sale (the
      // customer, the plan, the reseller's quota rows by name), so that each is held briefly.
      await addOrgSubscriptionsCount(trx, customer.id, 1, now)
      if (plan.plan_type === 'reseller') await becomeMetered(ctx, trx, { id }, customer)
      if (!(await countPlanSubscription(trx, plan.id))) throw new DomainError('not_found', `${vendor.name} has no plan ${plan.id}`, { field: 'planId' })
      if (quota !== null) await drawFrom(trx, quota, resources, vendor.name)
      return { id }
    })
  },
})
