import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listPlanRows, toPlan, type UserPlan } from '../../store/catalog.repo.js'
import { getServiceRow } from './catalog-access.js'

/** Lists a service's user plans by name (`not_found` when the service does not exist); any authenticated actor may read them. */
export const listPlans = defineOp({
  name: 'user_plan.list',
  input: Type.Object({ service: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<UserPlan[]> {
    const s = await getServiceRow(ctx, ctx.store.db, input.service)
    return (await listPlanRows(ctx.store.db, s.id)).map(toPlan)
  },
})
