/**
 * Customer services and user services as stored, and what their jobs' progress does to them.
 * Knows SQL and nothing of actors: who may provision what is decided in `src/ops/services/`.
 *
 * Counters (`users_count` of a customer service and of each of its plans) move only by
 * conditional UPDATEs in the transaction that changes the user services they count, so a
 * user limit holds under any concurrency on both databases.
 */
import type { Selectable } from 'kysely'
import type { Db, Dialect } from './store.js'
import type { CustomerServiceInstanceTable, CustomerServicePlanTable, CustomerServiceTable, UserServiceTable } from './schema.js'
import type { ProvisioningStatus } from '../core/provisioning.js'
import { JOB_STEP_STATUS, type JobEvent, type JobEventInfo, type JobSubjectHandler } from '../core/jobs.js'

export type CustomerServiceRow = Selectable<CustomerServiceTable>
export type UserServiceRow = Selectable<UserServiceTable>
export type CustomerServicePlanRow = Selectable<CustomerServicePlanTable>
export type CustomerServiceInstanceRow = Selectable<CustomerServiceInstanceTable>

/** The columns of a customer service that a change may set (all but its id). */
export type CustomerServicePatch = Partial<Omit<CustomerServiceRow, 'id'>>
/** The columns of a user service that a change may set (all but its id). */
export type UserServicePatch = Partial<Omit<UserServiceRow, 'id'>>

/** Where the latest request takes a service. */
export type Desired = 'provisioned' | 'notprovisioned'

/** Statuses of a service with a request still under way: nothing else may change it meanwhile. */
export const IN_FLIGHT: readonly ProvisioningStatus[] = ['Requested', 'InProgress', 'Pending']

/** The subject names of provisioning jobs (`jobs.payload.subject`). */
export const customerServiceSubject = (id: string) => `customer-service:${id}`
export const userServiceSubject = (id: string) => `user-service:${id}`

const iso = (t: number) => new Date(t).toISOString()

/** Finds a customer's row of a catalogue service. */
export async function findCustomerService(db: Db, orgId: string, serviceId: string): Promise<CustomerServiceRow | undefined> {
  return db.selectFrom('customer_services').selectAll().where('org_id', '=', orgId).where('service_id', '=', serviceId).executeTakeFirst()
}

/** Finds a customer service by its id. */
export async function findCustomerServiceById(db: Db, id: string): Promise<CustomerServiceRow | undefined> {
  return db.selectFrom('customer_services').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Lists a customer's rows of services, in no particular order. */
export async function listCustomerServiceRows(db: Db, orgId: string): Promise<CustomerServiceRow[]> {
  return db.selectFrom('customer_services').selectAll().where('org_id', '=', orgId).execute()
}

/** Finds a user's row of a customer service. */
export async function findUserService(db: Db, userId: string, customerServiceId: string): Promise<UserServiceRow | undefined> {
  return db.selectFrom('user_services').selectAll().where('user_id', '=', userId).where('customer_service_id', '=', customerServiceId).executeTakeFirst()
}

/** Lists a user's rows of services, in no particular order. */
export async function listUserServiceRows(db: Db, userId: string): Promise<UserServiceRow[]> {
  return db.selectFrom('user_services').selectAll().where('user_id', '=', userId).execute()
}

/** The guids of requests by id (for showing a service's latest request). */
export async function requestGuids(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('requests').select(['id', 'guid']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r.guid]))
}

/** True when some user service of `customerServiceId` has a request under way. */
export async function anyUserServiceInFlight(db: Db, customerServiceId: string): Promise<boolean> {
  const r = await db
    .selectFrom('user_services')
    .select('id')
    .where('customer_service_id', '=', customerServiceId)
    .where('status', 'in', [...IN_FLIGHT])
    .limit(1)
    .executeTakeFirst()
  return r !== undefined
}

/**
 * Finds a customer's row of a service, locked against concurrent changes: `FOR UPDATE` on
 * PostgreSQL; on SQLite the write transaction already excludes every other writer.
 */
