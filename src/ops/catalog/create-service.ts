import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, insertService, type Service } from '../../store/catalog.repo.js'
import { requireCatalogWriter, serviceFor } from './catalog-access.js'
import { CatalogName, driverConfigText, ServiceFields } from './schema.js'

/**
 * Adds a service to the catalogue, without packages, plans or properties (add those with their
 * own operations). Unset fields default to empty text, the `noop` driver with no settings, and
 * one user plan per user.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Service names are unique case-insensitively (`already_exists`).
 */
export const createService = defineOp({
  name: 'service.create',
  input: Type.Object({ name: CatalogName, ...ServiceFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<Service> {
    requireCatalogWriter(ctx)
    const config = driverConfigText(input.driverConfig ?? {})
    return ctx.store.write(async (trx) => {
      const now = nowIso(ctx.clock)
      const row = {
        id: newId(),
        name: input.name,
        name_key: catalogKey(input.name),
        display_name: input.displayName ?? '',
        version: input.version ?? '',
        description: input.description ?? '',
        driver: input.driver ?? 'noop',
        driver_config: config,
        multiple_user_plans: input.multipleUserPlans ? 1 : 0,
        created_at: now,
        updated_at: now,
      }
      await mapUnique(
        () => insertService(trx, row),
        () => `a service named ${JSON.stringify(input.name)} already exists`,
      )
      return serviceFor(ctx, row)
    })
  },
})
