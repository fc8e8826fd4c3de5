import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findCustomerService, findUserService, updateUserService, userServiceBefore, userServiceSubject } from '../../store/services.repo.js'
import { gateEvent } from '../approvals/gate.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { CatalogName } from '../catalog/schema.js'
import { enqueueProvisioning } from '../provisioning/enqueue-provisioning.js'
import { actsForMaster } from '../access.js'
import { getUserInOrg } from '../users/get-user.js'
import { getOrgForUserServices, requireSettled } from './service-access.js'
import { lockUserService, personName } from './provision-user-service.js'
import { userServiceView, type UserServiceView } from './view.js'

/**
 * Deprovisions a user's service: `Requested` on its way back, a deprovisioning job queued, and
 * `NotProvisioned` once the driver has done it — then, and not before, the user's place under
 * the customer's user limits is free again. Already `NotProvisioned`: left alone (`jobGuid`
 * null). A subscribed approval provider holds the job until its approvers decide
 * (ops/approvals/). Refused with `conflict` while a request of the user service is under way.
 */
export const deprovisionUserService = defineOp({
  name: 'user_service.deprovision',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      userId: Type.String({ maxLength: 64 }),
      service: CatalogName,
      expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ service: UserServiceView; jobGuid: string | null }> {
    return ctx.store.write(async (trx) => {
      const org = await getOrgForUserServices(ctx, trx, input.orgId)
      const user = await getUserInOrg(ctx, trx, org.id, input.userId)
      const service = await getServiceRow(ctx, trx, input.service, 'share')
      const cs = await findCustomerService(trx, org.id, service.id)
      const us = cs ? await lockUserService(ctx, trx, user.id, cs.id) : undefined
      if (input.expectedVersion !== undefined && input.expectedVersion !== (us?.version ?? 0)) {
        throw new DomainError('version_mismatch', `${service.name} of ${user.username} was changed since version ${input.expectedVersion}`)
      }
      if (!cs || !us || us.status === 'NotProvisioned') {
        return { service: await userServiceView(trx, org.id, user.id, service, us, actsForMaster(ctx)), jobGuid: null }
      }
      await requireSettled(trx, us, `${service.name} of ${user.username}`)
      const before = await userServiceBefore(trx, us)
      const requestId = await ctx.request!.queue(trx)
      await updateUserService(trx, us.id, {
        status: 'Requested',
        desired: 'notprovisioned',
        request_id: requestId,
        error: null,
        version: us.version + 1,
        updated_at: new Date(ctx.clock()).toISOString(),
      })
      const gate = await gateEvent(ctx, trx, {
        org,
        object: 'userservices',
        action: 'Deprovision',
        labels: [service.name, service.display_name || service.name],
        chainOf: user.id,
        description: `Deprovision User Service - ${service.display_name || service.name} for ${personName(user)}`,
        effect: { kind: 'user-service', id: us.id, before },
      })
      if (gate) await updateUserService(trx, us.id, { status: 'Pending' })
      const { jobGuid } = await enqueueProvisioning(ctx, trx, {
        held: gate !== null,
        serviceName: service.name,
        subject: userServiceSubject(us.id),
        action: 'deprovision',
        payload: { customer: { id: org.id, code: org.code, name: org.name }, user: { id: user.id, username: user.username, email: user.email } },
      })
      const fresh = await findUserService(trx, user.id, cs.id)
      return { service: await userServiceView(trx, org.id, user.id, service, fresh, actsForMaster(ctx)), jobGuid }
    })
  },
})