export async function findCustomerServiceLocked(db: Db, dialect: Dialect, orgId: string, serviceId: string): Promise<CustomerServiceRow | undefined> {
  if (dialect === 'postgres') {
    return db.selectFrom('customer_services').selectAll().where('org_id', '=', orgId).where('service_id', '=', serviceId).forUpdate().executeTakeFirst()
  }
  return findCustomerService(db, orgId, serviceId)
}

/** Inserts a customer service row. */
export async function insertCustomerService(db: Db, row: CustomerServiceRow): Promise<void> {
  await db.insertInto('customer_services').values(row).execute()
}

/** Sets the given columns of the customer service `id`. */
export async function updateCustomerService(db: Db, id: string, patch: CustomerServicePatch): Promise<void> {
  await db.updateTable('customer_services').set(patch).where('id', '=', id).execute()
}

/** True when the location `locationId` offers the service `serviceId`. */
export async function isServiceOfferedAt(db: Db, locationId: string, serviceId: string): Promise<boolean> {
  const r = await db.selectFrom('location_services').select('service_id').where('location_id', '=', locationId).where('service_id', '=', serviceId).executeTakeFirst()
  return r !== undefined
}

/** Lists which packages a customer service has, and whether each is enabled (1) or not (0). */
export async function listCustomerServicePackageStates(db: Db, customerServiceId: string): Promise<{ package_id: string; enabled: number }[]> {
  return db.selectFrom('customer_service_packages').select(['package_id', 'enabled']).where('customer_service_id', '=', customerServiceId).execute()
}

/** Enables or disables a package of a customer service, adding the row when it has none. */
export async function upsertCustomerServicePackage(db: Db, customerServiceId: string, packageId: string, enabled: boolean): Promise<void> {
  await db
    .insertInto('customer_service_packages')
    .values({ customer_service_id: customerServiceId, package_id: packageId, enabled: enabled ? 1 : 0 })
    .onConflict((oc) => oc.columns(['customer_service_id', 'package_id']).doUpdateSet({ enabled: enabled ? 1 : 0 }))
    .execute()
}

/** Lists a customer service's user plans: enabled or not, their user limits and holders. */
export async function listCustomerServicePlanRows(db: Db, customerServiceId: string): Promise<CustomerServicePlanRow[]> {
  return db.selectFrom('customer_service_plans').selectAll().where('customer_service_id', '=', customerServiceId).execute()
}

/** Lists the ids of the user plans enabled for a customer service. */
export async function listEnabledCustomerServicePlanIds(db: Db, customerServiceId: string): Promise<string[]> {
  const rows = await db.selectFrom('customer_service_plans').select('plan_id').where('customer_service_id', '=', customerServiceId).where('enabled', '=', 1).execute()
  return rows.map((p) => p.plan_id)
}

/**
 * Sets whether a user plan is enabled for a customer service and its user limit (`null`:
 * unlimited), adding the row with no holders when it has none; a row's holders are kept.
 */
export async function upsertCustomerServicePlan(db: Db, customerServiceId: string, planId: string, enabled: boolean, userLimit: number | null): Promise<void> {
  await db
    .insertInto('customer_service_plans')
    .values({ customer_service_id: customerServiceId, plan_id: planId, enabled: enabled ? 1 : 0, user_limit: userLimit, users_count: 0 })
    .onConflict((oc) => oc.columns(['customer_service_id', 'plan_id']).doUpdateSet({ enabled: enabled ? 1 : 0, user_limit: userLimit }))
    .execute()
}

/**
 * Takes a place under a customer service's user limit for a new holder (`newHolder`), in one
 * conditional UPDATE; for a user who already holds it, only checks that the service is still
 * `Provisioned` and wanted so. False when no row was changed: the service is not (or no longer)
 * provisioned, or the limit is reached.
 */
