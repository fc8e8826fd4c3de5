import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findRequestByGuid, findRequestById, toRequest, type RequestRow } from '../../store/requests.repo.js'
import { seenBy, type SeenRequest } from './seen-by.js'
import type { Db } from '../../store/store.js'

/** Loads a request by guid or integer id that the actor may see (its organisation is in the actor's subtree), or throws `not_found`. */
export async function getRequestInScope(ctx: Ctx, db: Db, ref: string): Promise<RequestRow> {
  let row: RequestRow | undefined
  if (/^\d{1,10}$/.test(ref)) row = await findRequestById(db, Number(ref))
  else if (isUuid(ref)) row = await findRequestByGuid(db, ref.toLowerCase())
  if (!row || !row.scope_path.startsWith(ctx.actor.orgPath)) throw new DomainError('not_found', 'request not found', { resource: 'request' })
  return row
}

/** Answers one request (by guid or id) with its status, log and times; visible to the subtree of the organisation it concerns, its actor as that subtree may see it (seen-by.ts). */
export const getRequest = defineOp({
  name: 'request.get',
  input: Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<SeenRequest & { parentGuid: string | null }> {
    const row = await getRequestInScope(ctx, ctx.store.db, input.ref)
    const parent = row.parent_id === null ? undefined : await findRequestById(ctx.store.db, row.parent_id)
    const [seen] = await seenBy(ctx, [toRequest(row)])
    return { ...seen!, parentGuid: parent?.guid ?? null }
  },
})
