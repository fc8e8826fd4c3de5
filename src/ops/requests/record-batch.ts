import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'

/**
 * Records a request that groups the requests of one call doing several things (seed 004's SET
 * of several entities): it changes nothing itself; the call's operations then run with it as
 * their parent (`ExecParams.parentGuid`), so `GET /jobs?parent=…` lists them. The request
 * concerns the actor's own organisation. Answers its guid (also set on `ctx.exec.guid`).
 */
export const recordBatch = defineOp({
  name: 'request.batch',
  input: Type.Object({ source: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  async run(ctx): Promise<{ guid: string }> {
    await getOrgInScope(ctx, ctx.store.db, ctx.actor.orgId)
    return { guid: ctx.request!.guid }
  },
})
