import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getRequestInScope } from './get-request.js'
import { listChildRequestRows, toRequest } from '../../store/requests.repo.js'
import { seenBy, type SeenRequest } from './seen-by.js'

/** Lists the children of a request (by guid or id), oldest first; only those the actor may see. */
export const listRequests = defineOp({
  name: 'request.list',
  input: Type.Object(
    {
      parent: Type.String({ maxLength: 64 }),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: SeenRequest[] }> {
    const parent = await getRequestInScope(ctx, ctx.store.db, input.parent)
    const rows = await listChildRequestRows(ctx.store.db, parent.id, input.limit ?? 100, input.offset ?? 0)
    return { items: await seenBy(ctx, rows.filter((r) => r.scope_path.startsWith(ctx.actor.orgPath)).map(toRequest)) }
  },
})
