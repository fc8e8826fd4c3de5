import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listLivePlans, placementServerIds, planResources, serverRefs, serversOf, toPlan, type Plan } from '../../store/plans.repo.js'
import type { Db } from '../../store/store.js'
import { PlanId } from './schema.js'
import { getPlanOwner, getPlanRow, planOf } from './plan-access.js'

/** Answers one live plan of an organisation the actor may see. */
export const getPlan = defineOp({
  name: 'plan.get',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), planId: PlanId }, { additionalProperties: false }),
  async run(ctx, input): Promise<Plan> {
    const org = await getPlanOwner(ctx, ctx.store.db, input.orgId)
    const [plan] = await withServers(ctx.store.db, [await planOf(ctx.store.db, await getPlanRow(ctx.store.db, org, input.planId))])
    return plan!
  },
})

/** The plans with the servers their `dedicatedServers` name (a plan's answer shows each by name and address). */
async function withServers(db: Db, plans: Plan[]): Promise<Plan[]> {
  const refs = await serverRefs(db, plans.flatMap(placementServerIds))
  return plans.map((p) => ({ ...p, servers: serversOf(p, refs) }))
}

/** Lists an organisation's live plans, by name (`sortOrder` asc or desc), one page at a time (`limit` 100 by default). */
export const listPlans = defineOp({
  name: 'plan.list',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      sortBy: Type.Optional(Type.Enum(['name'] as const)),
      sortOrder: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: Plan[]; total: number }> {
    const db = ctx.store.db
    const org = await getPlanOwner(ctx, db, input.orgId)
    const { rows, total } = await listLivePlans(db, org.id, { limit: input.limit ?? 100, offset: input.offset ?? 0, order: input.sortOrder ?? 'asc' })
    const res = await planResources(db, rows.map((r) => r.id))
    return { items: await withServers(db, rows.map((r) => toPlan(r, res.get(r.id) ?? []))), total }
  },
})
