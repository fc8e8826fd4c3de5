import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, insertLocation, offeredServiceNames, setOfferedServices, type Location } from '../../store/catalog.repo.js'
import { getServiceRows, locationFor, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, LocationFields, propertyList } from './schema.js'

/**
 * Adds a location, with the services offered there (by name; an unknown one is `not_found`)
 * and its customer properties and user additional properties (`value` '' and visible unless
 * given; a name repeated in a list is `invalid_argument`). Answers it whole, hidden properties
 * included.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Location names are unique case-insensitively (`already_exists`).
 */
export const createLocation = defineOp({
  name: 'location.create',
  input: Type.Object({ name: CatalogName, ...LocationFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<Location> {
    requireCatalogWriter(ctx)
    const customer = propertyList(input.customerProperties ?? [], 'customerProperties')
    const user = propertyList(input.userAdditionalProperties ?? [], 'userAdditionalProperties')
    return ctx.store.write(async (trx) => {
      const services = await getServiceRows(ctx, trx, input.services ?? [])
      const now = nowIso(ctx.clock)
      const row = {
        id: newId(),
        name: input.name,
        name_key: catalogKey(input.name),
        description: input.description ?? '',
        customer_properties: JSON.stringify(customer),
        user_additional_properties: JSON.stringify(user),
        created_at: now,
        updated_at: now,
      }
      await mapUnique(
        () => insertLocation(trx, row),
        () => `a location named ${JSON.stringify(input.name)} already exists`,
      )
      await setOfferedServices(
        trx,
        row.id,
        services.map((s) => s.id),
      )
      const offered = await offeredServiceNames(trx, [row.id])
      return locationFor(row, offered.get(row.id) ?? [], true)
    })
  },
})
