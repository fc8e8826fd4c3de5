import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteLocationRow } from '../../store/catalog.repo.js'
import { getLocationRow, requireCatalogWriter } from './catalog-access.js'
import { DomainError } from '../../core/errors.js'
import { catalogEntryUse, forgetCatalogEntry } from '../../store/services.repo.js'

/**
 * Removes a location (`not_found` when there is none); the services offered there stay in the
 * catalogue. Refused (`failed_precondition`) while customer services provisioned there are not
 * `NotProvisioned`.
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
      const used = await catalogEntryUse(trx, { kind: 'location', id: l.id })
      if (used > 0) throw new DomainError('failed_precondition', `${used} customer service${used === 1 ? ' is' : 's are'} provisioned at ${l.name}; deprovision ${used === 1 ? 'it' : 'them'} first`)
      await forgetCatalogEntry(trx, { kind: 'location', id: l.id })
      await deleteLocationRow(trx, l.id)
    })
  },
})
