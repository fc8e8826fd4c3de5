import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { getRequestInScope } from './get-request.js'
import { listChildRequestRows, listRecentRequestRows, toRequest } from '../../store/requests.repo.js'
import { subtreeRange } from '../../store/orgs.repo.js'
import { REQUEST_STATUSES } from '../../core/requests.js'
import { seenBy, type SeenRequest } from './seen-by.js'

/**
 * Lists requests the actor may see (those concerning its organisation's subtree, as
 * `getRequestInScope` decides for one). With `parent`, that request's children, oldest first;
 * without, the most recent requests, newest first, optionally only one `status`, one
 * `operation` or those concerning organisation `orgId` and its customers (which must be in the
 * actor's subtree). Never another tenant's.
 */
export const listRequests = defineOp({
  name: 'request.list',
  input: Type.Object(
    {
      parent: Type.Optional(Type.String({ maxLength: 64 })),
      status: Type.Optional(Type.Enum(REQUEST_STATUSES)),
      operation: Type.Optional(Type.String({ maxLength: 100 })),
      orgId: Type.Optional(Type.String({ maxLength: 64 })),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: SeenRequest[] }> {
    const db = ctx.store.db
    const limit = input.limit ?? 100
    const offset = input.offset ?? 0
    if (input.parent !== undefined) {
      const parent = await getRequestInScope(ctx, db, input.parent)
      const rows = await listChildRequestRows(db, parent.id, limit, offset)
      return { items: await seenBy(ctx, rows.filter((r) => r.scope_path.startsWith(ctx.actor.orgPath)).map(toRequest)) }
    }
    const scope = input.orgId !== undefined ? (await getOrgInScope(ctx, db, input.orgId)).path : ctx.actor.orgPath
    const [lo, hi] = subtreeRange(scope)
    const rows = await listRecentRequestRows(db, { lo, hi, status: input.status, operation: input.operation, limit, offset })
    // The range is the scope; the check is kept as getRequestInScope keeps it.
    return { items: await seenBy(ctx, rows.filter((r) => r.scope_path.startsWith(ctx.actor.orgPath)).map(toRequest)) }
  },
})
