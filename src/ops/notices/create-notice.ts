import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { NOTICE_FANOUT_JOB_KIND, type CustomerNotice, type NoticeFanoutPayload } from '../../core/notices.js'
import { actsForMaster, getOrgInScope, requirePermission } from '../access.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { insertNotice, listNoticeTypes } from '../../store/notices.repo.js'
import { enqueueJob } from '../../store/jobs.repo.js'
import { nowIso } from '../../store/store.js'
import { toNotice } from './notice-access.js'
import { IntId, OrgId } from './schema.js'

/**
 * Writes a notice. `orgId` names the one customer it concerns (in the actor's subtree); without
 * it the notice is subtree-wide ("global"): the master organisation's reaches every
 * organisation, a reseller's its own subtree only. Only the master organisation or a reseller,
 * with `org.write`, may write notices (`forbidden`).
 *
 * In the same transaction one `notice-fanout` job is queued under the request: the worker reads
 * the subscribed contact methods the notice reaches in batches and queues their deliveries
 * (src/jobs/notices.ts), so a notice to every customer is never one giant transaction.
 */
export const createNotice = defineOp({
  name: 'notice.create',
  input: Type.Object(
    {
      orgId: Type.Optional(OrgId),
      noticeTypeId: IntId,
      subject: Type.String({ minLength: 1, maxLength: 200 }),
      body: Type.String({ maxLength: 20000 }),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<CustomerNotice> {
    requirePermission(ctx, 'org.write')
    const subject = input.subject.trim()
    if (subject === '') throw new DomainError('invalid_argument', 'subject must not be blank', { field: 'subject' })
    const types = new Map((await listNoticeTypes(ctx.store.db)).map((t) => [t.id, t.code]))
    if (!types.has(input.noticeTypeId)) {
      throw new DomainError('invalid_argument', `noticeTypeId ${input.noticeTypeId} is not a notice type (see GET /contact-notice-types)`, { field: 'noticeTypeId' })
    }
    const author = await findOrgById(ctx.store.db, ctx.actor.orgId)
    if (!author || !(actsForMaster(ctx) || author.is_reseller)) throw new DomainError('forbidden', 'only the master organisation or a reseller may write notices')
    const target = input.orgId !== undefined ? await getOrgInScope(ctx, ctx.store.db, input.orgId) : undefined
    const now = nowIso(ctx.clock)
    const row = {
      org_id: target?.id ?? null,
      scope_path: target?.path ?? ctx.actor.orgPath,
      author_org_id: ctx.actor.orgId,
      notice_type_id: input.noticeTypeId,
      subject,
      body: input.body,
      created_at: now,
      updated_at: now,
    }
    const id = await ctx.store.write(async (trx) => {
      const id = await insertNotice(trx, row)
      const requestId = await ctx.request!.queue(trx)
      const payload: NoticeFanoutPayload = { noticeId: id }
      await enqueueJob(trx, { requestId, kind: NOTICE_FANOUT_JOB_KIND, payload: { ...payload }, now: ctx.clock() })
      return id
    })
    return toNotice({ ...row, id, acknowledged_at: null }, types)
  },
})
