import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { catalogKey, findLocationByName, fromUserLimit, listPackageRows, listPlanRows, listPropertyRows, type ServiceRow } from '../../store/catalog.repo.js'
import {
  customerServiceSubject,
  deleteCustomerServiceInstance,
  findCustomerService,
  findCustomerServiceInstance,
  findCustomerServiceLocked,
  insertCustomerService,
  insertCustomerServiceInstance,
  isInstanceGiven,
  isServiceOfferedAt,
  listCustomerServicePlanRows,
  updateCustomerService,
  updateCustomerServiceInstance,
  upsertCustomerServicePackage,
  upsertCustomerServicePlan,
  customerServiceBefore,
  type CustomerServiceRow,
} from '../../store/services.repo.js'
import { gateEvent } from '../approvals/gate.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { rowLock } from '../../store/cloud.repo.js'
import { CatalogName, requireDistinctNames, UserLimitInput, userLimitOf } from '../catalog/schema.js'
import { enqueueProvisioning } from '../provisioning/enqueue-provisioning.js'
import { actsForMaster } from '../access.js'
import { getCustomerForServices, requireSettled } from './service-access.js'
import { customerServiceView, type CustomerServiceView } from './view.js'

const STRICT = { additionalProperties: false } as const

/**
 * Provisions a catalogue service to a customer, or changes the settings of one it holds (the
 * seed's `SET` of a customer's `<service>`): the service becomes `Requested`, a provisioning
 * job carrying the whole desired state is queued through the service's driver, and the job's
 * progress moves the status on (`InProgress`, then `Provisioned` or `Failed`; `Pending` while a
 * retry waits). Answers the service as it now stands and the job's guid.
 *
 * Settings are merged, as the seed's SET is: packages and user plans named get the `enabled`
 * given, instances named are added or changed, `removeInstances` removes them, and properties
 * named get their value; whatever is not named is left as it was. On the first provisioning,
 * if no user plan is named every plan of the service is enabled (the catalogue's user limits
 * become the customer's); packages are enabled only when named. `userLimit` (a number or
 * `Unlimited`, default `Unlimited`) caps the users holding the service.
 *
 * When an approval provider of the customer subscribes to `services` Provision of this service
 * (ops/approvals/), the job is held: the service shows `Pending` with `approvalPending` until the
 * approvers accept (the job then runs) or refuse (the service goes back to what it was).
 *
 * Refused: an unknown service, package, plan, property, location or instance (`not_found` /
 * `invalid_argument`); a location that does not offer the service; a user limit below the users
 * already holding the service, or disabling a plan users hold (`failed_precondition`); a service
 * with a request still under way (`conflict`); `version_mismatch` on a stale `expectedVersion`.
 */
