/**
 * The service catalogue as stored: services, their packages, user plans and properties, and
 * locations with the services offered there. Knows SQL and nothing of actors: who may read or
 * change what is decided in `src/ops/catalog/`.
 *
 * Every name is found case-insensitively through its `name_key` (`catalogKey(name)`), the way
 * the seed's clients spell `HostedAppsandDesktops` and `HostedAppsAndDesktops` alike; the name
 * is kept as written. Lists are ordered by name (bytes, both databases), then id.
 */
import type { Selectable, Updateable } from 'kysely'
import type { Db } from './store.js'
import type {
  LocationTable,
  ServicePackageTable,
  ServicePlanTable,
  ServicePropertyTable,
  ServiceTable,
} from './schema.js'
import type { RowLock } from './cloud.repo.js'
import { DomainError } from '../core/errors.js'
import { isSealed } from '../core/sealed.js'
import type { UserLimit, Service, ServicePackage, UserPlan, CatalogProperty, ServiceProperty, Location } from '../core/catalog.js'
export type { UserLimit, Service, ServicePackage, UserPlan, CatalogProperty, ServiceProperty, Location } from '../core/catalog.js'

export type ServiceRow = Selectable<ServiceTable>
export type PackageRow = Selectable<ServicePackageTable>
export type PlanRow = Selectable<ServicePlanTable>
export type PropertyRow = Selectable<ServicePropertyTable>
export type LocationRow = Selectable<LocationTable>

/** Columns of a service to change (those left out keep their values). */
export type ServicePatch = Updateable<ServiceTable>
/** Columns of a package to change (those left out keep their values). */
export type PackagePatch = Updateable<ServicePackageTable>
/** Columns of a user plan to change (those left out keep their values). */
export type PlanPatch = Updateable<ServicePlanTable>
/** Columns of a property to change (those left out keep their values). */
export type PropertyPatch = Updateable<ServicePropertyTable>
/** Columns of a location to change (those left out keep their values). */
export type LocationPatch = Updateable<LocationTable>

/** The case-folded form catalogue names are unique in and found by. */
export function catalogKey(name: string): string {
  return name.normalize('NFKC').toLowerCase()
}

/**
 * Maps a stored row to a Service, with its driver settings; a sealed secret among them is
 * answered as `{"set": true}`, never as its sealed text (ops/catalog/driver-secrets.ts also
 * hides the driver's secret keys still in clear).
 */
