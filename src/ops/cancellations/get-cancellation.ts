import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import type { Cancellation } from '../../core/cancellations.js'
import { toCancellation } from '../../store/cancellations.repo.js'
import { getCancellationInScope } from './cancellation-access.js'

/**
 * One cancellation request by id. Any user of its customer or of an ancestor may read it
 * (`org.read`); outside the actor's subtree `not_found`, as for an unknown id.
 */
export const getCancellation = defineOp({
  name: 'cancellation.get',
  input: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Cancellation> {
    requirePermission(ctx, 'org.read')
    const { row } = await getCancellationInScope(ctx, ctx.store.db, input.id)
    return toCancellation(row)
  },
})