export const provisionCustomerService = defineOp({
  name: 'customer_service.provision',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      service: CatalogName,
      location: Type.Optional(CatalogName),
      userLimit: Type.Optional(UserLimitInput),
      isBilled: Type.Optional(Type.Boolean()),
      packages: Type.Optional(Type.Array(Type.Object({ name: CatalogName, enabled: Type.Boolean() }, STRICT), { maxItems: 500 })),
      userPlans: Type.Optional(
        Type.Array(Type.Object({ name: CatalogName, enabled: Type.Optional(Type.Boolean()), userLimit: Type.Optional(UserLimitInput) }, STRICT), { maxItems: 500 }),
      ),
      properties: Type.Optional(Type.Array(Type.Object({ name: CatalogName, value: Type.String({ maxLength: 4000 }) }, STRICT), { maxItems: 500 })),
      instances: Type.Optional(
        Type.Array(
          Type.Object(
            {
              name: CatalogName,
              description: Type.Optional(Type.String({ maxLength: 2000 })),
              properties: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 4000 }), { maxProperties: 100 })),
            },
            STRICT,
          ),
          { maxItems: 1000 },
        ),
      ),
      removeInstances: Type.Optional(Type.Array(CatalogName, { maxItems: 1000 })),
      expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    },
    STRICT,
  ),
  async run(ctx, input): Promise<{ service: CustomerServiceView; jobGuid: string }> {
    requireDistinctNames((input.packages ?? []).map((p) => p.name), 'packages')
    requireDistinctNames((input.userPlans ?? []).map((p) => p.name), 'userPlans')
    requireDistinctNames((input.properties ?? []).map((p) => p.name), 'properties')
    requireDistinctNames([...(input.instances ?? []).map((p) => p.name), ...(input.removeInstances ?? [])], 'instances')
    return ctx.store.write(async (trx) => {
      const org = await getCustomerForServices(ctx, trx, input.orgId)
      const service = await getServiceRow(ctx, trx, input.service, 'share')
      let row = await lockCustomerService(ctx, trx, org.id, service.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== (row?.version ?? 0)) {
        throw new DomainError('version_mismatch', `${service.name} of ${org.name} was changed since version ${input.expectedVersion}`)
      }
      await requireSettled(trx, row, `${service.name} of ${org.name}`)
      const before = customerServiceBefore(row)
      const now = new Date(ctx.clock()).toISOString()
      const first = !row || row.status === 'NotProvisioned'

      // Location: named, or kept.
      let locationId = row?.location_id ?? null
      if (input.location !== undefined) {
        const loc = await findLocationByName(trx, input.location, rowLock(ctx.store.dialect, 'share'))
        if (!loc) throw new DomainError('not_found', `location ${JSON.stringify(input.location)} not found`, { field: 'location', resource: 'location' })
        if (!(await isServiceOfferedAt(trx, loc.id, service.id))) throw new DomainError('failed_precondition', `${service.name} is not offered at ${loc.name}`, { field: 'location' })
        locationId = loc.id
      }

      const userLimit = input.userLimit !== undefined ? fromUserLimit(userLimitOf(input.userLimit)) : (row?.user_limit ?? null)
      if (row && userLimit !== null && row.users_count > userLimit) {
        throw new DomainError('failed_precondition', `${row.users_count} users hold ${service.name}; the user limit cannot be ${userLimit}`, { field: 'userLimit' })
      }

      // Properties: only the service's own (hidden ones only for the master organisation).
      const values = row ? (JSON.parse(row.properties) as Record<string, string>) : {}
      if (input.properties?.length) {
        const defined = new Map((await listPropertyRows(trx, service.id, true)).map((p) => [p.name_key, p]))
        for (const p of input.properties) {
          const d = defined.get(catalogKey(p.name))
          if (!d || (d.hidden === 1 && !actsForMaster(ctx))) {
            throw new DomainError('invalid_argument', `${service.name} has no property ${JSON.stringify(p.name)}`, { field: 'properties' })
          }
          values[d.name_key] = p.value
        }
      }

      if (!row) {
        row = {
          id: newId(),
          org_id: org.id,
          service_id: service.id,
          location_id: locationId,
          status: 'Requested',
          desired: 'provisioned',
          user_limit: userLimit,
          users_count: 0,
          is_billed: input.isBilled === false ? 0 : 1,
          properties: JSON.stringify(values),
          request_id: null,
          error: null,
          version: 1,
          created_at: now,
          updated_at: now,
          provisioned_at: null,
        }
        await insertCustomerService(trx, row)
      }
      const requestId = await ctx.request!.queue(trx)
      await updateCustomerService(trx, row.id, {
        location_id: locationId,
        status: 'Requested',
        desired: 'provisioned',
        user_limit: userLimit,
        is_billed: input.isBilled === undefined ? row.is_billed : input.isBilled ? 1 : 0,
        properties: JSON.stringify(values),
        request_id: requestId,
        error: null,
        version: row.version + (row.request_id === null ? 0 : 1),
        updated_at: now,
      })

      await applyPackages(trx, service, row.id, input.packages ?? [])
      await applyPlans(trx, service, row.id, input.userPlans ?? [], first)
      await applyInstances(trx, service, row.id, input.instances ?? [], input.removeInstances ?? [], now)

      const fresh = (await findCustomerService(trx, org.id, service.id))!
      let view = await customerServiceView(trx, org.id, service, fresh, true)
      const gate = await gateEvent(ctx, trx, {
        org,
        object: 'services',
        action: 'Provision',
        labels: [service.name, service.display_name || service.name],
        chainOf: ctx.actor.orgId === org.id ? ctx.actor.userId : null,
        description: `Provision Service - ${service.display_name || service.name}`,
        effect: { kind: 'customer-service', id: fresh.id, before },
      })
      const { jobGuid } = await enqueueProvisioning(ctx, trx, {
        serviceName: service.name,
        subject: customerServiceSubject(fresh.id),
        action: 'provision',
        payload: driverPayload(org, view),
        held: gate !== null,
      })
      if (gate) {
        await updateCustomerService(trx, fresh.id, { status: 'Pending' })
        view = await customerServiceView(trx, org.id, service, await findCustomerService(trx, org.id, service.id), true)
      }
      // The driver gets every property; the caller sees hidden ones only from the master organisation.
      const shown = actsForMaster(ctx) ? view : { ...view, properties: view.properties.filter((p) => !p.hidden) }
      return { service: shown, jobGuid }
    })
  },
})