export function toService(r: ServiceRow): Service {
  const driverConfig = JSON.parse(r.driver_config) as Record<string, unknown>
  for (const [k, v] of Object.entries(driverConfig)) if (isSealed(v)) driverConfig[k] = { set: true }
  return {
    id: r.id,
    name: r.name,
    displayName: r.display_name,
    version: r.version,
    description: r.description,
    driver: r.driver,
    driverConfig,
    multipleUserPlans: r.multiple_user_plans === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** Maps a stored row to a ServicePackage. */
export function toPackage(r: PackageRow): ServicePackage {
  return {
    id: r.id,
    serviceId: r.service_id,
    name: r.name,
    displayName: r.display_name,
    description: r.description,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** Maps a stored user limit (NULL is unlimited) to its core form. */
export function toUserLimit(n: number | null): UserLimit {
  return n === null ? 'Unlimited' : n
}

/** Maps a user limit to its stored form. */
export function fromUserLimit(l: UserLimit): number | null {
  return l === 'Unlimited' ? null : l
}

/** Maps a stored row to a UserPlan. */
export function toPlan(r: PlanRow): UserPlan {
  return {
    id: r.id,
    serviceId: r.service_id,
    name: r.name,
    fullname: r.fullname,
    userlimit: toUserLimit(r.user_limit),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** Maps a stored row to a ServiceProperty. */
export function toProperty(r: PropertyRow): ServiceProperty {
  return {
    id: r.id,
    serviceId: r.service_id,
    name: r.name,
    value: r.value,
    hidden: r.hidden === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** Maps a stored row, with the names of the services offered there, to a Location. */
export function toLocation(r: LocationRow, services: string[]): Location {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    services,
    customerProperties: JSON.parse(r.customer_properties) as CatalogProperty[],
    userAdditionalProperties: JSON.parse(r.user_additional_properties) as CatalogProperty[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

// ---- services ----

/** Finds a service by name (case-insensitive), optionally locking its row. */
export async function findServiceByName(db: Db, name: string, lock?: RowLock): Promise<ServiceRow | undefined> {
  let q = db.selectFrom('services').selectAll().where('name_key', '=', catalogKey(name))
  if (lock === 'update') q = q.forUpdate()
  if (lock === 'share') q = q.forShare()
  return q.executeTakeFirst()
}

/** Every service, by name, optionally locking every row. */
export async function listServiceRows(db: Db, lock?: RowLock): Promise<ServiceRow[]> {
  let q = db.selectFrom('services').selectAll().orderBy('name').orderBy('id')
  if (lock === 'update') q = q.forUpdate()
  if (lock === 'share') q = q.forShare()
  return q.execute()
}

/** Inserts a service. A name already taken (case-insensitively) is a unique violation. */
export async function insertService(db: Db, row: ServiceRow): Promise<void> {
  await db.insertInto('services').values(row).execute()
}

/**
 * Inserts a service unless one of its name (case-insensitively) exists, racing creators
 * included: the loser changes nothing, on both databases.
 */
export async function insertServiceIfAbsent(db: Db, row: ServiceRow): Promise<void> {
  await db.insertInto('services').values(row).onConflict((oc) => oc.column('name_key').doNothing()).execute()
}

/** Changes a service's columns. */
export async function updateServiceRow(db: Db, id: string, set: ServicePatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('services').set(set).where('id', '=', id).execute()
}

/** Deletes a service; its packages, plans, properties and offerings go with it. */
export async function deleteServiceRow(db: Db, id: string): Promise<void> {
  // Explicit rather than left to ON DELETE CASCADE alone, so that it holds whatever the
  // connection's foreign-key setting.
  await db.deleteFrom('location_services').where('service_id', '=', id).execute()
  await db.deleteFrom('service_properties').where('service_id', '=', id).execute()
  await db.deleteFrom('service_plans').where('service_id', '=', id).execute()
  await db.deleteFrom('service_packages').where('service_id', '=', id).execute()
  await db.deleteFrom('services').where('id', '=', id).execute()
}

// ---- packages ----

/** Finds a package of a service by name (case-insensitive). */
export async function findPackage(db: Db, serviceId: string, name: string): Promise<PackageRow | undefined> {
  return db.selectFrom('service_packages').selectAll().where('service_id', '=', serviceId).where('name_key', '=', catalogKey(name)).executeTakeFirst()
}

/** The packages of one service, or of every service when `serviceId` is left out, by name. */
export async function listPackageRows(db: Db, serviceId?: string): Promise<PackageRow[]> {
  let q = db.selectFrom('service_packages').selectAll()
  if (serviceId !== undefined) q = q.where('service_id', '=', serviceId)
  return q.orderBy('name').orderBy('id').execute()
}

/** Inserts a package. A name already used in the service is a unique violation. */
export async function insertPackage(db: Db, row: PackageRow): Promise<void> {
  await db.insertInto('service_packages').values(row).execute()
}

/** Changes a package's columns. */
export async function updatePackageRow(db: Db, id: string, set: PackagePatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('service_packages').set(set).where('id', '=', id).execute()
}

/** Deletes a package. */
export async function deletePackageRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('service_packages').where('id', '=', id).execute()
}

// ---- user plans ----

/** Finds a user plan of a service by name (case-insensitive). */
export async function findPlan(db: Db, serviceId: string, name: string): Promise<PlanRow | undefined> {
  return db.selectFrom('service_plans').selectAll().where('service_id', '=', serviceId).where('name_key', '=', catalogKey(name)).executeTakeFirst()
}

/** The user plans of one service, or of every service when `serviceId` is left out, by name. */
export async function listPlanRows(db: Db, serviceId?: string): Promise<PlanRow[]> {
  let q = db.selectFrom('service_plans').selectAll()
  if (serviceId !== undefined) q = q.where('service_id', '=', serviceId)
  return q.orderBy('name').orderBy('id').execute()
}

/** Inserts a user plan. A name already used in the service is a unique violation. */
export async function insertPlan(db: Db, row: PlanRow): Promise<void> {
  await db.insertInto('service_plans').values(row).execute()
}

/** Changes a user plan's columns. */
export async function updatePlanRow(db: Db, id: string, set: PlanPatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('service_plans').set(set).where('id', '=', id).execute()
}

/** Deletes a user plan. */
export async function deletePlanRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('service_plans').where('id', '=', id).execute()
}

// ---- properties ----

/** Finds a property of a service by name (case-insensitive). */
export async function findProperty(db: Db, serviceId: string, name: string): Promise<PropertyRow | undefined> {
  return db.selectFrom('service_properties').selectAll().where('service_id', '=', serviceId).where('name_key', '=', catalogKey(name)).executeTakeFirst()
}

/**
 * The properties of one service, or of every service when `serviceId` is left out, by name;
 * hidden ones only with `withHidden`.
 */
export async function listPropertyRows(db: Db, serviceId: string | undefined, withHidden: boolean): Promise<PropertyRow[]> {
  let q = db.selectFrom('service_properties').selectAll()
  if (serviceId !== undefined) q = q.where('service_id', '=', serviceId)
  if (!withHidden) q = q.where('hidden', '=', 0)
  return q.orderBy('name').orderBy('id').execute()
}

/** Inserts a property. A name already used in the service is a unique violation. */
export async function insertProperty(db: Db, row: PropertyRow): Promise<void> {
  await db.insertInto('service_properties').values(row).execute()
}

/** Changes a property's columns. */
export async function updatePropertyRow(db: Db, id: string, set: PropertyPatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('service_properties').set(set).where('id', '=', id).execute()
}

/** Deletes a property. */
export async function deletePropertyRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('service_properties').where('id', '=', id).execute()
}

// ---- locations ----

/** Finds a location by name (case-insensitive), optionally locking its row. */
export async function findLocationByName(db: Db, name: string, lock?: RowLock): Promise<LocationRow | undefined> {
  let q = db.selectFrom('locations').selectAll().where('name_key', '=', catalogKey(name))
  if (lock === 'update') q = q.forUpdate()
  if (lock === 'share') q = q.forShare()
  return q.executeTakeFirst()
}

/**
 * Every location, by name; only those offering the service `serviceId` when it is given.
 * With `lock`, every row read is locked.
 */
export async function listLocationRows(db: Db, serviceId?: string, lock?: RowLock): Promise<LocationRow[]> {
  let q = db.selectFrom('locations').selectAll()
  if (serviceId !== undefined) {
    q = q.where('id', 'in', db.selectFrom('location_services').select('location_id').where('service_id', '=', serviceId))
  }
  q = q.orderBy('name').orderBy('id')
  if (lock === 'update') q = q.forUpdate()
  if (lock === 'share') q = q.forShare()
  return q.execute()
}

/** The names of the services offered at each of the locations, sorted: location id → names. */
export async function offeredServiceNames(db: Db, locationIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(locationIds.map((id) => [id, []]))
  if (locationIds.length === 0) return out
  const rows = await db
    .selectFrom('location_services as ls')
    .innerJoin('services as s', 's.id', 'ls.service_id')
    .select(['ls.location_id', 's.name'])
    .where('ls.location_id', 'in', locationIds)
    .orderBy('s.name')
    .orderBy('s.id')
    .execute()
  for (const r of rows) out.get(r.location_id)?.push(r.name)
  return out
}

/** Inserts a location. A name already taken (case-insensitively) is a unique violation. */
export async function insertLocation(db: Db, row: LocationRow): Promise<void> {
  await db.insertInto('locations').values(row).execute()
}

/** Changes a location's columns. */
export async function updateLocationRow(db: Db, id: string, set: LocationPatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('locations').set(set).where('id', '=', id).execute()
}

/** Deletes a location and its offerings. */
export async function deleteLocationRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('location_services').where('location_id', '=', id).execute()
  await db.deleteFrom('locations').where('id', '=', id).execute()
}

/**
 * Makes the services offered at a location exactly `serviceIds`; answers whether anything
 * changed. Refused (`failed_precondition`, nothing changed) when a service would stop being
 * offered where a customer holds it.
 */
export async function setOfferedServices(db: Db, locationId: string, serviceIds: readonly string[]): Promise<boolean> {
  const current = new Set(
    (await db.selectFrom('location_services').select('service_id').where('location_id', '=', locationId).execute()).map((r) => r.service_id),
  )
  const wanted = new Set(serviceIds)
  const gone = [...current].filter((id) => !wanted.has(id))
  const added = [...wanted].filter((id) => !current.has(id))
  if (gone.length > 0) {
    // A service stops being offered only where no customer holds it (`NotProvisioned` aside).
    const held = await db
      .selectFrom('customer_services')
      .innerJoin('services', 'services.id', 'customer_services.service_id')
      .select(['services.name'])
      .where('customer_services.location_id', '=', locationId)
      .where('customer_services.service_id', 'in', gone)
      .where('customer_services.status', '!=', 'NotProvisioned')
      .limit(1)
      .executeTakeFirst()
    if (held) throw new DomainError('failed_precondition', `customers hold ${held.name} at this location; deprovision it there before it stops being offered`, { field: 'services' })
    await db.deleteFrom('location_services').where('location_id', '=', locationId).where('service_id', 'in', gone).execute()
  }
  if (added.length > 0) {
    await db
      .insertInto('location_services')
      .values(added.map((service_id) => ({ location_id: locationId, service_id })))
      .onConflict((oc) => oc.columns(['location_id', 'service_id']).doNothing())
      .execute()
  }
  return gone.length > 0 || added.length > 0
}
