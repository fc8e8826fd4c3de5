import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deletePlanRow, findPlan } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { catalogEntryUse, forgetCatalogEntry } from '../../store/services.repo.js'

/**
 * Removes a user plan from a service (`not_found` when there is none). Refused
 * (`failed_precondition`) while a customer holding the service has the plan enabled or a user
 * holds it.
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
      // 'update': waits for provisionings of the service (they hold it 'share') to commit.
      const s = await getServiceRow(ctx, trx, input.service, 'update')
      const p = await findPlan(trx, s.id, input.plan)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no user plan ${JSON.stringify(input.plan)}`, { resource: 'userplan' })
      const used = await catalogEntryUse(trx, { kind: 'plan', id: p.id })
      if (used > 0) throw new DomainError('failed_precondition', `user plan ${p.name} is in use by ${used} customer${used === 1 ? '' : 's'} of ${s.name}; disable it first`)
      await forgetCatalogEntry(trx, { kind: 'plan', id: p.id })
      await deletePlanRow(trx, p.id)
    })
  },
})
