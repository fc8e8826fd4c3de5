import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { offeredServiceNames, type Location } from '../../store/catalog.repo.js'
import { getLocationRow, locationFor, showsHidden } from './catalog-access.js'
import { PropertyFilter } from './schema.js'

/**
 * Answers one location by name, case-insensitively (`not_found` otherwise), with the services
 * offered there, its customer properties and user additional properties.
 *
 * Any authenticated actor may read it; hidden properties are shown only with `filter: 'all'`
 * and only to an actor acting for the master organisation.
 */
export const getLocation = defineOp({
  name: 'location.get',
  input: Type.Object({ location: Type.String({ maxLength: 200 }), filter: Type.Optional(PropertyFilter) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Location> {
    const row = await getLocationRow(ctx, ctx.store.db, input.location)
    const offered = await offeredServiceNames(ctx.store.db, [row.id])
    return locationFor(row, offered.get(row.id) ?? [], showsHidden(ctx, input.filter))
  },
})
