import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findProperty, toProperty, type ServiceProperty } from '../../store/catalog.repo.js'
import { getServiceRow, showsHidden } from './catalog-access.js'
import { PropertyFilter } from './schema.js'

/**
 * Answers one property of a service by name, case-insensitively (`not_found` otherwise). A
 * hidden property is found only with `filter: 'all'` by an actor acting for the master
 * organisation; to anyone else it does not exist.
 */
export const getProperty = defineOp({
  name: 'service_property.get',
  input: Type.Object(
    { service: Type.String({ maxLength: 200 }), property: Type.String({ maxLength: 200 }), filter: Type.Optional(PropertyFilter) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ServiceProperty> {
    const s = await getServiceRow(ctx, ctx.store.db, input.service)
    const p = await findProperty(ctx.store.db, s.id, input.property)
    if (!p || (p.hidden === 1 && !showsHidden(ctx, input.filter))) {
      throw new DomainError('not_found', `service ${s.name} has no property ${JSON.stringify(input.property)}`, { resource: 'property' })
    }
    return toProperty(p)
  },
})
