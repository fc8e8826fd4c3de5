import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { insertPlan, nameKey, placementColumns, setPlanResources, toPlan, type NewPlan, type Plan } from '../../store/plans.repo.js'
import { CUSTOMERS, DedicatedServersInput, PlanName, ResourcesInput, checkPlacement, resolveResources } from './schema.js'
import { checkOfferable, quotaOfSeller } from './seller.js'
import { getPlanOwner } from './plan-access.js'

/**
 * Creates a plan of `orgId`: its name (unique among the organisation's live plans,
 * case-insensitively), resources (`total` absent is unlimited; a plan with `customers` is a
 * reseller plan) and default servers or server group.
 *
 * The organisation must be able to sell: the master organisation, or a reseller holding an
 * active reseller subscription, which must include every resource offered, unlimited ones only
 * where it has them unlimited, and no total above its own. The actor needs `org.write` there.
 */
export const createPlan = defineOp({
  name: 'plan.create',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      name: PlanName,
      resources: Type.Optional(ResourcesInput),
      serverGroupId: Type.Optional(Type.String({ maxLength: 64 })),
      dedicatedServers: Type.Optional(DedicatedServersInput),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Plan> {
    requirePermission(ctx, 'org.write')
    const name = input.name.trim()
    return ctx.store.write(async (trx) => {
      const org = await getPlanOwner(ctx, trx, input.orgId)
      const quota = await quotaOfSeller(trx, org)
      const resources = await resolveResources(trx, input.resources ?? [])
      if (quota !== null) await checkOfferable(trx, quota, resources, org.name)
      const placement = { ...(input.serverGroupId ? { serverGroupId: input.serverGroupId } : {}), ...(input.dedicatedServers ? { dedicatedServers: input.dedicatedServers } : {}) }
      await checkPlacement(trx, placement)
      const now = nowIso(ctx.clock)
      const values: NewPlan = {
        org_id: org.id,
        name,
        name_key: nameKey(name),
        plan_type: resources.some((r) => r.name === CUSTOMERS) ? 'reseller' : 'hosting',
        ...placementColumns(placement),
        subscriptions_count: 0,
        tombstone: 0,
        created_at: now,
        updated_at: now,
        version: 1,
      }
      const id = await mapUnique(
        () => insertPlan(trx, values),
        () => `${org.name} already has a plan named ${JSON.stringify(name)}`,
      )
      await setPlanResources(trx, id, resources)
      return toPlan({ ...values, id }, resources)
    })
  },
})
