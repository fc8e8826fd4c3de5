import { Type, type Static } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import type { Db } from '../../store/store.js'
import { mapUnique, nowIso } from '../../store/store.js'
import {
  catalogKey,
  deleteLocationRow,
  deletePackageRow,
  deletePlanRow,
  deletePropertyRow,
  deleteServiceRow,
  fromUserLimit,
  insertLocation,
  insertPackage,
  insertPlan,
  insertProperty,
  insertService,
  listLocationRows,
  listPackageRows,
  listPlanRows,
  listPropertyRows,
  listServiceRows,
  offeredServiceNames,
  setOfferedServices,
  updateLocationRow,
  updatePackageRow,
  updatePlanRow,
  updatePropertyRow,
  updateServiceRow,
} from '../../store/catalog.repo.js'
import { rowLock } from '../../store/cloud.repo.js'
import { catalogEntryUse, forgetCatalogEntry, type CatalogEntry } from '../../store/services.repo.js'
import { requireCatalogWriter } from './catalog-access.js'
import { sealDriverConfig } from './driver-secrets.js'
import { CatalogDocumentInput, driverConfigText, propertyList, requireDistinctNames, userLimitOf } from './schema.js'

/** What an import did to one kind of catalogue object. */
export interface ImportCounts {
  created: number
  updated: number
  deleted: number
  unchanged: number
}

/** What an import did, per kind of object. */
export interface ImportSummary {
  services: ImportCounts
  packages: ImportCounts
  plans: ImportCounts
  properties: ImportCounts
  locations: ImportCounts
}

type Entry = Static<typeof CatalogDocumentInput>

/**
 * Makes the catalogue hold a catalogue document, in one transaction, and answers what changed.
 *
 * Each service and location the document names is made exactly as written: fields left out
 * take their defaults, and a service's `packages`, `plans` and `properties` are its complete
 * lists (those not listed are removed). Names are matched case-insensitively, so a name
 * written in another case renames. Services and locations the document does not name are
 * kept, unless `prune` is set: then they are removed, and the catalogue is the document.
 * Importing the same document again changes nothing (every count but `unchanged` is 0).
 * Secret driver settings are sealed; one given as `{"set": true}` (as an export answers it)
 * keeps the service's stored secret, so an export imports as no change.
 *
 * The document is checked whole before anything is written: a name repeated in a list, or a
 * location offering a service that is neither in the document nor kept in the catalogue, is
 * `invalid_argument`. Only an actor acting for the master organisation with `catalog.write`
 * may import (`forbidden` otherwise).
 */
