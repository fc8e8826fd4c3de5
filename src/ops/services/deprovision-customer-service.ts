import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { anyUserServiceInFlight, customerServiceBefore, customerServiceSubject, findCustomerService, updateCustomerService } from '../../store/services.repo.js'
import { gateEvent } from '../approvals/gate.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { CatalogName } from '../catalog/schema.js'
import { enqueueProvisioning } from '../provisioning/enqueue-provisioning.js'
import { actsForMaster } from '../access.js'
import { getCustomerForServices, requireSettled } from './service-access.js'
import { lockCustomerService } from './provision-customer-service.js'
import { customerServiceView, type CustomerServiceView } from './view.js'

/**
 * Deprovisions a customer's service (the seed's `<status>NotProvisioned</status>`): the service
 * becomes `Requested` on its way back, a deprovisioning job is queued, and when the driver has
 * done it the service is `NotProvisioned` together with every user service of it (their places
 * under the user limits are given back). Settings are kept for a later provisioning.
 *
 * A service that is already `NotProvisioned` is left alone (`jobGuid` null): deprovisioning is
 * idempotent. A subscribed approval provider holds the job (`Pending`, `approvalPending`) until
 * its approvers decide (ops/approvals/). Refused with `conflict` while the service or one of its user services has a
 * request under way.
 */
export const deprovisionCustomerService = defineOp({
  name: 'customer_service.deprovision',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), service: CatalogName, expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ service: CustomerServiceView; jobGuid: string | null }> {
    return ctx.store.write(async (trx) => {
      const org = await getCustomerForServices(ctx, trx, input.orgId)
      const service = await getServiceRow(ctx, trx, input.service, 'share')
      const row = await lockCustomerService(ctx, trx, org.id, service.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== (row?.version ?? 0)) {
        throw new DomainError('version_mismatch', `${service.name} of ${org.name} was changed since version ${input.expectedVersion}`)
      }
      if (!row || row.status === 'NotProvisioned') {
        return { service: await customerServiceView(trx, org.id, service, row, actsForMaster(ctx)), jobGuid: null }
      }
      await requireSettled(trx, row, `${service.name} of ${org.name}`)
      if (await anyUserServiceInFlight(trx, row.id)) {
        throw new DomainError('conflict', `users of ${org.name} have ${service.name} requests under way; deprovision it when they have finished`)
      }
      const before = customerServiceBefore(row)
      const requestId = await ctx.request!.queue(trx)
      const now = new Date(ctx.clock()).toISOString()
      await updateCustomerService(trx, row.id, { status: 'Requested', desired: 'notprovisioned', request_id: requestId, error: null, version: row.version + 1, updated_at: now })
      const gate = await gateEvent(ctx, trx, {
        org,
        object: 'services',
        action: 'Deprovision',
        labels: [service.name, service.display_name || service.name],
        chainOf: ctx.actor.orgId === org.id ? ctx.actor.userId : null,
        description: `Deprovision Service - ${service.display_name || service.name}`,
        effect: { kind: 'customer-service', id: row.id, before },
      })
      const { jobGuid } = await enqueueProvisioning(ctx, trx, {
        serviceName: service.name,
        subject: customerServiceSubject(row.id),
        action: 'deprovision',
        payload: { customer: { id: org.id, code: org.code, name: org.name } },
        held: gate !== null,
      })
      if (gate) await updateCustomerService(trx, row.id, { status: 'Pending' })
      const fresh = await findCustomerService(trx, org.id, service.id)
      return { service: await customerServiceView(trx, org.id, service, fresh, actsForMaster(ctx)), jobGuid }
    })
  },
})