export async function takeCustomerServicePlace(db: Db, customerServiceId: string, newHolder: boolean): Promise<boolean> {
  const r = await db
    .updateTable('customer_services')
    .set((eb) => ({ users_count: newHolder ? eb('users_count', '+', 1) : eb.ref('users_count') }))
    .where('id', '=', customerServiceId)
    .where('status', '=', 'Provisioned')
    .where('desired', '=', 'provisioned')
    .$if(newHolder, (q) => q.where((eb) => eb.or([eb('user_limit', 'is', null), eb('users_count', '<', eb.ref('user_limit'))])))
    .executeTakeFirst()
  return r.numUpdatedRows !== 0n
}

/**
 * Takes a place under the user limit of an enabled user plan of a customer service, in one
 * conditional UPDATE. False when the plan is not enabled for it or its limit is reached.
 */
export async function takeCustomerServicePlanPlace(db: Db, customerServiceId: string, planId: string): Promise<boolean> {
  const r = await db
    .updateTable('customer_service_plans')
    .set((eb) => ({ users_count: eb('users_count', '+', 1) }))
    .where('customer_service_id', '=', customerServiceId)
    .where('plan_id', '=', planId)
    .where('enabled', '=', 1)
    .where((eb) => eb.or([eb('user_limit', 'is', null), eb('users_count', '<', eb.ref('user_limit'))]))
    .executeTakeFirst()
  return r.numUpdatedRows !== 0n
}

/** Gives back one place under each of the named user plans of a customer service (never below zero). */
export async function releaseCustomerServicePlanPlaces(db: Db, customerServiceId: string, planIds: readonly string[]): Promise<void> {
  await db
    .updateTable('customer_service_plans')
    .set((eb) => ({ users_count: eb('users_count', '-', 1) }))
    .where('customer_service_id', '=', customerServiceId)
    .where('plan_id', 'in', [...planIds])
    .where('users_count', '>', 0)
    .execute()
}

/** Lists a customer service's instances, by name. */
export async function listCustomerServiceInstanceRows(db: Db, customerServiceId: string): Promise<CustomerServiceInstanceRow[]> {
  return db.selectFrom('customer_service_instances').selectAll().where('customer_service_id', '=', customerServiceId).orderBy('name_key').execute()
}

/** Lists the ids and name keys of a customer service's instances, in no particular order. */
export async function listCustomerServiceInstanceKeys(db: Db, customerServiceId: string): Promise<{ id: string; name_key: string }[]> {
  return db.selectFrom('customer_service_instances').select(['id', 'name_key']).where('customer_service_id', '=', customerServiceId).execute()
}

/** Finds a customer service's instance by its name key (`catalogKey(name)`). */
export async function findCustomerServiceInstance(db: Db, customerServiceId: string, nameKey: string): Promise<CustomerServiceInstanceRow | undefined> {
  return db.selectFrom('customer_service_instances').selectAll().where('customer_service_id', '=', customerServiceId).where('name_key', '=', nameKey).executeTakeFirst()
}

/** Inserts an instance of a customer service. */
export async function insertCustomerServiceInstance(db: Db, row: CustomerServiceInstanceRow): Promise<void> {
  await db.insertInto('customer_service_instances').values(row).execute()
}

/** Sets the description and properties (a JSON object) of the instance `id`. */
export async function updateCustomerServiceInstance(db: Db, id: string, patch: { description: string; properties: string }): Promise<void> {
  await db.updateTable('customer_service_instances').set(patch).where('id', '=', id).execute()
}

/** Deletes the instance `id` of a customer service. */
export async function deleteCustomerServiceInstance(db: Db, id: string): Promise<void> {
  await db.deleteFrom('customer_service_instances').where('id', '=', id).execute()
}

/** True when some user service is given the instance `instanceId`. */
export async function isInstanceGiven(db: Db, instanceId: string): Promise<boolean> {
  const r = await db.selectFrom('user_service_instances').select('user_service_id').where('instance_id', '=', instanceId).limit(1).executeTakeFirst()
  return r !== undefined
}

/** Finds the name of the location `id`. */
export async function findLocationName(db: Db, id: string): Promise<string | undefined> {
  const r = await db.selectFrom('locations').select('name').where('id', '=', id).executeTakeFirst()
  return r?.name
}

