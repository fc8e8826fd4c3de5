import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deletePlanRow, findPlan } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'

/**
 * Removes a user plan from a service (`not_found` when there is none).
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise).
 */
export const deletePlan = defineOp({
  name: 'user_plan.delete',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), plan: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    await ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const p = await findPlan(trx, s.id, input.plan)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no user plan ${JSON.stringify(input.plan)}`)
      await deletePlanRow(trx, p.id)
    })
  },
})
