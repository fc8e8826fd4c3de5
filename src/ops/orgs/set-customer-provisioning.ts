import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { parseProvisioningStatus } from '../../core/provisioning.js'
import { findOrgById, toOrganization, updateOrgRow, type Organization } from '../../store/orgs.repo.js'
import { anyUserServiceInFlight, customerServiceSubject, updateCustomerService, updateUserService, userServiceSubject } from '../../store/services.repo.js'
import { listHeldCustomerServicesLocked, listHeldUserServicesLocked } from '../../store/customer-provisioning.repo.js'
import { enqueueProvisioning } from '../provisioning/enqueue-provisioning.js'
import { getCustomerForServices, requireSettled } from '../services/service-access.js'
import { nowIso } from '../../store/store.js'

/** What a customer's provisioning change did: the customer as it now is, and the jobs its request carries. */
export interface CustomerProvisioningResult {
  org: Organization
  /** The request recorded for the call (`GET /jobs/{requestGuid}`). */
  requestGuid: string
  /** One job a service deprovisioned (user services first, then customer services); empty when there was none. */
  jobGuids: string[]
}

/**
 * Sets a customer's provisioning status (seed 004's `<customer><status>…</status></customer>`),
 * as one request.
 *
 * `NotProvisioned` deprovisions every service the customer holds: each user service that is not
 * `NotProvisioned` and then each customer service gets a deprovisioning job of this one request
 * (through the same drivers and job handling as `user_service.deprovision` and
 * `customer_service.deprovision`), and the customer's status is `NotProvisioned` at once, while
 * its services show their own progress. `Provisioned` marks the customer `Provisioned` again
 * and provisions nothing: services are provisioned again one by one. `status` is read
 * case-insensitively (`Notprovisioned` too); any other value is `invalid_argument` on `status`
 * (seed 004's 17). Only the customer's provider may (as for its services); refused with
 * `conflict`, changing nothing, while any of its services or user services has a request under
 * way.
 */
export const setCustomerProvisioning = defineOp({
  name: 'customer.set_provisioning',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), status: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<CustomerProvisioningResult> {
    const status = parseProvisioningStatus(input.status)
    if (status !== 'Provisioned' && status !== 'NotProvisioned') {
      throw new DomainError('invalid_argument', `a customer's status is Provisioned or NotProvisioned, not ${JSON.stringify(input.status.slice(0, 64))}`, { field: 'status' })
    }
    return ctx.store.write(async (trx) => {
      const org = await getCustomerForServices(ctx, trx, input.orgId)
      const jobGuids: string[] = []
      if (status === 'NotProvisioned') {
        const held = await listHeldCustomerServicesLocked(trx, ctx.store.dialect, org.id)
        const users = []
        for (const cs of held) {
          await requireSettled(trx, cs, `${cs.service_name} of ${org.name}`)
          if (await anyUserServiceInFlight(trx, cs.id)) {
            throw new DomainError('conflict', `users of ${org.name} have ${cs.service_name} requests under way; deprovision the customer when they have finished`)
          }
          users.push(...(await listHeldUserServicesLocked(trx, ctx.store.dialect, cs.id)).map((us) => ({ us, cs })))
        }
        const at = nowIso(ctx.clock)
        const customer = { id: org.id, code: org.code, name: org.name }
        for (const { us, cs } of users) {
          const requestId = await ctx.request!.queue(trx)
          await updateUserService(trx, us.id, { status: 'Requested', desired: 'notprovisioned', request_id: requestId, error: null, version: us.version + 1, updated_at: at })
          const { jobGuid } = await enqueueProvisioning(ctx, trx, {
            serviceName: cs.service_name,
            subject: userServiceSubject(us.id),
            action: 'deprovision',
            payload: { customer, user: { id: us.user_id, username: us.username, email: us.user_email } },
          })
          jobGuids.push(jobGuid)
        }
        for (const cs of held) {
          const requestId = await ctx.request!.queue(trx)
          await updateCustomerService(trx, cs.id, { status: 'Requested', desired: 'notprovisioned', request_id: requestId, error: null, version: cs.version + 1, updated_at: at })
          const { jobGuid } = await enqueueProvisioning(ctx, trx, { serviceName: cs.service_name, subject: customerServiceSubject(cs.id), action: 'deprovision', payload: { customer } })
          jobGuids.push(jobGuid)
        }
      }
      const updated = await updateOrgRow(trx, org.number, org.version, { provisioning_status: status, updated_at: nowIso(ctx.clock), version: org.version + 1 })
      if (!updated) throw new DomainError('conflict', `${org.name} was changed meanwhile; try again`)
      return { org: toOrganization((await findOrgById(trx, org.id))!), requestGuid: ctx.request!.guid, jobGuids }
    })
  },
})