/**
 * Finds a user's row of a customer service, locked against concurrent changes: `FOR UPDATE`
 * on PostgreSQL; on SQLite the write transaction already excludes every other writer.
 */
export async function findUserServiceLocked(db: Db, dialect: Dialect, userId: string, customerServiceId: string): Promise<UserServiceRow | undefined> {
  if (dialect === 'postgres') {
    return db.selectFrom('user_services').selectAll().where('user_id', '=', userId).where('customer_service_id', '=', customerServiceId).forUpdate().executeTakeFirst()
  }
  return findUserService(db, userId, customerServiceId)
}

/** Inserts a user service row. */
export async function insertUserService(db: Db, row: UserServiceRow): Promise<void> {
  await db.insertInto('user_services').values(row).execute()
}

/** Sets the given columns of the user service `id`. */
export async function updateUserService(db: Db, id: string, patch: UserServicePatch): Promise<void> {
  await db.updateTable('user_services').set(patch).where('id', '=', id).execute()
}

/** Lists the ids of a user service's plans. */
export async function listUserServicePlanIds(db: Db, userServiceId: string): Promise<string[]> {
  const rows = await db.selectFrom('user_service_plans').select('plan_id').where('user_service_id', '=', userServiceId).execute()
  return rows.map((p) => p.plan_id)
}

/** Lists the names and full names of a user service's plans, by name. */
export async function listUserServicePlanNames(db: Db, userServiceId: string): Promise<{ name: string; fullname: string }[]> {
  return db
    .selectFrom('user_service_plans')
    .innerJoin('service_plans', 'service_plans.id', 'user_service_plans.plan_id')
    .select(['service_plans.name', 'service_plans.fullname'])
    .where('user_service_plans.user_service_id', '=', userServiceId)
    .orderBy('service_plans.name_key')
    .execute()
}

/** Replaces a user service's plans with `planIds`. */
export async function setUserServicePlans(db: Db, userServiceId: string, planIds: readonly string[]): Promise<void> {
  await db.deleteFrom('user_service_plans').where('user_service_id', '=', userServiceId).execute()
  if (planIds.length > 0) await db.insertInto('user_service_plans').values(planIds.map((p) => ({ user_service_id: userServiceId, plan_id: p }))).execute()
}

/** Lists the names of the instances given to a user service, by name. */
export async function listUserServiceInstanceNames(db: Db, userServiceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_service_instances')
    .innerJoin('customer_service_instances', 'customer_service_instances.id', 'user_service_instances.instance_id')
    .select('customer_service_instances.name')
    .where('user_service_instances.user_service_id', '=', userServiceId)
    .orderBy('customer_service_instances.name_key')
    .execute()
  return rows.map((x) => x.name)
}

/** Replaces the instances given to a user service with `instanceIds`. */
export async function setUserServiceInstances(db: Db, userServiceId: string, instanceIds: readonly string[]): Promise<void> {
  await db.deleteFrom('user_service_instances').where('user_service_id', '=', userServiceId).execute()
  if (instanceIds.length > 0) await db.insertInto('user_service_instances').values(instanceIds.map((i) => ({ user_service_id: userServiceId, instance_id: i }))).execute()
}

/** Finds the driver settings of the catalogue service `id` as stored (JSON, secret values sealed). */
export async function findServiceDriverConfig(db: Db, id: string): Promise<string | undefined> {
  const r = await db.selectFrom('services').select('driver_config').where('id', '=', id).executeTakeFirst()
  return r?.driver_config
}

/** A catalogue service's provisioning driver and its settings as stored (JSON, secret values sealed). */
export interface ServiceDriverRow {
  id: string
  driver: string
  driver_config: string
}

/** Lists the drivers of the catalogue services `ids` (those that still exist). */
export async function listServiceDrivers(db: Db, ids: readonly string[]): Promise<ServiceDriverRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('services').select(['id', 'driver', 'driver_config']).where('id', 'in', ids).execute()
}

