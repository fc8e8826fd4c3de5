/**
 * Writes a message to the mail outbox inside the caller's write transaction, so that it exists
 * exactly when the change that sends it does. Every operation that sends mail goes through
 * here (password recovery, the login PIN; the notices of issue 13 are meant to as well).
 */
import type { Deps } from '../context.js'
import type { Db } from '../../store/store.js'
import { newId } from '../../core/ids.js'
import { MAIL_JOB_KIND, mailBodyAad, type MailState, type OutgoingMail } from '../../core/mail.js'
import { insertMail } from '../../store/mail.repo.js'
import { enqueueJob } from '../../store/jobs.repo.js'

/**
 * Queues `mail` in `trx`. The body is sealed under the server's key (it may carry a recovery
 * link or a PIN); recipient and subject stay readable for the outbox listing, so never put a
 * secret in a subject. With an SMTP transport configured (`deps.mail.smtpUrl`) a `mail` job is
 * queued for it under the request `requestId()` answers (called only then: a defineOp passes
 * `() => ctx.request!.queue(trx)`), and the caller rings `deps.jobs` after the commit; without
 * one the message is `held` and no job is made. Answers the message's id and state.
 */
export async function queueMail(trx: Db, deps: Deps, mail: OutgoingMail, requestId: () => Promise<number>): Promise<{ id: number; state: MailState }> {
  const guid = newId()
  const now = deps.clock()
  const state: MailState = deps.mail?.smtpUrl ? 'queued' : 'held'
  const reqId = state === 'queued' ? await requestId() : null
  const id = await insertMail(trx, {
    guid,
    recipient: mail.to,
    subject: mail.subject,
    sealedBody: deps.secrets.seal(mail.text, mailBodyAad(guid)),
    state,
    requestId: reqId,
    createdAt: new Date(now).toISOString(),
  })
  if (reqId !== null) await enqueueJob(trx, { requestId: reqId, kind: MAIL_JOB_KIND, payload: { subject: `mail:${id}` }, now })
  return { id, state }
}
