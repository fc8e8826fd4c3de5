import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteServiceRow } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'

/**
 * Removes a service from the catalogue with its packages, user plans and properties, and
 * stops offering it at every location.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise).
 */
export const deleteService = defineOp({
  name: 'service.delete',
  input: Type.Object({ service: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    await ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'update')
      await deleteServiceRow(trx, s.id)
    })
  },
})