/** Finds the driver of the catalogue service `id`, or undefined when it no longer exists. */
export async function findServiceDriver(db: Db, id: string): Promise<ServiceDriverRow | undefined> {
  return db.selectFrom('services').select(['id', 'driver', 'driver_config']).where('id', '=', id).executeTakeFirst()
}

const STEP = JOB_STEP_STATUS

/**
 * Applies a job's step to a customer service, if the job belongs to the service's latest
 * request (an older job changes nothing). A finished deprovision takes every user service of
 * the customer service with it.
 */
async function onCustomerServiceJob(trx: Db, event: JobEvent, info: JobEventInfo): Promise<void> {
  const at = iso(info.now)
  const q = trx.updateTable('customer_services').where('id', '=', info.id).where('request_id', '=', info.requestId)
  const step = STEP[event]
  if (step) {
    await q.set({ status: step, updated_at: at }).execute()
    return
  }
  if (event === 'failed') {
    await q.set({ status: 'Failed', error: info.error ?? 'provisioning failed', updated_at: at }).execute()
    return
  }
  // succeeded
  if (info.action === 'provision') {
    await q.set({ status: 'Provisioned', error: null, provisioned_at: at, updated_at: at }).execute()
    return
  }
  const r = await q.set({ status: 'NotProvisioned', error: null, provisioned_at: null, users_count: 0, updated_at: at }).executeTakeFirst()
  if (r.numUpdatedRows === 0n) return
  const users = trx.selectFrom('user_services').select('id').where('customer_service_id', '=', info.id)
  await trx.deleteFrom('user_service_plans').where('user_service_id', 'in', users).execute()
  await trx.deleteFrom('user_service_instances').where('user_service_id', 'in', users).execute()
  await trx
    .updateTable('user_services')
    .set({ status: 'NotProvisioned', desired: 'notprovisioned', error: null, provisioned_at: null, updated_at: at })
    .where('customer_service_id', '=', info.id)
    .where('status', '!=', 'NotProvisioned')
    .execute()
  await trx.updateTable('customer_service_plans').set({ users_count: 0 }).where('customer_service_id', '=', info.id).execute()
}

/**
 * Applies a job's step to a user service, if the job belongs to its latest request. A finished
 * deprovision gives the user's place back to the customer service's and its plans' limits.
 */
async function onUserServiceJob(trx: Db, event: JobEvent, info: JobEventInfo): Promise<void> {
  const at = iso(info.now)
  const q = trx.updateTable('user_services').where('id', '=', info.id).where('request_id', '=', info.requestId)
  const step = STEP[event]
  if (step) {
    await q.set({ status: step, updated_at: at }).execute()
    return
  }
  if (event === 'failed') {
    await q.set({ status: 'Failed', error: info.error ?? 'provisioning failed', updated_at: at }).execute()
    return
  }
  if (info.action === 'provision') {
    await q.set({ status: 'Provisioned', error: null, provisioned_at: at, updated_at: at }).execute()
    return
  }
  const row = await trx.selectFrom('user_services').select(['customer_service_id', 'status']).where('id', '=', info.id).where('request_id', '=', info.requestId).executeTakeFirst()
  if (!row || row.status === 'NotProvisioned') return
  await releaseUserService(trx, info.id, row.customer_service_id)
  await q.set({ status: 'NotProvisioned', error: null, provisioned_at: null, updated_at: at }).execute()
}

/** Gives a user service's places back to its customer service's and plans' counters, and drops its plans and instances. */
async function releaseUserService(trx: Db, userServiceId: string, customerServiceId: string): Promise<void> {
  const plans = await listUserServicePlanIds(trx, userServiceId)
  if (plans.length > 0) await releaseCustomerServicePlanPlaces(trx, customerServiceId, plans)
  await trx
    .updateTable('customer_services')
    .set((eb) => ({ users_count: eb('users_count', '-', 1) }))
    .where('id', '=', customerServiceId)
    .where('users_count', '>', 0)
    .execute()
  await trx.deleteFrom('user_service_plans').where('user_service_id', '=', userServiceId).execute()
  await trx.deleteFrom('user_service_instances').where('user_service_id', '=', userServiceId).execute()
}

