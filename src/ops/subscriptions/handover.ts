/**
 * Hands a subscription to its plan's provisioning service: a plan that names a catalogue
 * service (`provisioningService`) has each of its subscriptions provisioned through that
 * service's driver when it is made, changed and deleted, so that the hosting platform behind
 * the driver can create the account and enforce what the plan gives (resources, PHP versions,
 * cgroup and file-system limits, redis, allowances, selections, servers).
 *
 * The job is queued in the change's own transaction (it exists exactly when the change does);
 * its payload is the whole desired state, so a driver needs no second read and a retry
 * delivers the same thing. The subscription's `provisioningStatus` follows the job
 * (`Requested`, `InProgress`, `Provisioned` or `Failed`; `NotProvisioned` after a deprovision).
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError, isDomainError } from '../../core/errors.js'
import { planProvisioningService } from '../../store/plans.repo.js'
import { findSubscription, markHandedOver, toSubscriptions } from '../../store/subscriptions.repo.js'
import { enqueueProvisioning } from '../provisioning/enqueue-provisioning.js'

export type HandoverEvent = 'created' | 'changed' | 'deleted'

/**
 * Queues the hand-over of subscription `sub.id` (as it now stands in `trx`) when its plan
 * (`sub.planId`) names a provisioning service; `service`, when the caller has the plan's row,
 * saves reading it. Call it before the rows every sale shares are updated (the plan's count, the
 * organisation's, the reseller's quota), so that those are held no longer than before.
 */
export async function handOver(ctx: Ctx, trx: Db, sub: { id: number; planId: number; service?: string | null }, event: HandoverEvent): Promise<void> {
  const service = sub.service !== undefined ? sub.service : await planProvisioningService(trx, sub.planId)
  if (service === null) return
  const id = sub.id
  const row = await findSubscription(trx, id)
  if (!row) return
  const [view] = await toSubscriptions(trx, [row])
  const { provisioningStatus: _s, provisioningRequestId: _r, ...state } = view!
  try {
    const { requestId } = await enqueueProvisioning(ctx, trx, {
      serviceName: service,
      subject: `subscription:${id}`,
      action: event === 'deleted' ? 'deprovision' : 'provision',
      payload: { event, subscription: state },
    })
    await markHandedOver(trx, id, requestId)
  } catch (e) {
    if (isDomainError(e) && e.code === 'not_found') {
      throw new DomainError('failed_precondition', `the plan's provisioning service ${JSON.stringify(service)} is no longer in the catalogue; set the plan's provisioningService again`, { field: 'planId' })
    }
    throw e
  }
}
