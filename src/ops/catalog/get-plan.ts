import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findPlan, toPlan, type UserPlan } from '../../store/catalog.repo.js'
import { getServiceRow } from './catalog-access.js'

/** Answers one user plan of a service by name, case-insensitively (`not_found` otherwise); any authenticated actor may read it. */
export const getPlan = defineOp({
  name: 'user_plan.get',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), plan: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<UserPlan> {
    const s = await getServiceRow(ctx, ctx.store.db, input.service)
    const p = await findPlan(ctx.store.db, s.id, input.plan)
    if (!p) throw new DomainError('not_found', `service ${s.name} has no user plan ${JSON.stringify(input.plan)}`, { resource: 'userplan' })
    return toPlan(p)
  },
})
