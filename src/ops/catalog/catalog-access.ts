/**
 * Checks shared by the catalogue operations: who may change the catalogue, who sees hidden
 * properties and driver settings, and loading services and locations by name.
 */
import type { Ctx } from '../context.js'
import { actsForMaster, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { can } from '../../core/roles.js'
import type { Db } from '../../store/store.js'
import { rowLock, type RowLock } from '../../store/cloud.repo.js'
import {
  findLocationByName,
  findServiceByName,
  toLocation,
  toService,
  type CatalogProperty,
  type Location,
  type LocationRow,
  type Service,
  type ServiceRow,
} from '../../store/catalog.repo.js'
import { redactDriverConfig } from './driver-secrets.js'

/**
 * Throws `forbidden` unless the actor may change the service catalogue: it acts for the master
 * organisation and its role carries `catalog.write`.
 */
export function requireCatalogWriter(ctx: Ctx): void {
  requirePermission(ctx, 'catalog.write')
  if (!actsForMaster(ctx)) throw new DomainError('forbidden', 'only the master organisation may change the service catalogue')
}

/** True when the actor may change the catalogue (and so sees driver settings). */
export function isCatalogWriter(ctx: Ctx): boolean {
  return actsForMaster(ctx) && can(ctx.actor.role, 'catalog.write')
}

/** True when hidden properties are shown: asked for with `filter: 'all'`, by an actor of the master organisation. */
export function showsHidden(ctx: Ctx, filter: 'all' | undefined): boolean {
  return filter === 'all' && actsForMaster(ctx)
}

/** The properties of `list` the reader sees. */
export function visibleProperties<P extends CatalogProperty>(list: P[], withHidden: boolean): P[] {
  return withHidden ? list : list.filter((p) => !p.hidden)
}

/**
 * A service as the actor may see it: driver settings only for catalogue writers, and their
 * secrets never (`{"set": true}` in their place).
 */
export function serviceFor(ctx: Ctx, row: ServiceRow): Service {
  const s = toService(row)
  if (isCatalogWriter(ctx)) s.driverConfig = redactDriverConfig(row.driver, row.driver_config)
  else delete s.driverConfig
  return s
}

/**
 * Loads a service by name (case-insensitive) or throws `not_found`. Inside a write transaction
 * pass `lock` so that a concurrent deletion of the service waits for this transaction.
 */
export async function getServiceRow(ctx: Ctx, db: Db, name: string, lock?: RowLock): Promise<ServiceRow> {
  const s = await findServiceByName(db, name, lock && rowLock(ctx.store.dialect, lock))
  if (!s) throw new DomainError('not_found', `service ${JSON.stringify(name)} not found`, { resource: 'service' })
  return s
}

/**
 * Loads a location by name (case-insensitive) or throws `not_found`. Inside a write
 * transaction pass `lock` so that a concurrent deletion of the location waits.
 */
export async function getLocationRow(ctx: Ctx, db: Db, name: string, lock?: RowLock): Promise<LocationRow> {
  const l = await findLocationByName(db, name, lock && rowLock(ctx.store.dialect, lock))
  if (!l) throw new DomainError('not_found', `location ${JSON.stringify(name)} not found`, { resource: 'location' })
  return l
}

/**
 * Resolves service names to their rows, share-locked (a service being offered cannot be
 * deleted under the transaction); an unknown name is `not_found`, a name given twice is
 * `invalid_argument`.
 */
export async function getServiceRows(ctx: Ctx, db: Db, names: readonly string[]): Promise<ServiceRow[]> {
  const out: ServiceRow[] = []
  const seen = new Set<string>()
  for (const n of names) {
    const s = await getServiceRow(ctx, db, n, 'share')
    if (seen.has(s.id)) throw new DomainError('invalid_argument', `services names ${JSON.stringify(n)} twice`, { field: 'services' })
    seen.add(s.id)
    out.push(s)
  }
  return out
}

/** A location as the reader sees it: hidden properties only `withHidden`. */
export function locationFor(row: LocationRow, services: string[], withHidden: boolean): Location {
  const l = toLocation(row, services)
  l.customerProperties = visibleProperties(l.customerProperties, withHidden)
  l.userAdditionalProperties = visibleProperties(l.userAdditionalProperties, withHidden)
  return l
}
