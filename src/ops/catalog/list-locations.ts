import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { findServiceByName, listLocationRows, offeredServiceNames, type Location } from '../../store/catalog.repo.js'
import { locationFor, showsHidden } from './catalog-access.js'
import { PropertyFilter } from './schema.js'

/**
 * Lists the locations by name, with the services offered at each; with `service`, only the
 * locations offering that service (none when there is no such service: a search, not a lookup).
 *
 * Any authenticated actor may read them; hidden properties are shown only with `filter: 'all'`
 * and only to an actor acting for the master organisation.
 */
export const listLocations = defineOp({
  name: 'location.list',
  input: Type.Object(
    { service: Type.Optional(Type.String({ maxLength: 200 })), filter: Type.Optional(PropertyFilter) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Location[]> {
    const db = ctx.store.db
    let serviceId: string | undefined
    if (input.service !== undefined) {
      const s = await findServiceByName(db, input.service)
      if (!s) return []
      serviceId = s.id
    }
    const rows = await listLocationRows(db, serviceId)
    const offered = await offeredServiceNames(
      db,
      rows.map((r) => r.id),
    )
    const withHidden = showsHidden(ctx, input.filter)
    return rows.map((r) => locationFor(r, offered.get(r.id) ?? [], withHidden))
  },
})
