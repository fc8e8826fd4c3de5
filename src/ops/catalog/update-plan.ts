import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, findPlan, fromUserLimit, toPlan, updatePlanRow, type UserPlan, type PlanPatch } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, PlanFields, userLimitOf } from './schema.js'

/**
 * Changes a user plan's fields, its name included; fields left out keep their values.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Names stay unique within the service (`already_exists`).
 */
export const updatePlan = defineOp({
  name: 'user_plan.update',
  input: Type.Object(
    { service: Type.String({ maxLength: 200 }), plan: Type.String({ maxLength: 200 }), name: Type.Optional(CatalogName), ...PlanFields },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<UserPlan> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const p = await findPlan(trx, s.id, input.plan)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no user plan ${JSON.stringify(input.plan)}`, { resource: 'userplan' })
      const set: PlanPatch = {}
      if (input.name !== undefined) {
        set.name = input.name
        set.name_key = catalogKey(input.name)
      }
      if (input.fullname !== undefined) set.fullname = input.fullname
      if (input.userlimit !== undefined) set.user_limit = fromUserLimit(userLimitOf(input.userlimit))
      if (Object.keys(set).length > 0) set.updated_at = nowIso(ctx.clock)
      await mapUnique(
        () => updatePlanRow(trx, p.id, set),
        () => `service ${s.name} already has a user plan named ${JSON.stringify(input.name)}`,
      )
      return toPlan({ ...p, ...set } as typeof p)
    })
  },
})
