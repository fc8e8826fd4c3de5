import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findRequestByGuid, findRequestById, toRequest, type Request, type RequestRow } from '../../store/requests.repo.js'
import type { Db } from '../../store/store.js'

/** Loads a request by guid or integer id that the actor may see (its organisation is in the actor's subtree), or throws `not_found`. */
export async function getRequestInScope(ctx: Ctx, db: Db, ref: string): Promise<RequestRow> {
  let row: RequestRow | undefined
  if (/^\d{1,10}$/.test(ref)) row = await findRequestById(db, Number(ref))
  else if (isUuid(ref)) row = await findRequestByGuid(db, ref.toLowerCase())
  if (!row || !row.scope_path.startsWith(ctx.actor.orgPath)) throw new DomainError('not_found', 'request not found')
  return row
}

/** Answers one request (by guid or id) with its status, log and times; visible to the subtree of the organisation it concerns. */
export const getRequest = defineOp({
  name: 'request.get',
  input: Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Request & { parentGuid: string | null }> {
    const row = await getRequestInScope(ctx, ctx.store.db, input.ref)
    const parent = row.parent_id === null ? undefined : await findRequestById(ctx.store.db, row.parent_id)
    return { ...toRequest(row), parentGuid: parent?.guid ?? null }
  },
})
