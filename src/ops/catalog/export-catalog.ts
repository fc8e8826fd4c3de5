import { Type } from 'typebox'
import { defineOp } from '../context.js'
import {
  listLocationRows,
  listPackageRows,
  listPlanRows,
  listPropertyRows,
  listServiceRows,
  offeredServiceNames,
  toLocation,
  toUserLimit,
} from '../../store/catalog.repo.js'
import { isCatalogWriter, showsHidden, visibleProperties } from './catalog-access.js'
import { PropertyFilter, type CatalogDocument } from './schema.js'
import { redactDriverConfig } from './driver-secrets.js'

/**
 * Answers the whole catalogue as one document, in the shape `importCatalog` takes: services by
 * name with their packages, user plans and properties by name, then locations by name. Every
 * field is given, so importing the answer changes nothing.
 *
 * Any authenticated actor may read it. Hidden properties are included only with
 * `filter: 'all'` and only for an actor acting for the master organisation, and driver
 * settings only for catalogue writers (others get `driverConfig: {}`), their secrets as
 * `{"set": true}` (which an import reads as "keep the stored secret"): a copy meant to be
 * imported again must be exported with `filter: 'all'` by a catalogue writer, or the import
 * removes what the copy lacks.
 */
export const exportCatalog = defineOp({
  name: 'catalog.export',
  input: Type.Object({ filter: Type.Optional(PropertyFilter) }, { additionalProperties: false }),
  async run(ctx, input): Promise<CatalogDocument> {
    const db = ctx.store.db
    const withHidden = showsHidden(ctx, input.filter)
    const writer = isCatalogWriter(ctx)
    const [services, packages, plans, properties, locations] = await Promise.all([
      listServiceRows(db),
      listPackageRows(db),
      listPlanRows(db),
      listPropertyRows(db, undefined, withHidden),
      listLocationRows(db),
    ])
    const offered = await offeredServiceNames(
      db,
      locations.map((l) => l.id),
    )
    const of = <T extends { service_id: string }>(rows: T[], id: string) => rows.filter((r) => r.service_id === id)
    return {
      services: services.map((s) => ({
        name: s.name,
        displayName: s.display_name,
        version: s.version,
        description: s.description,
        driver: s.driver,
        driverConfig: writer ? redactDriverConfig(s.driver, s.driver_config) : {},
        multipleUserPlans: s.multiple_user_plans === 1,
        packages: of(packages, s.id).map((p) => ({ name: p.name, displayName: p.display_name, description: p.description })),
        plans: of(plans, s.id).map((p) => ({ name: p.name, fullname: p.fullname, userlimit: toUserLimit(p.user_limit) })),
        properties: of(properties, s.id).map((p) => ({ name: p.name, value: p.value, hidden: p.hidden === 1 })),
      })),
      locations: locations.map((r) => {
        const l = toLocation(r, offered.get(r.id) ?? [])
        return {
          name: l.name,
          description: l.description,
          services: l.services,
          customerProperties: visibleProperties(l.customerProperties, withHidden),
          userAdditionalProperties: visibleProperties(l.userAdditionalProperties, withHidden),
        }
      }),
    }
  },
})
