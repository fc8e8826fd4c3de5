import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { enqueueJob } from '../../store/jobs.repo.js'
import { PROVISIONING_KIND, type ProvisioningPayload } from '../../jobs/provisioning.js'

export interface ProvisioningInput {
  serviceName: string
  /** What is provisioned (`customer:<id>`, `user:<id>`, …). */
  subject: string
  action: 'provision' | 'deprovision'
  /** Sent to the driver as is; never a secret. */
  payload: Record<string, unknown>
  /** Held for approval (ops/approvals/gate.ts): no worker runs it until the approval releases it. */
  held?: boolean
}

/**
 * Queues a provisioning job for the current request, through the service's driver, inside the
 * operation's write transaction `trx`: the request is written as `queued` and the job exists
 * exactly when the change that asked for it does. Call it from a mutating operation (it needs
 * `ctx.request`); the request's `maxduration` becomes the job's deadline. The workers of this
 * process are woken once the transaction has committed (see record-request.ts).
 *
 * Throws `not_found` for an unknown service.
 */
export async function enqueueProvisioning(ctx: Ctx, trx: Db, input: ProvisioningInput): Promise<{ jobGuid: string; requestGuid: string; requestId: number }> {
  const rec = ctx.request
  if (!rec) throw new DomainError('internal', 'enqueueProvisioning needs the request of a mutating operation')
  const service = await getServiceRow(ctx, trx, input.serviceName, 'share')
  const requestId = await rec.queue(trx)
  const payload: ProvisioningPayload = {
    serviceId: service.id,
    service: service.name,
    driver: service.driver,
    requestGuid: rec.guid,
    action: input.action,
    subject: input.subject,
    payload: input.payload,
  }
  const maxMs = ctx.exec?.maxDurationMs
  const now = ctx.clock()
  const job = await enqueueJob(trx, { requestId, kind: PROVISIONING_KIND, payload: payload as unknown as Record<string, unknown>, now, held: input.held === true, ...(maxMs !== undefined ? { deadlineAt: now + maxMs } : {}) })
  // The request's recorder rings this process's workers once the transaction has committed.
  return { jobGuid: job.guid, requestGuid: rec.guid, requestId }
}
