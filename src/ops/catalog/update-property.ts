import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, findProperty, toProperty, updatePropertyRow, type ServiceProperty, type PropertyPatch } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, PropertyFields } from './schema.js'

/**
 * Changes a property's name, value or hidden flag; fields left out keep their values.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise); it finds hidden properties without asking. Names stay unique within the service
 * (`already_exists`).
 */
export const updateProperty = defineOp({
  name: 'service_property.update',
  input: Type.Object(
    { service: Type.String({ maxLength: 200 }), property: Type.String({ maxLength: 200 }), name: Type.Optional(CatalogName), ...PropertyFields },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ServiceProperty> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const p = await findProperty(trx, s.id, input.property)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no property ${JSON.stringify(input.property)}`, { resource: 'property' })
      const set: PropertyPatch = {}
      if (input.name !== undefined) {
        set.name = input.name
        set.name_key = catalogKey(input.name)
      }
      if (input.value !== undefined) set.value = input.value
      if (input.hidden !== undefined) set.hidden = input.hidden ? 1 : 0
      if (Object.keys(set).length > 0) set.updated_at = nowIso(ctx.clock)
      await mapUnique(
        () => updatePropertyRow(trx, p.id, set),
        () => `service ${s.name} already has a property named ${JSON.stringify(input.name)}`,
      )
      return toProperty({ ...p, ...set } as typeof p)
    })
  },
})
