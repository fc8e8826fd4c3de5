import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { defaultHosting } from '../../core/plans.js'
import { insertPlan, nameKey, placementColumns, setPlanResources, toPlan, type NewPlan, type Placement, type Plan } from '../../store/plans.repo.js'
import { CUSTOMERS, DedicatedServersInput, PlanName, ResourcesInput, checkPlacement, resolveResources } from './schema.js'
import { applyHosting, NewHostingFields } from './hosting.js'
import { checkOfferable, quotaOfSeller } from './seller.js'
import { getPlanOwner } from './plan-access.js'

/**
 * Creates a plan of `orgId` (seed 003's `createPlan`): its name (unique among the
 * organisation's live plans, case-insensitively), resources (`total` absent is unlimited; a
 * plan with `customers` is a reseller plan), allowances and selections (Enhance's document
 * requires both; absent is empty here), the other hosting settings (see hosting.ts), its
 * default server group (`defaultServerGroupId`, or the deprecated `serverGroupId`) or default
 * servers, and the catalogue service that provisions its subscriptions.
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
      serverGroupId: Type.Optional(Type.String({ maxLength: 64, description: 'Deprecated by Enhance: the default server group' })),
      dedicatedServers: Type.Optional(DedicatedServersInput),
      ...NewHostingFields,
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
      const { hosting, defaultServerGroupId, provisioningService } = await applyHosting(trx, { hosting: defaultHosting(), defaultServerGroupId: null, provisioningService: null }, input)
      const placement: Placement = {
        ...(defaultServerGroupId ? { serverGroupId: defaultServerGroupId } : {}),
        ...(input.dedicatedServers && Object.keys(input.dedicatedServers).length > 0 ? { dedicatedServers: input.dedicatedServers } : {}),
      }
      await checkPlacement(trx, placement)
      const now = nowIso(ctx.clock)
      const values: NewPlan = {
        org_id: org.id,
        name,
        name_key: nameKey(name),
        plan_type: resources.some((r) => r.name === CUSTOMERS) ? 'reseller' : 'hosting',
        ...placementColumns(placement),
        hosting: JSON.stringify(hosting),
        provisioning_service: provisioningService,
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
