/**
 * The fan-out of one notice to the contact methods it reaches, run by the worker for a
 * `notice-fanout` job (src/jobs/notices.ts). Not an operation: no actor, the job is its
 * authority. Reads the subscribed contact methods in batches of `NOTICE_FANOUT_BATCH` (by id)
 * and, per batch, in one transaction: writes a `notice_deliveries` row for each (those already
 * written by an earlier attempt are skipped, so a repeated fan-out queues nothing twice), and
 * for each new one
 *
 * * e-mail: a message in the mail outbox (`queueMail`; a `mail` job when SMTP is configured);
 * * webhook: a `notice-webhook` job, which POSTs the notice signed with the method's secret;
 * * SMS: nothing is sent (Clientele has no SMS gateway): the delivery row is written
 *   `undeliverable` with `SMS_UNDELIVERABLE`, a warning naming the methods goes to the request's
 *   log, and the fan-out's result counts them.
 *
 * Every job queued belongs to the fan-out's own request, so the notice's request finishes when
 * the last delivery does.
 */
import type { Deps } from '../context.js'
import {
  NOTICE_FANOUT_BATCH,
  NOTICE_WEBHOOK_JOB_KIND,
  SMS_UNDELIVERABLE,
  type NoticeWebhookPayload,
} from '../../core/notices.js'
import { findNotice, insertDeliveries, listFanoutTargets, listNoticeTypes } from '../../store/notices.repo.js'
import { enqueueJob, noteRequest } from '../../store/jobs.repo.js'
import { queueMail } from '../mail/queue-mail.js'

export interface FanoutResult {
  noticeId: number
  reached: number
  emails: number
  webhooks: number
  smsUndeliverable: number
}

/** Fans notice `noticeId` out under request `requestId`; `signal` stops it between batches. */
export async function fanOutNotice(deps: Deps, noticeId: number, requestId: number, signal: AbortSignal, batch = NOTICE_FANOUT_BATCH): Promise<FanoutResult | undefined> {
  const notice = await findNotice(deps.store.db, noticeId)
  if (!notice) return undefined
  const type = (await listNoticeTypes(deps.store.db)).find((t) => t.id === notice.notice_type_id)?.name ?? 'Notice'
  const result: FanoutResult = { noticeId, reached: 0, emails: 0, webhooks: 0, smsUndeliverable: 0 }
  let after = 0
  for (;;) {
    if (signal.aborted) throw signal.reason
    const targets = await listFanoutTargets(deps.store.db, notice, after, batch)
    if (targets.length === 0) break
    after = targets[targets.length - 1]!.id
    const queued = await deps.store.write(async (trx) => {
      const now = deps.clock()
      const fresh = await insertDeliveries(
        trx,
        noticeId,
        targets.map((t) => ({
          contactMethodId: t.id,
          method: t.method,
          state: t.method === 'sms' ? 'undeliverable' : t.method === 'email' ? 'outbox' : 'queued',
          error: t.method === 'sms' ? SMS_UNDELIVERABLE : null,
        })),
        new Date(now).toISOString(),
      )
      // Counted here and added after the commit: a transaction retried must not count twice.
      const n = { reached: 0, emails: 0, webhooks: 0, smsUndeliverable: 0, jobs: 0 }
      for (const t of targets) {
        if (!fresh.has(t.id)) continue
        n.reached++
        if (t.method === 'sms') n.smsUndeliverable++
        else if (t.method === 'email') {
          const m = await queueMail(trx, deps, { to: t.address, subject: `[${type}] ${notice.subject}`, text: notice.body }, async () => requestId)
          if (m.state === 'queued') n.jobs++
          n.emails++
        } else {
          const payload: NoticeWebhookPayload = { noticeId, contactMethodId: t.id, subject: `notice-delivery:${noticeId}:${t.id}` }
          await enqueueJob(trx, { requestId, kind: NOTICE_WEBHOOK_JOB_KIND, payload: { ...payload }, now })
          n.webhooks++
          n.jobs++
        }
      }
      // One line per batch in the request's log, naming the SMS methods that got nothing.
      const smsIds = targets.filter((t) => t.method === 'sms' && fresh.has(t.id)).map((t) => t.id)
      if (smsIds.length > 0) {
        const shown = smsIds.slice(0, 20).join(', ') + (smsIds.length > 20 ? `, … (${smsIds.length} in all)` : '')
        await noteRequest(trx, requestId, now, 'warn', `notice ${noticeId} to SMS contact method(s) ${shown}: ${SMS_UNDELIVERABLE}`)
      }
      return n
    })
    result.reached += queued.reached
    result.emails += queued.emails
    result.webhooks += queued.webhooks
    result.smsUndeliverable += queued.smsUndeliverable
    if (queued.jobs > 0) deps.jobs?.ring()
    if (targets.length < batch) break
  }
  return result
}