/** The subject types of services, for the queue (subjects.ts). */
export const serviceSubjectHandlers: Record<string, JobSubjectHandler<Db>> = {
  'customer-service': onCustomerServiceJob,
  'user-service': onUserServiceJob,
}

/**
 * How many customer services (not `NotProvisioned`) use a catalogue entry: a service, or one of
 * its packages (enabled), plans (enabled, or held by a user) or a location. The catalogue
 * refuses to delete what is in use; what only `NotProvisioned` rows still name is let go with
 * `forgetCatalogEntry`.
 */
export async function catalogEntryUse(db: Db, entry: CatalogEntry): Promise<number> {
  let q = db.selectFrom('customer_services as cs').select((eb) => eb.fn.countAll<number>().as('n')).where('cs.status', '!=', 'NotProvisioned')
  switch (entry.kind) {
    case 'service':
      q = q.where('cs.service_id', '=', entry.id)
      break
    case 'location':
      q = q.where('cs.location_id', '=', entry.id)
      break
    case 'package':
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('customer_service_packages as p').select('p.package_id').whereRef('p.customer_service_id', '=', 'cs.id').where('p.package_id', '=', entry.id).where('p.enabled', '=', 1)),
      )
      break
    case 'plan':
      q = q.where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom('customer_service_plans as p').select('p.plan_id').whereRef('p.customer_service_id', '=', 'cs.id').where('p.plan_id', '=', entry.id).where('p.enabled', '=', 1)),
          eb.exists(
            eb
              .selectFrom('user_service_plans as up')
              .innerJoin('user_services as us', 'us.id', 'up.user_service_id')
              .select('up.plan_id')
              .whereRef('us.customer_service_id', '=', 'cs.id')
              .where('up.plan_id', '=', entry.id),
          ),
        ]),
      )
      break
  }
  const r = await q.executeTakeFirstOrThrow()
  return Number(r.n)
}

export type CatalogEntry = { kind: 'service' | 'package' | 'plan' | 'location'; id: string }

/** Removes what `NotProvisioned` customer services still keep of a catalogue entry about to be deleted (see `catalogEntryUse`). */
export async function forgetCatalogEntry(db: Db, entry: CatalogEntry): Promise<void> {
  switch (entry.kind) {
    case 'service': {
      const dead = db.selectFrom('customer_services').select('id').where('service_id', '=', entry.id)
      const users = db.selectFrom('user_services').select('id').where('customer_service_id', 'in', dead)
      await db.deleteFrom('user_service_plans').where('user_service_id', 'in', users).execute()
      await db.deleteFrom('user_service_instances').where('user_service_id', 'in', users).execute()
      await db.deleteFrom('user_services').where('customer_service_id', 'in', dead).execute()
      await db.deleteFrom('customer_services').where('service_id', '=', entry.id).execute()
      return
    }
    case 'location':
      await db.updateTable('customer_services').set({ location_id: null }).where('location_id', '=', entry.id).execute()
      return
    case 'package':
      await db.deleteFrom('customer_service_packages').where('package_id', '=', entry.id).execute()
      return
    case 'plan':
      await db.deleteFrom('user_service_plans').where('plan_id', '=', entry.id).execute()
      await db.deleteFrom('customer_service_plans').where('plan_id', '=', entry.id).execute()
      return
  }
}

/** What a customer service was before a request that waits for approval changed it. */
export interface CustomerServiceBefore {
  status: string
  desired: string
  error: string | null
  request_id: number | null
  location_id: string | null
  user_limit: number | null
  is_billed: number
  properties: string
}

/** The columns of `row` a refused approval puts back (see `restoreCustomerService`). */
export function customerServiceBefore(row: CustomerServiceRow | undefined): CustomerServiceBefore {
  if (!row) return { status: 'NotProvisioned', desired: 'notprovisioned', error: null, request_id: null, location_id: null, user_limit: null, is_billed: 1, properties: '{}' }
  return {
    status: row.status,
    desired: row.desired,
    error: row.error,
    request_id: row.request_id,
    location_id: row.location_id,
    user_limit: row.user_limit,
    is_billed: row.is_billed,
    properties: row.properties,
  }
}

