import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listPropertyRows, toProperty, type ServiceProperty } from '../../store/catalog.repo.js'
import { getServiceRow, showsHidden } from './catalog-access.js'
import { PropertyFilter } from './schema.js'

/**
 * Lists a service's properties by name (`not_found` when the service does not exist). Any
 * authenticated actor may read them; hidden properties are listed only with `filter: 'all'`
 * and only to an actor acting for the master organisation (others get the visible ones).
 */
export const listProperties = defineOp({
  name: 'service_property.list',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), filter: Type.Optional(PropertyFilter) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ServiceProperty[]> {
    const s = await getServiceRow(ctx, ctx.store.db, input.service)
    return (await listPropertyRows(ctx.store.db, s.id, showsHidden(ctx, input.filter))).map(toProperty)
  },
})
