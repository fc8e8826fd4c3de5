import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, insertProperty, toProperty, type ServiceProperty } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, PropertyFields } from './schema.js'

/**
 * Adds a property to a service (`not_found` when the service does not exist); its value is ''
 * and it is visible unless given.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Property names are unique within the service, case-insensitively
 * (`already_exists`), hidden ones included.
 */
export const createProperty = defineOp({
  name: 'service_property.create',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), name: CatalogName, ...PropertyFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<ServiceProperty> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const now = nowIso(ctx.clock)
      const row = {
        id: newId(),
        service_id: s.id,
        name: input.name,
        name_key: catalogKey(input.name),
        value: input.value ?? '',
        hidden: input.hidden ? 1 : 0,
        created_at: now,
        updated_at: now,
      }
      await mapUnique(
        () => insertProperty(trx, row),
        () => `service ${s.name} already has a property named ${JSON.stringify(input.name)}`,
      )
      return toProperty(row)
    })
  },
})
