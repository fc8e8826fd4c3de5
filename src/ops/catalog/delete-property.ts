import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deletePropertyRow, findProperty } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'

/**
 * Removes a property from a service (`not_found` when there is none), hidden or not.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise).
 */
export const deleteProperty = defineOp({
  name: 'service_property.delete',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), property: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    await ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const p = await findProperty(trx, s.id, input.property)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no property ${JSON.stringify(input.property)}`, { resource: 'property' })
      await deletePropertyRow(trx, p.id)
    })
  },
})
