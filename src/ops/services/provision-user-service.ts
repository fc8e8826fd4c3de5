import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { catalogKey, listPlanRows, listPropertyRows, type ServiceRow } from '../../store/catalog.repo.js'
import {
  findCustomerService,
  findUserService,
  findUserServiceLocked,
  insertUserService,
  listCustomerServiceInstanceKeys,
  listEnabledCustomerServicePlanIds,
  listUserServicePlanIds,
  releaseCustomerServicePlanPlaces,
  setUserServiceInstances,
  setUserServicePlans,
  takeCustomerServicePlace,
  takeCustomerServicePlanPlace,
  updateUserService,
  userServiceSubject,
  userServiceBefore,
  type CustomerServiceRow,
  type UserServiceRow,
} from '../../store/services.repo.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { CatalogName, requireDistinctNames } from '../catalog/schema.js'
import { enqueueProvisioning } from '../provisioning/enqueue-provisioning.js'
import { actsForMaster } from '../access.js'
import { getUserInOrg } from '../users/get-user.js'
import { getOrgForUserServices, requireSettled } from './service-access.js'
import { userServiceView, type UserServiceView } from './view.js'
import { gateEvent } from '../approvals/gate.js'

const STRICT = { additionalProperties: false } as const

/**
 * Provisions a customer's service to one of its users, or changes the user's plans, instances
 * or properties (the seed's `SET` of a user's `<service>`): the user service becomes
 * `Requested` and a job is queued through the service's driver, as for customer services.
 *
 * The customer must hold the service `Provisioned`. `userPlans` names the user's plans, all of
 * them (several only where the service allows it; when none is named and the customer has
 * exactly one plan enabled, that one); each must be enabled for the customer. The customer
 * service's user limit and each plan's are checked and taken in one conditional UPDATE each,
 * so they hold under any concurrency: past a limit the request is refused with
 * `quota_exceeded` naming the limit, and nothing changes.
 *
 * A subscribed approval provider (`userservices` Provision, ops/approvals/) holds the job: the
 * user service is `Pending` with `approvalPending`, its places taken, until the approvers decide;
 * a refusal gives the places back and puts it back as it was.
 */
export const provisionUserService = defineOp({
  name: 'user_service.provision',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      userId: Type.String({ maxLength: 64 }),
      service: CatalogName,
      userPlans: Type.Optional(Type.Array(CatalogName, { maxItems: 100 })),
      instances: Type.Optional(Type.Array(CatalogName, { maxItems: 1000 })),
      properties: Type.Optional(Type.Array(Type.Object({ name: CatalogName, value: Type.String({ maxLength: 4000 }) }, STRICT), { maxItems: 500 })),
      expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    },
    STRICT,
  ),
  async run(ctx, input): Promise<{ service: UserServiceView; jobGuid: string }> {
    if (input.userPlans) requireDistinctNames(input.userPlans, 'userPlans')
    if (input.instances) requireDistinctNames(input.instances, 'instances')
    requireDistinctNames((input.properties ?? []).map((p) => p.name), 'properties')
    return ctx.store.write(async (trx) => {
      const org = await getOrgForUserServices(ctx, trx, input.orgId)
      const user = await getUserInOrg(ctx, trx, org.id, input.userId)
      const service = await getServiceRow(ctx, trx, input.service, 'share')
      const cs = await findCustomerService(trx, org.id, service.id)
      if (!cs || cs.status !== 'Provisioned' || cs.desired !== 'provisioned') {
        throw new DomainError('failed_precondition', `${service.name} is not provisioned to ${org.name} (status ${cs?.status ?? 'NotProvisioned'})`, { field: 'service' })
      }
      const us = await lockUserService(ctx, trx, user.id, cs.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== (us?.version ?? 0)) {
        throw new DomainError('version_mismatch', `${service.name} of ${user.username} was changed since version ${input.expectedVersion}`)
      }
      await requireSettled(trx, us, `${service.name} of ${user.username}`)
      const before = await userServiceBefore(trx, us)
      const live = us !== undefined && us.status !== 'NotProvisioned'
      const oldPlans = live ? await listUserServicePlanIds(trx, us.id) : []
      const plans = await choosePlans(trx, service, cs, input.userPlans, live ? oldPlans : undefined)
      const instanceIds = input.instances ? await findInstances(trx, service, cs, input.instances) : undefined

      const values = us ? (JSON.parse(us.properties) as Record<string, string>) : {}
      if (input.properties?.length) {
        const defined = new Map((await listPropertyRows(trx, service.id, true)).map((p) => [p.name_key, p]))
        for (const p of input.properties) {
          const d = defined.get(catalogKey(p.name))
          if (!d || (d.hidden === 1 && !actsForMaster(ctx))) throw new DomainError('invalid_argument', `${service.name} has no property ${JSON.stringify(p.name)}`, { field: 'properties' })
          values[d.name_key] = p.value
        }
      }

      // Take a place under the customer's user limit (a new holder only), then under each added plan's.
      if (!(await takeCustomerServicePlace(trx, cs.id, !live))) {
        const now = await findCustomerService(trx, org.id, service.id)
        if (now?.status !== 'Provisioned' || now.desired !== 'provisioned') {
          throw new DomainError('failed_precondition', `${service.name} is not provisioned to ${org.name} (status ${now?.status ?? 'NotProvisioned'})`, { field: 'service' })
        }
        throw new DomainError('quota_exceeded', `${org.name} has reached its user limit of ${now.user_limit} for ${service.name}`, { field: 'service' })
      }
      const old = new Set(oldPlans)
      const next = new Set(plans.map((p) => p.id))
      for (const p of plans) {
        if (old.has(p.id)) continue
        if (!(await takeCustomerServicePlanPlace(trx, cs.id, p.id))) {
          throw new DomainError('quota_exceeded', `${org.name} has reached the user limit of user plan ${p.name} of ${service.name}`, { field: 'userPlans' })
        }
      }
      const dropped = oldPlans.filter((id) => !next.has(id))
      if (dropped.length > 0) await releaseCustomerServicePlanPlaces(trx, cs.id, dropped)

      const requestId = await ctx.request!.queue(trx)
      const now = new Date(ctx.clock()).toISOString()
      const id = us?.id ?? newId()
      if (us) {
        await updateUserService(trx, us.id, {
          status: 'Requested',
          desired: 'provisioned',
          properties: JSON.stringify(values),
          request_id: requestId,
          error: null,
          version: us.version + 1,
          updated_at: now,
        })
      } else {
        await insertUserService(trx, {
          id,
          user_id: user.id,
          customer_service_id: cs.id,
          status: 'Requested',
          desired: 'provisioned',
          properties: JSON.stringify(values),
          request_id: requestId,
          error: null,
          version: 1,
          created_at: now,
          updated_at: now,
          provisioned_at: null,
        })
      }
      await setUserServicePlans(trx, id, plans.map((p) => p.id))
      if (instanceIds) await setUserServiceInstances(trx, id, instanceIds)
      const gate = await gateEvent(ctx, trx, {
        org,
        object: 'userservices',
        action: 'Provision',
        labels: [service.name, service.display_name || service.name],
        chainOf: user.id,
        description: `Provision User Service - ${service.display_name || service.name} for ${personName(user)}`,
        effect: { kind: 'user-service', id, before },
      })
      if (gate) await updateUserService(trx, id, { status: 'Pending' })
      let fresh = (await findUserService(trx, user.id, cs.id))!
      const view = await userServiceView(trx, org.id, user.id, service, fresh, true)
      const { jobGuid } = await enqueueProvisioning(ctx, trx, {
        held: gate !== null,
        serviceName: service.name,
        subject: userServiceSubject(id),
        action: 'provision',
        payload: {
          customer: { id: org.id, code: org.code, name: org.name },
          user: { id: user.id, username: user.username, email: user.email },
          userPlans: view.userPlans.map((p) => p.name),
          instances: view.instances,
          properties: Object.fromEntries(view.properties.map((p) => [p.name, p.value])),
        },
      })
      fresh = (await findUserService(trx, user.id, cs.id))!
      return { service: actsForMaster(ctx) ? await userServiceView(trx, org.id, user.id, service, fresh, true) : await userServiceView(trx, org.id, user.id, service, fresh, false), jobGuid }
    })
  },
})