export const importCatalog = defineOp({
  name: 'catalog.import',
  input: Type.Object({ document: CatalogDocumentInput, prune: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ImportSummary> {
    requireCatalogWriter(ctx)
    const services = (input.document.services ?? []).map(wantedService)
    const locations = (input.document.locations ?? []).map(wantedLocation)
    requireDistinctNames(
      services.map((s) => s.row.name),
      'services',
    )
    requireDistinctNames(
      locations.map((l) => l.row.name),
      'locations',
    )

    return ctx.store.write(async (trx) => {
      const now = nowIso(ctx.clock)
      const summary: ImportSummary = { services: counts(), packages: counts(), plans: counts(), properties: counts(), locations: counts() }
      const clash = (what: string) => () => `${what} was created by another request meanwhile; import again`
      // Every existing service and location is locked (PostgreSQL): a concurrent change or
      // deletion waits for the import rather than pulling a row from under it.
      const lock = rowLock(ctx.store.dialect, 'update')

      // Services, each with its children.
      const existing = new Map((await listServiceRows(trx, lock)).map((r) => [r.name_key, r]))
      const serviceIds = new Map<string, { id: string; name: string }>()
      for (const w of services) {
        const key = catalogKey(w.row.name)
        const cur = existing.get(key)
        const id = cur?.id ?? newId()
        // Sealed against what is stored: a secret given as {"set": true}, or as the one stored, keeps its stored text.
        const row = {
          ...w.row,
          driver_config: sealDriverConfig(ctx.secrets, { serviceId: id, driver: w.row.driver, config: w.driverConfig, stored: cur?.driver_config, field: w.field }),
        }
        if (!cur) {
          await mapUnique(() => insertService(trx, { ...row, id, name_key: key, created_at: now, updated_at: now }), clash(`service ${w.row.name}`))
          summary.services.created++
        } else {
          const set = changed(cur, row)
          if (set) {
            await updateServiceRow(trx, id, { ...set, updated_at: now })
            summary.services.updated++
          } else summary.services.unchanged++
        }
        serviceIds.set(key, { id, name: w.row.name })
        await syncChildren(trx, id, w.packages, now, summary.packages, {
          list: (db, sid) => listPackageRows(db, sid),
          insert: (db, row) => mapUnique(() => insertPackage(db, row), clash(`package ${row.name}`)),
          update: updatePackageRow,
          remove: unlessInUse('package', deletePackageRow, `a package of ${w.row.name}`),
        })
        await syncChildren(trx, id, w.plans, now, summary.plans, {
          list: (db, sid) => listPlanRows(db, sid),
          insert: (db, row) => mapUnique(() => insertPlan(db, row), clash(`user plan ${row.name}`)),
          update: updatePlanRow,
          remove: unlessInUse('plan', deletePlanRow, `a user plan of ${w.row.name}`),
        })
        await syncChildren(trx, id, w.properties, now, summary.properties, {
          list: (db, sid) => listPropertyRows(db, sid, true),
          insert: (db, row) => mapUnique(() => insertProperty(db, row), clash(`property ${row.name}`)),
          update: updatePropertyRow,
          remove: deletePropertyRow,
        })
      }
      for (const [key, cur] of existing) {
        if (serviceIds.has(key)) continue
        if (!input.prune) {
          serviceIds.set(key, { id: cur.id, name: cur.name })
          continue
        }
        summary.packages.deleted += (await listPackageRows(trx, cur.id)).length
        summary.plans.deleted += (await listPlanRows(trx, cur.id)).length
        summary.properties.deleted += (await listPropertyRows(trx, cur.id, true)).length
        await unlessInUse('service', deleteServiceRow, `service ${cur.name}`)(trx, cur.id)
        summary.services.deleted++
      }

      // Locations, with the services offered there.
      const locationRows = await listLocationRows(trx, undefined, lock)
      const offered = await offeredServiceNames(
        trx,
        locationRows.map((r) => r.id),
      )
      const existingLocations = new Map(locationRows.map((r) => [r.name_key, r]))
      const seen = new Set<string>()
      for (const [i, w] of locations.entries()) {
        const ids = w.services.map((name) => {
          const s = serviceIds.get(catalogKey(name))
          if (!s) {
            const why = input.prune ? 'is not in the document' : 'is neither in the document nor in the catalogue'
            throw new DomainError('invalid_argument', `locations.${i}.services: service ${JSON.stringify(name)} ${why}`, {
              field: `locations.${i}.services`,
            })
          }
          return s
        })
        const key = catalogKey(w.row.name)
        seen.add(key)
        const cur = existingLocations.get(key)
        if (!cur) {
          const id = newId()
          await mapUnique(() => insertLocation(trx, { ...w.row, id, name_key: key, created_at: now, updated_at: now }), clash(`location ${w.row.name}`))
          await setOfferedServices(
            trx,
            id,
            ids.map((s) => s.id),
          )
          summary.locations.created++
          continue
        }
        const set = changed(cur, w.row)
        const before = new Set(offered.get(cur.id) ?? [])
        const offeringChanged = before.size !== ids.length || ids.some((s) => !before.has(s.name))
        if (offeringChanged) {
          await setOfferedServices(
            trx,
            cur.id,
            ids.map((s) => s.id),
          )
        }
        if (set || offeringChanged) {
          await updateLocationRow(trx, cur.id, { ...set, updated_at: now })
          summary.locations.updated++
        } else summary.locations.unchanged++
      }
      if (input.prune) {
        for (const [key, cur] of existingLocations) {
          if (seen.has(key)) continue
          await unlessInUse('location', deleteLocationRow, `location ${cur.name}`)(trx, cur.id)
          summary.locations.deleted++
        }
      }
      return summary
    })
  },
})

/**
 * Wraps a catalogue deletion: refused (`failed_precondition`, the whole import with it) while
 * customer services use the entry, and what `NotProvisioned` ones keep of it let go first.
 */
function unlessInUse(kind: CatalogEntry['kind'], remove: (db: Db, id: string) => Promise<void>, what: string) {
  return async (db: Db, id: string): Promise<void> => {
    const used = await catalogEntryUse(db, { kind, id })
    if (used > 0) throw new DomainError('failed_precondition', `the document removes ${what}, which ${used} customer service${used === 1 ? ' uses' : 's use'}; deprovision first`)
    await forgetCatalogEntry(db, { kind, id })
    await remove(db, id)
  }
}

function counts(): ImportCounts {
  return { created: 0, updated: 0, deleted: 0, unchanged: 0 }
}

/** The columns of `want` whose values differ from `cur`'s, or undefined when none do. */
function changed<T extends object>(cur: T, want: Partial<T>): Partial<T> | undefined {
  const set: Partial<T> = {}
  let any = false
  for (const k of Object.keys(want) as (keyof T)[]) {
    if (cur[k] !== want[k]) {
      set[k] = want[k]
      any = true
    }
  }
  return any ? set : undefined
}

type ServiceEntry = NonNullable<Entry['services']>[number]
type LocationEntry = NonNullable<Entry['locations']>[number]

/** The stored columns a service entry asks for (defaults filled in), with its children's. */
function wantedService(s: ServiceEntry, i: number) {
  const at = `services.${i}`
  const packages = s.packages ?? []
  const plans = s.plans ?? []
  requireDistinctNames(
    packages.map((p) => p.name),
    `${at}.packages`,
  )
  requireDistinctNames(
    plans.map((p) => p.name),
    `${at}.plans`,
  )
  driverConfigText(s.driverConfig ?? {}, `${at}.driverConfig`)
  return {
    row: {
      name: s.name,
      display_name: s.displayName ?? '',
      version: s.version ?? '',
      description: s.description ?? '',
      driver: s.driver ?? 'noop',
      multiple_user_plans: s.multipleUserPlans ? 1 : 0,
    },
    driverConfig: s.driverConfig ?? {},
    field: `${at}.driverConfig`,
    packages: packages.map((p) => ({ name: p.name, display_name: p.displayName ?? '', description: p.description ?? '' })),
    plans: plans.map((p) => ({ name: p.name, fullname: p.fullname ?? '', user_limit: fromUserLimit(userLimitOf(p.userlimit ?? 'Unlimited')) })),
    properties: propertyList(s.properties ?? [], `${at}.properties`).map((p) => ({ name: p.name, value: p.value, hidden: p.hidden ? 1 : 0 })),
  }
}

/** The stored columns a location entry asks for (defaults filled in), and the services it offers. */
function wantedLocation(l: LocationEntry, i: number) {
  const at = `locations.${i}`
  const services = l.services ?? []
  requireDistinctNames(services, `${at}.services`)
  return {
    row: {
      name: l.name,
      description: l.description ?? '',
      customer_properties: JSON.stringify(propertyList(l.customerProperties ?? [], `${at}.customerProperties`)),
      user_additional_properties: JSON.stringify(propertyList(l.userAdditionalProperties ?? [], `${at}.userAdditionalProperties`)),
    },
    services,
  }
}

/** The columns every child row of a service has; the rest are the kind's own. */
interface ChildRow {
  id: string
  service_id: string
  name: string
  name_key: string
  created_at: string
  updated_at: string
}

/** How to read and write one kind of child row. */
interface ChildStore<R extends ChildRow> {
  list(db: Db, serviceId: string): Promise<R[]>
  insert(db: Db, row: R): Promise<void>
  update(db: Db, id: string, set: Partial<R>): Promise<void>
  remove(db: Db, id: string): Promise<void>
}

/** Makes a service's children of one kind exactly `wanted` (matched by name, case-insensitively), counting what changed. */
async function syncChildren<R extends ChildRow>(
  trx: Db,
  serviceId: string,
  wanted: Omit<R, 'id' | 'service_id' | 'name_key' | 'created_at' | 'updated_at'>[],
  now: string,
  c: ImportCounts,
  store: ChildStore<R>,
): Promise<void> {
  const current = new Map((await store.list(trx, serviceId)).map((r) => [r.name_key, r]))
  const kept = new Set<string>()
  for (const w of wanted) {
    const key = catalogKey(w.name)
    kept.add(key)
    const cur = current.get(key)
    if (!cur) {
      await store.insert(trx, { ...w, id: newId(), service_id: serviceId, name_key: key, created_at: now, updated_at: now } as R)
      c.created++
      continue
    }
    const set = changed(cur, w as Partial<R>)
    if (set) {
      await store.update(trx, cur.id, { ...set, updated_at: now })
      c.updated++
    } else c.unchanged++
  }
  for (const [key, cur] of current) {
    if (kept.has(key)) continue
    await store.remove(trx, cur.id)
    c.deleted++
  }
}
