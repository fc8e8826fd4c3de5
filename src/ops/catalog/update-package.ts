import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, findPackage, toPackage, updatePackageRow, type ServicePackage, type PackagePatch } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, PackageFields } from './schema.js'

/**
 * Changes a package's fields, its name included; fields left out keep their values.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Names stay unique within the service (`already_exists`).
 */
export const updatePackage = defineOp({
  name: 'service_package.update',
  input: Type.Object(
    { service: Type.String({ maxLength: 200 }), package: Type.String({ maxLength: 200 }), name: Type.Optional(CatalogName), ...PackageFields },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ServicePackage> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const p = await findPackage(trx, s.id, input.package)
      if (!p) throw new DomainError('not_found', `service ${s.name} has no package ${JSON.stringify(input.package)}`, { resource: 'package' })
      const set: PackagePatch = {}
      if (input.name !== undefined) {
        set.name = input.name
        set.name_key = catalogKey(input.name)
      }
      if (input.displayName !== undefined) set.display_name = input.displayName
      if (input.description !== undefined) set.description = input.description
      if (Object.keys(set).length > 0) set.updated_at = nowIso(ctx.clock)
      await mapUnique(
        () => updatePackageRow(trx, p.id, set),
        () => `service ${s.name} already has a package named ${JSON.stringify(input.name)}`,
      )
      return toPackage({ ...p, ...set } as typeof p)
    })
  },
})
