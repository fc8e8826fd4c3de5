import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteServiceRow } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { DomainError } from '../../core/errors.js'
import { catalogEntryUse, forgetCatalogEntry } from '../../store/services.repo.js'

/**
 * Removes a service from the catalogue with its packages, user plans and properties, and
 * stops offering it at every location. Refused (`failed_precondition`) while any customer holds
 * the service in a status other than `NotProvisioned`.
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
      const used = await catalogEntryUse(trx, { kind: 'service', id: s.id })
      if (used > 0) throw new DomainError('failed_precondition', `${s.name} is provisioned to ${used} customer${used === 1 ? '' : 's'}; deprovision it first`)
      await forgetCatalogEntry(trx, { kind: 'service', id: s.id })
      await deleteServiceRow(trx, s.id)
    })
  },
})
