import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { tombstonePlan } from '../../store/plans.repo.js'
import { PlanId } from './schema.js'
import { getPlanOwner, getPlanRow } from './plan-access.js'

/**
 * Deletes a plan (soft: its name is free again; subscriptions that named it keep its id).
 * A plan with live (not deleted) subscriptions is refused with `failed_precondition`: the
 * check is the UPDATE's own condition on the plan's count of them, so a subscription made at
 * the same moment either lands first (and the delete is refused) or finds the plan gone.
 */
export const deletePlan = defineOp({
  name: 'plan.delete',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), planId: PlanId, expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    await ctx.store.write(async (trx) => {
      const org = await getPlanOwner(ctx, trx, input.orgId)
      const row = await getPlanRow(trx, org, input.planId)
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `plan was changed since version ${input.expectedVersion}`)
      }
      if (!(await tombstonePlan(trx, row.id, nowIso(ctx.clock)))) {
        const now = await getPlanRow(trx, org, input.planId)
        throw new DomainError('failed_precondition', `plan ${now.name} has ${now.subscriptions_count} live subscription(s); delete them first`)
      }
    })
  },
})
