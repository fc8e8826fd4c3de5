import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, insertPackage, toPackage, type ServicePackage } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter } from './catalog-access.js'
import { CatalogName, PackageFields } from './schema.js'

/**
 * Adds a package to a service (`not_found` when the service does not exist).
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Package names are unique within the service, case-insensitively
 * (`already_exists`).
 */
export const createPackage = defineOp({
  name: 'service_package.create',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), name: CatalogName, ...PackageFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<ServicePackage> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'share')
      const now = nowIso(ctx.clock)
      const row = {
        id: newId(),
        service_id: s.id,
        name: input.name,
        name_key: catalogKey(input.name),
        display_name: input.displayName ?? '',
        description: input.description ?? '',
        created_at: now,
        updated_at: now,
      }
      await mapUnique(
        () => insertPackage(trx, row),
        () => `service ${s.name} already has a package named ${JSON.stringify(input.name)}`,
      )
      return toPackage(row)
    })
  },
})