/**
 * Puts a customer service back as it was before the request `requestId` (its approval refused
 * or timed out), if that request is still its latest. Its packages, plans and instances named
 * by the request are kept (as a deprovisioned service keeps its settings).
 */
export async function restoreCustomerService(trx: Db, id: string, requestId: number, before: CustomerServiceBefore, now: number): Promise<void> {
  await trx
    .updateTable('customer_services')
    .set({ ...before, updated_at: iso(now) })
    .where('id', '=', id)
    .where('request_id', '=', requestId)
    .execute()
}

/** What a user service was before a request that waits for approval changed it. */
export interface UserServiceBefore {
  existed: boolean
  status: string
  desired: string
  error: string | null
  request_id: number | null
  properties: string
  planIds: string[]
  instanceIds: string[]
}

/** Reads what a refused approval puts back of the user service `row` (see `restoreUserService`). */
export async function userServiceBefore(db: Db, row: UserServiceRow | undefined): Promise<UserServiceBefore> {
  if (!row) return { existed: false, status: 'NotProvisioned', desired: 'notprovisioned', error: null, request_id: null, properties: '{}', planIds: [], instanceIds: [] }
  const instances = await db.selectFrom('user_service_instances').select('instance_id').where('user_service_id', '=', row.id).execute()
  return {
    existed: true,
    status: row.status,
    desired: row.desired,
    error: row.error,
    request_id: row.request_id,
    properties: row.properties,
    planIds: await listUserServicePlanIds(db, row.id),
    instanceIds: instances.map((i) => i.instance_id),
  }
}

/**
 * Puts a user service back as it was before the request `requestId` (its approval refused or
 * timed out), if that request is still its latest: the places it took under the customer's user
 * limits are given back (a new holder's all of them; a holder's changed plans, one by one), its
 * plans, instances and properties are the earlier ones, and a row the request made is removed.
 */
export async function restoreUserService(trx: Db, id: string, requestId: number, before: UserServiceBefore, now: number): Promise<void> {
  const row = await trx.selectFrom('user_services').select(['customer_service_id']).where('id', '=', id).where('request_id', '=', requestId).executeTakeFirst()
  if (!row) return
  const live = before.existed && before.status !== 'NotProvisioned'
  const current = await listUserServicePlanIds(trx, id)
  if (!live) {
    await releaseUserService(trx, id, row.customer_service_id)
  } else {
    const added = current.filter((p) => !before.planIds.includes(p))
    const dropped = before.planIds.filter((p) => !current.includes(p))
    if (added.length > 0) await releaseCustomerServicePlanPlaces(trx, row.customer_service_id, added)
    if (dropped.length > 0) {
      await trx
        .updateTable('customer_service_plans')
        .set((eb) => ({ users_count: eb('users_count', '+', 1) }))
        .where('customer_service_id', '=', row.customer_service_id)
        .where('plan_id', 'in', dropped)
        .execute()
    }
    await setUserServicePlans(trx, id, before.planIds)
    await setUserServiceInstances(trx, id, before.instanceIds)
  }
  if (!before.existed) {
    await trx.deleteFrom('user_services').where('id', '=', id).execute()
    return
  }
  await trx
    .updateTable('user_services')
    .set({ status: before.status, desired: before.desired, error: before.error, request_id: before.request_id, properties: before.properties, updated_at: iso(now) })
    .where('id', '=', id)
    .execute()
}

/** The status (`pending`, `queued`, …) of requests by id (a service waits for approval while its latest request is `pending`). */
export async function requestStates(db: Db, ids: readonly number[]): Promise<Map<number, { guid: string; status: string }>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('requests').select(['id', 'guid', 'status']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, { guid: r.guid, status: r.status }]))
}
