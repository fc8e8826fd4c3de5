import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import type { Cancellation } from '../../core/cancellations.js'
import { listCancellations as listRows, toCancellation } from '../../store/cancellations.repo.js'

/**
 * The cancellation requests of customer `orgId`, newest first (every status; at most `limit`,
 * 100 by default). Needs `org.read` on the customer (own or an ancestor's); outside the
 * actor's subtree `not_found`.
 */
export const listCancellations = defineOp({
  name: 'cancellation.list',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Cancellation[]> {
    requirePermission(ctx, 'org.read')
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    return (await listRows(ctx.store.db, org.id, input.limit ?? 100)).map(toCancellation)
  },
})
