import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { nameKey, placementColumns, placementOf, planResources, setPlanResources, toPlan, updatePlan as updatePlanRow, type Placement, type Plan } from '../../store/plans.repo.js'
import { CUSTOMERS, DedicatedServersInput, PlanId, PlanName, ResourcesInput, checkPlacement, resolveResources } from './schema.js'
import { checkOfferable, quotaOfSeller } from './seller.js'
import { getPlanOwner, getPlanRow } from './plan-access.js'

/**
 * Changes a plan: its name, its resources (the whole list; a reseller's checked against its
 * reseller subscription as when created), its default server group or servers (`null` clears).
 *
 * Subscriptions keep the resources they were given when they subscribed or last changed plan;
 * a change applies to subscriptions made from then on (and to one whose plan is set again).
 */
export const updatePlan = defineOp({
  name: 'plan.update',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      planId: PlanId,
      expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
      name: Type.Optional(PlanName),
      resources: Type.Optional(ResourcesInput),
      serverGroupId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
      dedicatedServers: Type.Optional(Type.Union([DedicatedServersInput, Type.Null()])),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Plan> {
    requirePermission(ctx, 'org.write')
    return ctx.store.write(async (trx) => {
      const org = await getPlanOwner(ctx, trx, input.orgId)
      const row = await getPlanRow(trx, org, input.planId)
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `plan was changed since version ${input.expectedVersion}`)
      }
      let resources = (await planResources(trx, [row.id])).get(row.id) ?? []
      if (input.resources !== undefined) {
        resources = await resolveResources(trx, input.resources)
        const quota = await quotaOfSeller(trx, org)
        if (quota !== null) await checkOfferable(trx, quota, resources, org.name)
      }
      const old = placementOf(row)
      const placement: Placement = {}
      const group = input.serverGroupId !== undefined ? input.serverGroupId : old.serverGroupId
      const servers = input.dedicatedServers !== undefined ? input.dedicatedServers : old.dedicatedServers
      if (group) placement.serverGroupId = group
      if (servers && Object.keys(servers).length > 0) placement.dedicatedServers = servers
      await checkPlacement(trx, placement)
      const name = input.name?.trim() ?? row.name
      const next = {
        ...row,
        name,
        name_key: nameKey(name),
        plan_type: resources.some((r) => r.name === CUSTOMERS) ? 'reseller' : 'hosting',
        ...placementColumns(placement),
        updated_at: nowIso(ctx.clock),
        version: row.version + 1,
      }
      // The count is kept by the subscriptions' own conditional UPDATEs; writing back the one read
      // above (unlocked) could undo a concurrent sale's increment and let the plan be deleted.
      const { id: _id, subscriptions_count: _count, ...set } = next
      await mapUnique(
        () => updatePlanRow(trx, row.id, set),
        () => `${org.name} already has a plan named ${JSON.stringify(name)}`,
      )
      if (input.resources !== undefined) await setPlanResources(trx, row.id, resources)
      return toPlan(next, resources)
    })
  },
})
