import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, fromUserLimit, insertPlan, toPlan, type UserPlan } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, PlanFields, userLimitOf } from './schema.js'

/**
 * Adds a user plan to a service (`not_found` when the service does not exist); its user limit
 * is `Unlimited` unless given.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Plan names are unique within the service, case-insensitively (`already_exists`).
 */
export const createPlan = defineOp({
  name: 'user_plan.create',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), name: CatalogName, ...PlanFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<UserPlan> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const now = nowIso(ctx.clock)
      const row = {
        id: newId(),
        service_id: s.id,
        name: input.name,
        name_key: catalogKey(input.name),
        fullname: input.fullname ?? '',
        user_limit: fromUserLimit(userLimitOf(input.userlimit ?? 'Unlimited')),
        created_at: now,
        updated_at: now,
      }
      await mapUnique(
        () => insertPlan(trx, row),
        () => `service ${s.name} already has a user plan named ${JSON.stringify(input.name)}`,
      )
      return toPlan(row)
    })
  },
})
