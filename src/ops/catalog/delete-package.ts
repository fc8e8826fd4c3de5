import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deletePackageRow, findPackage } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { catalogEntryUse, forgetCatalogEntry } from '../../store/services.repo.js'

/**
 * Removes a package from a service (`not_found` when there is none). Refused
 * (`failed_precondition`) while a customer holding the service has the package enabled.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise).
 */
export const deletePackage = defineOp({
  name: 'service_package.delete',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), package: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    await ctx.store.write(async (trx) => {
      // 'update': waits for provisionings of the service (they hold it 'share') to commit.
      const s = await getServiceRow(ctx, trx, input.service, 'update')
      const p = await findPackage(trx, s.id, input.package)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no package ${JSON.stringify(input.package)}`, { resource: 'package' })
      const used = await catalogEntryUse(trx, { kind: 'package', id: p.id })
      if (used > 0) throw new DomainError('failed_precondition', `package ${p.name} is enabled for ${used} customer${used === 1 ? '' : 's'} of ${s.name}; disable it first`)
      await forgetCatalogEntry(trx, { kind: 'package', id: p.id })
      await deletePackageRow(trx, p.id)
    })
  },
})
