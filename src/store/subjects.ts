/**
 * What a job's progress means for the thing it provisions (its "subject": `customer-service:<id>`,
 * `user-service:<id>`, …). The queue calls `jobEvent` in the same transaction as every step it
 * records, so a subject's provisioning status never disagrees with its job.
 *
 * The handlers of each subject type live with the subjects' tables (listed here, so that every
 * process that runs jobs has them); a subject without a handler (a driver test) only has its
 * job and request.
 */
import type { Db } from './store.js'
import { serviceSubjectHandlers } from './services.repo.js'
import { subscriptionSubjectHandlers } from './subscriptions.repo.js'
import { mailSubjectHandlers } from './mail.repo.js'
import { noticeSubjectHandlers } from './notices.repo.js'
import { siteSubjectHandlers } from './sites.repo.js'
import type { JobEvent, JobEventInfo, JobSubjectHandler } from '../core/jobs.js'

export type SubjectHandler = JobSubjectHandler<Db>
export type { JobEvent, JobEventInfo }

const handlers = new Map<string, SubjectHandler>([...Object.entries(serviceSubjectHandlers), ...Object.entries(subscriptionSubjectHandlers), ...Object.entries(mailSubjectHandlers), ...Object.entries(noticeSubjectHandlers), ...Object.entries(siteSubjectHandlers)])

/** Applies `event` of the job with `payload` (its JSON text) to its subject, in `trx`. */
export async function jobEvent(trx: Db, payloadText: string, requestId: number, event: JobEvent, now: number, error?: string): Promise<void> {
  const p = JSON.parse(payloadText) as { subject?: unknown; action?: unknown }
  if (typeof p.subject !== 'string') return
  const colon = p.subject.indexOf(':')
  if (colon < 0) return
  const handler = handlers.get(p.subject.slice(0, colon))
  if (!handler) return
  await handler(trx, event, {
    id: p.subject.slice(colon + 1),
    requestId,
    action: p.action === 'deprovision' ? 'deprovision' : 'provision',
    now,
    ...(error !== undefined ? { error } : {}),
  })
}
