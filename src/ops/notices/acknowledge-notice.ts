import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findNotice, insertNoticeAck } from '../../store/notices.repo.js'
import { nowIso } from '../../store/store.js'
import { ancestorPaths, orgFor } from './notice-access.js'
import { IntId, OrgId } from './schema.js'

/**
 * Sets the acknowledged flag of notice `noticeId` for organisation `orgId` (seed 001's
 * acknowledgeNotice). A notice the organisation does not see is `not_found`; acknowledging
 * twice keeps the first time. Answers when it was acknowledged. Acknowledging is a write on the
 * organisation (every member sees the flag): it needs `org.write`, as the contacts do.
 */
export const acknowledgeNotice = defineOp({
  name: 'notice.acknowledge',
  input: Type.Object({ orgId: OrgId, noticeId: IntId }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ noticeId: number; acknowledged: true }> {
    const org = await orgFor(ctx, ctx.store.db, input.orgId, true)
    const n = await findNotice(ctx.store.db, input.noticeId)
    const visible = n && (n.org_id === null ? ancestorPaths(org.path).includes(n.scope_path) : n.org_id === org.id)
    if (!visible) throw new DomainError('not_found', 'notice not found', { resource: 'notice' })
    await ctx.store.write((trx) => insertNoticeAck(trx, input.noticeId, org.id, nowIso(ctx.clock)))
    return { noticeId: input.noticeId, acknowledged: true }
  },
})
