import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, insertService, type Service } from '../../store/catalog.repo.js'
import { requireCatalogWriter, serviceFor } from './catalog-access.js'
import { CatalogName, driverConfigText, ServiceFields } from './schema.js'
import { sealDriverConfig } from './driver-secrets.js'

/**
 * Adds a service to the catalogue, without packages, plans or properties (add those with their
 * own operations). Unset fields default to empty text, the `noop` driver with no settings, and
 * one user plan per user. The driver's secret settings are stored sealed and answered as
 * `{"set": true}`.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Service names are unique case-insensitively (`already_exists`).
 */
export const createService = defineOp({
  name: 'service.create',
  input: Type.Object({ name: CatalogName, ...ServiceFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<Service> {
    requireCatalogWriter(ctx)
    driverConfigText(input.driverConfig ?? {})
    const id = newId()
    const driver = input.driver ?? 'noop'
    const config = sealDriverConfig(ctx.secrets, { serviceId: id, driver, config: input.driverConfig ?? {}, stored: undefined, field: 'driverConfig' })
    return ctx.store.write(async (trx) => {
      const now = nowIso(ctx.clock)
      const row = {
        id,
        name: input.name,
        name_key: catalogKey(input.name),
        display_name: input.displayName ?? '',
        version: input.version ?? '',
        description: input.description ?? '',
        driver,
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
