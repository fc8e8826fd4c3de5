import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deletePackageRow, findPackage } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'

/**
 * Removes a package from a service (`not_found` when there is none).
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
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const p = await findPackage(trx, s.id, input.package)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no package ${JSON.stringify(input.package)}`)
      await deletePackageRow(trx, p.id)
    })
  },
})
