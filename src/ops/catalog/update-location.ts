import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, offeredServiceNames, setOfferedServices, updateLocationRow, type Location, type LocationPatch } from '../../store/catalog.repo.js'
import { getLocationRow, getServiceRows, locationFor, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, LocationFields, propertyList } from './schema.js'

/**
 * Changes a location: its name, description, and — each replaced whole when given — the
 * services offered there (an unknown one is `not_found`), its customer properties and its
 * user additional properties. Fields left out keep their values. Answers it whole, hidden
 * properties included.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Names stay unique case-insensitively (`already_exists`).
 */
export const updateLocation = defineOp({
  name: 'location.update',
  input: Type.Object(
    { location: Type.String({ maxLength: 200 }), name: Type.Optional(CatalogName), ...LocationFields },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Location> {
    requireCatalogWriter(ctx)
    const customer = input.customerProperties && propertyList(input.customerProperties, 'customerProperties')
    const user = input.userAdditionalProperties && propertyList(input.userAdditionalProperties, 'userAdditionalProperties')
    return ctx.store.write(async (trx) => {
      const l = await getLocationRow(ctx, trx, input.location, 'update')
      const set: LocationPatch = {}
      if (input.name !== undefined) {
        set.name = input.name
        set.name_key = catalogKey(input.name)
      }
      if (input.description !== undefined) set.description = input.description
      if (customer) set.customer_properties = JSON.stringify(customer)
      if (user) set.user_additional_properties = JSON.stringify(user)
      let offeringChanged = false
      if (input.services !== undefined) {
        const services = await getServiceRows(ctx, trx, input.services)
        offeringChanged = await setOfferedServices(
          trx,
          l.id,
          services.map((s) => s.id),
        )
      }
      if (Object.keys(set).length > 0 || offeringChanged) set.updated_at = nowIso(ctx.clock)
      await mapUnique(
        () => updateLocationRow(trx, l.id, set),
        () => `a location named ${JSON.stringify(input.name)} already exists`,
      )
      const offered = await offeredServiceNames(trx, [l.id])
      return locationFor({ ...l, ...set } as typeof l, offered.get(l.id) ?? [], true)
    })
  },
})
