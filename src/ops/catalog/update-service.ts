import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey, updateServiceRow, type Service, type ServicePatch } from '../../store/catalog.repo.js'
import { getServiceRow, requireCatalogWriter, serviceFor } from './catalog-access.js'
import { CatalogName, driverConfigText, ServiceFields } from './schema.js'
import { redactDriverConfig, sealDriverConfig } from './driver-secrets.js'

/**
 * Changes a service's fields, its name included; fields left out keep their values, and
 * `driverConfig` is replaced whole: a secret key given as `{"set": true}` (as reads answer it)
 * keeps the stored secret, any other value replaces it. Its packages, plans, properties and
 * offerings are unaffected.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Names stay unique case-insensitively (`already_exists`).
 */
export const updateService = defineOp({
  name: 'service.update',
  input: Type.Object(
    { service: Type.String({ maxLength: 200 }), name: Type.Optional(CatalogName), ...ServiceFields },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Service> {
    requireCatalogWriter(ctx)
    if (input.driverConfig !== undefined) driverConfigText(input.driverConfig)
    return ctx.store.write(async (trx) => {
      const s = await getServiceRow(ctx, trx, input.service, 'update')
      const driver = input.driver ?? s.driver
      // A new driver may have other secret keys: settings kept as they are get sealed for it too.
      const config =
        input.driverConfig !== undefined || driver !== s.driver
          ? sealDriverConfig(ctx.secrets, {
              serviceId: s.id,
              driver,
              config: input.driverConfig ?? redactDriverConfig(driver, s.driver_config),
              stored: s.driver_config,
              field: 'driverConfig',
            })
          : undefined
      const set: ServicePatch = {}
      if (input.name !== undefined) {
        set.name = input.name
        set.name_key = catalogKey(input.name)
      }
      if (input.displayName !== undefined) set.display_name = input.displayName
      if (input.version !== undefined) set.version = input.version
      if (input.description !== undefined) set.description = input.description
      if (input.driver !== undefined) set.driver = input.driver
      if (config !== undefined && (input.driverConfig !== undefined || config !== s.driver_config)) set.driver_config = config
      if (input.multipleUserPlans !== undefined) set.multiple_user_plans = input.multipleUserPlans ? 1 : 0
      if (Object.keys(set).length > 0) set.updated_at = nowIso(ctx.clock)
      await mapUnique(
        () => updateServiceRow(trx, s.id, set),
        () => `a service named ${JSON.stringify(input.name)} already exists`,
      )
      return serviceFor(ctx, { ...s, ...set } as typeof s)
    })
  },
})
