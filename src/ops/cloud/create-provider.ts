import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { insertProvider, toCloudProvider, type CloudProvider } from '../../store/cloud.repo.js'
import { requireCatalogWriter } from './cloud-access.js'
import { ProviderFields, ProviderName } from './schema.js'

/**
 * Adds a cloud provider to the catalogue.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Name and disambiguation together are unique (`already_exists`). The new provider
 * is allowed to the master organisation at once (it has every provider) and to no customer.
 */
export const createProvider = defineOp({
  name: 'cloud_provider.create',
  input: Type.Object({ name: ProviderName, ...ProviderFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<CloudProvider> {
    requireCatalogWriter(ctx)
    const row = {
      id: newId(),
      name: input.name.trim(),
      disambiguation: input.disambiguation ?? '',
      required_credentials: JSON.stringify(input.requiredCredentials ?? []),
      discoverable: input.discoverable ? 1 : 0,
      cse_syntax: input.cseSyntax ?? '',
      standalone_incompatible: input.standaloneIncompatible ? 1 : 0,
      created_at: nowIso(ctx.clock),
    }
    await ctx.store.write((trx) =>
      mapUnique(
        () => insertProvider(trx, row),
        () => `a cloud provider named ${JSON.stringify(row.name)} with disambiguation ${JSON.stringify(row.disambiguation)} already exists`,
      ),
    )
    return toCloudProvider(row)
  },
})