/** A user's name as approval descriptions give it (`Minnie Mouse`, or the username). */
export function personName(u: { first_name: string; last_name: string; username: string }): string {
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username
}

/** Loads a user's row of a customer service, locking it against concurrent changes on PostgreSQL. */
export async function lockUserService(ctx: Ctx, trx: Db, userId: string, csId: string): Promise<UserServiceRow | undefined> {
  return findUserServiceLocked(trx, ctx.store.dialect, userId, csId)
}

/** The user plans a request gives a user: named, kept, or the customer's only enabled one. */
async function choosePlans(trx: Db, service: ServiceRow, cs: CustomerServiceRow, named: readonly string[] | undefined, current: readonly string[] | undefined) {
  const all = await listPlanRows(trx, service.id)
  const enabled = new Set(await listEnabledCustomerServicePlanIds(trx, cs.id))
  let chosen
  if (named !== undefined) {
    const byKey = new Map(all.map((p) => [p.name_key, p]))
    chosen = named.map((n) => {
      const p = byKey.get(catalogKey(n))
      if (!p) throw new DomainError('invalid_argument', `${service.name} has no user plan ${JSON.stringify(n)}`, { field: 'userPlans' })
      if (!enabled.has(p.id)) throw new DomainError('failed_precondition', `user plan ${p.name} of ${service.name} is not enabled for this customer`, { field: 'userPlans' })
      return p
    })
  } else if (current !== undefined) {
    return all.filter((p) => current.includes(p.id))
  } else {
    const usable = all.filter((p) => enabled.has(p.id))
    if (usable.length > 1) throw new DomainError('invalid_argument', `name the user plan: ${service.name} has ${usable.map((p) => p.name).join(', ')}`, { field: 'userPlans' })
    chosen = usable
  }
  if (chosen.length > 1 && service.multiple_user_plans !== 1) {
    throw new DomainError('invalid_argument', `${service.name} gives a user one user plan at a time`, { field: 'userPlans' })
  }
  if (chosen.length === 0 && all.length > 0) throw new DomainError('invalid_argument', `name a user plan of ${service.name}`, { field: 'userPlans' })
  return chosen
}

async function findInstances(trx: Db, service: ServiceRow, cs: CustomerServiceRow, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return []
  const rows = await listCustomerServiceInstanceKeys(trx, cs.id)
  const byKey = new Map(rows.map((r) => [r.name_key, r.id]))
  return names.map((n) => {
    const id = byKey.get(catalogKey(n))
    if (!id) throw new DomainError('not_found', `${service.name} of this customer has no instance ${JSON.stringify(n)}`, { field: 'instances' })
    return id
  })
}