/** Loads a customer's row of a service, locking it against concurrent changes on PostgreSQL. */
export async function lockCustomerService(ctx: Ctx, trx: Db, orgId: string, serviceId: string): Promise<CustomerServiceRow | undefined> {
  return findCustomerServiceLocked(trx, ctx.store.dialect, orgId, serviceId)
}

async function applyPackages(trx: Db, service: ServiceRow, csId: string, given: readonly { name: string; enabled: boolean }[]): Promise<void> {
  if (given.length === 0) return
  const byKey = new Map((await listPackageRows(trx, service.id)).map((p) => [p.name_key, p]))
  for (const g of given) {
    const p = byKey.get(catalogKey(g.name))
    if (!p) throw new DomainError('invalid_argument', `${service.name} has no package ${JSON.stringify(g.name)}`, { field: 'packages' })
    await upsertCustomerServicePackage(trx, csId, p.id, g.enabled)
  }
}

async function applyPlans(
  trx: Db,
  service: ServiceRow,
  csId: string,
  given: readonly { name: string; enabled?: boolean; userLimit?: number | string }[],
  first: boolean,
): Promise<void> {
  const plans = await listPlanRows(trx, service.id)
  const byKey = new Map(plans.map((p) => [p.name_key, p]))
  const current = new Map((await listCustomerServicePlanRows(trx, csId)).map((c) => [c.plan_id, c]))
  const wanted = new Map<string, { enabled: boolean; limit: number | null }>()
  if (first && given.length === 0) {
    for (const p of plans) wanted.set(p.id, { enabled: true, limit: current.get(p.id)?.user_limit ?? p.user_limit })
  }
  for (const g of given) {
    const p = byKey.get(catalogKey(g.name))
    if (!p) throw new DomainError('invalid_argument', `${service.name} has no user plan ${JSON.stringify(g.name)}`, { field: 'userPlans' })
    const c = current.get(p.id)
    const enabled = g.enabled ?? true
    const limit = g.userLimit !== undefined ? fromUserLimit(userLimitOf(g.userLimit)) : (c ? c.user_limit : p.user_limit)
    if (c && !enabled && c.users_count > 0) {
      throw new DomainError('failed_precondition', `${c.users_count} users hold user plan ${p.name}; it cannot be disabled`, { field: 'userPlans' })
    }
    if (c && limit !== null && c.users_count > limit) {
      throw new DomainError('failed_precondition', `${c.users_count} users hold user plan ${p.name}; its user limit cannot be ${limit}`, { field: 'userPlans' })
    }
    wanted.set(p.id, { enabled, limit })
  }
  for (const [planId, w] of wanted) {
    await upsertCustomerServicePlan(trx, csId, planId, w.enabled, w.limit)
  }
}

async function applyInstances(
  trx: Db,
  service: ServiceRow,
  csId: string,
  given: readonly { name: string; description?: string; properties?: Record<string, string> }[],
  removed: readonly string[],
  now: string,
): Promise<void> {
  for (const name of removed) {
    const inst = await findCustomerServiceInstance(trx, csId, catalogKey(name))
    if (!inst) throw new DomainError('not_found', `${service.name} has no instance ${JSON.stringify(name)}`, { field: 'removeInstances' })
    if (await isInstanceGiven(trx, inst.id)) throw new DomainError('failed_precondition', `users are given instance ${name}; take it from them first`, { field: 'removeInstances' })
    await deleteCustomerServiceInstance(trx, inst.id)
  }
  for (const g of given) {
    const key = catalogKey(g.name)
    const existing = await findCustomerServiceInstance(trx, csId, key)
    if (existing) {
      await updateCustomerServiceInstance(trx, existing.id, {
        description: g.description ?? existing.description,
        properties: g.properties ? JSON.stringify({ ...(JSON.parse(existing.properties) as object), ...g.properties }) : existing.properties,
      })
    } else {
      await insertCustomerServiceInstance(trx, {
        id: newId(),
        customer_service_id: csId,
        name: g.name,
        name_key: key,
        description: g.description ?? '',
        properties: JSON.stringify(g.properties ?? {}),
        created_at: now,
      })
    }
  }
}

/** What the driver is sent to provision a customer's service: its whole desired state (no secrets). */
function driverPayload(org: OrgRow, v: CustomerServiceView): Record<string, unknown> {
  return {
    customer: { id: org.id, code: org.code, name: org.name },
    location: v.location,
    userLimit: v.userLimit,
    isBilled: v.isBilled,
    packages: v.packages.map((p) => ({ name: p.name, enabled: p.enabled })),
    userPlans: v.userPlans.map((p) => ({ name: p.name, enabled: p.enabled, userLimit: p.userLimit })),
    properties: Object.fromEntries(v.properties.map((p) => [p.name, p.value])),
    instances: v.instances,
  }
}
