/**
 * The notice jobs (issue 13; see ops/notices/README.md):
 *
 * * `notice-fanout`: one per notice, queued with it; reads the subscribed contact methods it
 *   reaches in batches and queues their deliveries (`ops/notices/fan-out.ts`). Its result counts
 *   them, SMS ones as undeliverable (no gateway exists).
 * * `notice-webhook`: POSTs the notice as JSON to one webhook contact method, signed with the
 *   method's secret exactly as the provisioning webhook is (signing.ts), `Idempotency-Key` the
 *   job's guid. 2xx delivers; 408, 429, 5xx, timeouts and connection errors are retried by the
 *   queue with its backoff; any other answer (redirects included) fails without retry.
 */
import type { Deps } from '../ops/context.js'
import type { JobRow } from '../store/jobs.repo.js'
import type { DriverOutcome } from './drivers/index.js'
import { NOTICE_FANOUT_JOB_KIND, NOTICE_WEBHOOK_JOB_KIND, webhookSecretAad, type NoticeFanoutPayload, type NoticeWebhookPayload } from '../core/notices.js'
import { fanOutNotice } from '../ops/notices/fan-out.js'
import { findMethodLink, findNotice, listNoticeTypes } from '../store/notices.repo.js'
import { deliverSigned } from './signing.js'
import { DEFAULT_WEBHOOK_TIMEOUT_MS, MAX_ANSWER_BYTES } from './drivers/webhook.js'

/** True for the job kinds this module runs. */
export function isNoticeJob(kind: string): boolean {
  return kind === NOTICE_FANOUT_JOB_KIND || kind === NOTICE_WEBHOOK_JOB_KIND
}

/** Runs a notice job; its outcome is a driver's, so retries, leases and the request's log are the queue's. */
export async function runNoticeJob(deps: Deps, job: JobRow, signal: AbortSignal): Promise<DriverOutcome> {
  if (job.kind === NOTICE_FANOUT_JOB_KIND) {
    const p = JSON.parse(job.payload) as NoticeFanoutPayload
    const r = await fanOutNotice(deps, p.noticeId, job.request_id, signal)
    if (!r) return { ok: false, retryable: false, error: `notice ${p.noticeId} no longer exists` }
    return { ok: true, result: r.smsUndeliverable > 0 ? { ...r, note: `${r.smsUndeliverable} SMS contact method(s) undeliverable: Clientele has no SMS gateway` } : r }
  }
  const p = JSON.parse(job.payload) as NoticeWebhookPayload
  const [notice, link] = await Promise.all([findNotice(deps.store.db, p.noticeId), findMethodLink(deps.store.db, p.contactMethodId)])
  if (!notice) return { ok: false, retryable: false, error: `notice ${p.noticeId} no longer exists` }
  if (!link || link.method !== 'webhook' || !link.secret) return { ok: false, retryable: false, error: `webhook contact method ${p.contactMethodId} no longer exists` }
  let secret: string
  try {
    secret = String(deps.secrets.open(link.secret, webhookSecretAad(link.id)))
  } catch (e) {
    return { ok: false, retryable: false, error: `the webhook's secret: ${(e as Error).message}` }
  }
  const type = (await listNoticeTypes(deps.store.db)).find((t) => t.id === notice.notice_type_id)
  const body = JSON.stringify({
    event: 'notice',
    deliveryId: job.guid,
    contactMethodId: link.id,
    contactId: link.contact_id,
    orgId: link.org_id,
    notice: {
      id: notice.id,
      orgId: notice.org_id,
      global: notice.org_id === null,
      authorOrgId: notice.author_org_id,
      noticeTypeId: notice.notice_type_id,
      noticeType: type?.code ?? null,
      subject: notice.subject,
      body: notice.body,
      createdAt: notice.created_at,
      updatedAt: notice.updated_at,
    },
  })
  const res = await deliverSigned(link.address, secret, body, deps.clock(), job.guid, signal, DEFAULT_WEBHOOK_TIMEOUT_MS, MAX_ANSWER_BYTES)
  if (!res.ok) {
    if (res.why === 'timeout') return { ok: false, retryable: true, error: `notice webhook timed out after ${DEFAULT_WEBHOOK_TIMEOUT_MS} ms` }
    if (res.why !== 'large') return { ok: false, retryable: true, error: `notice webhook unreachable: ${res.detail}` }
  }
  if (res.status >= 200 && res.status < 300) return { ok: true, result: { delivered: true, status: res.status } }
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429
  return { ok: false, retryable, error: `notice webhook answered ${res.status}` }
}
