/**
 * Customer services and user services as stored, and what their jobs' progress does to them.
 * Knows SQL and nothing of actors: who may provision what is decided in `src/ops/services/`.
 *
 * Counters (`users_count` of a customer service and of each of its plans) move only by
 * conditional UPDATEs in the transaction that changes the user services they count, so a
 * user limit holds under any concurrency on both databases.
 */
import type { Selectable } from 'kysely'
import type { Db } from './store.js'
import type { CustomerServiceTable, UserServiceTable } from './schema.js'
import type { ProvisioningStatus } from '../core/provisioning.js'
import type { JobEvent, JobEventInfo, SubjectHandler } from '../jobs/subjects.js'

export type CustomerServiceRow = Selectable<CustomerServiceTable>
export type UserServiceRow = Selectable<UserServiceTable>

/** Where the latest request takes a service. */
export type Desired = 'provisioned' | 'notprovisioned'

/** Statuses of a service with a request still under way: nothing else may change it meanwhile. */
export const IN_FLIGHT: readonly ProvisioningStatus[] = ['Requested', 'InProgress', 'Pending']

/** The subject names of provisioning jobs (`jobs.payload.subject`). */
export const customerServiceSubject = (id: string) => `customer-service:${id}`
export const userServiceSubject = (id: string) => `user-service:${id}`

const iso = (t: number) => new Date(t).toISOString()

export async function findCustomerService(db: Db, orgId: string, serviceId: string): Promise<CustomerServiceRow | undefined> {
  return db.selectFrom('customer_services').selectAll().where('org_id', '=', orgId).where('service_id', '=', serviceId).executeTakeFirst()
}

export async function findCustomerServiceById(db: Db, id: string): Promise<CustomerServiceRow | undefined> {
  return db.selectFrom('customer_services').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listCustomerServiceRows(db: Db, orgId: string): Promise<CustomerServiceRow[]> {
  return db.selectFrom('customer_services').selectAll().where('org_id', '=', orgId).execute()
}

export async function findUserService(db: Db, userId: string, customerServiceId: string): Promise<UserServiceRow | undefined> {
  return db.selectFrom('user_services').selectAll().where('user_id', '=', userId).where('customer_service_id', '=', customerServiceId).executeTakeFirst()
}

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

/** What a job's step does to a subject's status (the final steps are handled apart). */
const STEP: Partial<Record<JobEvent, ProvisioningStatus>> = {
  claimed: 'InProgress',
  waiting: 'InProgress',
  retry: 'Pending',
  released: 'Requested',
}

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
  const plans = await trx.selectFrom('user_service_plans').select('plan_id').where('user_service_id', '=', userServiceId).execute()
  if (plans.length > 0) {
    await trx
      .updateTable('customer_service_plans')
      .set((eb) => ({ users_count: eb('users_count', '-', 1) }))
      .where('customer_service_id', '=', customerServiceId)
      .where(
        'plan_id',
        'in',
        plans.map((p) => p.plan_id),
      )
      .where('users_count', '>', 0)
      .execute()
  }
  await trx
    .updateTable('customer_services')
    .set((eb) => ({ users_count: eb('users_count', '-', 1) }))
    .where('id', '=', customerServiceId)
    .where('users_count', '>', 0)
    .execute()
  await trx.deleteFrom('user_service_plans').where('user_service_id', '=', userServiceId).execute()
  await trx.deleteFrom('user_service_instances').where('user_service_id', '=', userServiceId).execute()
}

/** The subject types of services, for the queue (src/jobs/subjects.ts). */
export const serviceSubjectHandlers: Record<string, SubjectHandler> = {
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
