import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import type { Db } from '../../store/store.js'
import { hostingFromJson } from '../../core/plans.js'
import { mapUnique, nowIso } from '../../store/store.js'
import {
  nameKey,
  placementColumns,
  placementOf,
  planResources,
  setPlanResources,
  toPlan,
  updatePlan as updatePlanRow,
  type Placement,
  type Plan,
  type PlanResource,
  type PlanRow,
} from '../../store/plans.repo.js'
import { CUSTOMERS, DedicatedServersInput, PlanId, PlanName, ResourcesInput, checkPlacement, resolveResources } from './schema.js'
import { applyHosting, UpdateHostingFields, type HostingChange } from './hosting.js'
import { checkOfferable, quotaOfSeller } from './seller.js'
import { getPlanOwner, getPlanRow } from './plan-access.js'

/** A change to a plan, as `updatePlan` and the plan's part operations (plan-parts.ts) give it. */
export interface PlanChange extends HostingChange {
  name?: string
  resources?: readonly { name: string; total?: number }[]
  dedicatedServers?: Placement['dedicatedServers'] | null
}

/**
 * Changes a plan: its name, its resources (the whole list; a reseller's checked against its
 * reseller subscription as when created), its hosting settings (see hosting.ts), its default
 * server group or servers (`null` clears) and its provisioning service.
 *
 * Subscriptions keep the resources and hosting settings they were given when they subscribed
 * or last had their plan set; a change applies to subscriptions made from then on (and to one
 * whose plan is set again).
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
      ...UpdateHostingFields,
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Plan> {
    requirePermission(ctx, 'org.write')
    const { orgId, planId, expectedVersion, ...change } = input
    return ctx.store.write(async (trx) => {
      const org = await getPlanOwner(ctx, trx, orgId)
      const row = await getPlanRow(trx, org, planId)
      if (expectedVersion !== undefined && expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `plan was changed since version ${expectedVersion}`)
      }
      return changePlan(ctx, trx, org, row, change)
    })
  },
})

/** Applies `change` to the live plan `row` of `org` inside the write transaction `trx`, checked as `updatePlan` says. */
export async function changePlan(ctx: Ctx, trx: Db, org: OrgRow, row: PlanRow, change: PlanChange): Promise<Plan> {
  let resources: PlanResource[] = (await planResources(trx, [row.id])).get(row.id) ?? []
  if (change.resources !== undefined) {
    resources = await resolveResources(trx, change.resources)
    const quota = await quotaOfSeller(trx, org)
    if (quota !== null) await checkOfferable(trx, quota, resources, org.name)
  }
  const old = placementOf(row)
  const settled = await applyHosting(
    trx,
    { hosting: hostingFromJson(row.hosting), defaultServerGroupId: old.serverGroupId ?? null, provisioningService: row.provisioning_service },
    change,
  )
  const placement: Placement = {}
  const servers = change.dedicatedServers !== undefined ? change.dedicatedServers : old.dedicatedServers
  if (settled.defaultServerGroupId) placement.serverGroupId = settled.defaultServerGroupId
  if (servers && Object.keys(servers).length > 0) placement.dedicatedServers = servers
  await checkPlacement(trx, placement)
  const name = change.name?.trim() ?? row.name
  const next: PlanRow = {
    ...row,
    name,
    name_key: nameKey(name),
    plan_type: resources.some((r) => r.name === CUSTOMERS) ? 'reseller' : 'hosting',
    ...placementColumns(placement),
    hosting: JSON.stringify(settled.hosting),
    provisioning_service: settled.provisioningService,
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
  if (change.resources !== undefined) await setPlanResources(trx, row.id, resources)
  return toPlan(next, resources)
}
