import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteLocationRow } from '../../store/catalog.repo.js'
import { getLocationRow, requireCatalogWriter } from './catalog-access.js'

/**
 * Removes a location (`not_found` when there is none); the services offered there stay in the
 * catalogue.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise).
 */
export const deleteLocation = defineOp({
  name: 'location.delete',
  input: Type.Object({ location: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    await ctx.store.write(async (trx) => {
      const l = await getLocationRow(ctx, trx, input.location, 'update')
      await deleteLocationRow(trx, l.id)
    })
  },
})
