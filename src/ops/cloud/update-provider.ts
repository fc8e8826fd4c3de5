import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { mapUnique } from '../../store/store.js'
import { toCloudProvider, updateProviderRow, type CloudProvider, type CloudProviderPatch } from '../../store/cloud.repo.js'
import { getProviderRow, requireCatalogWriter } from './cloud-access.js'
import { ProviderFields, ProviderName } from './schema.js'

/**
 * Changes a cloud provider's fields; fields left out keep their values.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Name and disambiguation together stay unique (`already_exists`). Allowances and
 * cloud accounts of the provider are unaffected.
 */
export const updateProvider = defineOp({
  name: 'cloud_provider.update',
  input: Type.Object(
    { providerId: Type.String(), name: Type.Optional(ProviderName), ...ProviderFields },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<CloudProvider> {
    requireCatalogWriter(ctx)
    return ctx.store.write(async (trx) => {
      const p = await getProviderRow(ctx, trx, input.providerId, 'update')
      const set: CloudProviderPatch = {}
      if (input.name !== undefined) set.name = input.name.trim()
      if (input.disambiguation !== undefined) set.disambiguation = input.disambiguation
      if (input.requiredCredentials !== undefined) set.required_credentials = JSON.stringify(input.requiredCredentials)
      if (input.discoverable !== undefined) set.discoverable = input.discoverable ? 1 : 0
      if (input.cseSyntax !== undefined) set.cse_syntax = input.cseSyntax
      if (input.standaloneIncompatible !== undefined) set.standalone_incompatible = input.standaloneIncompatible ? 1 : 0
      const next = { ...p, ...set } as typeof p
      await mapUnique(
        () => updateProviderRow(trx, p.id, set),
        () => `a cloud provider named ${JSON.stringify(next.name)} with disambiguation ${JSON.stringify(next.disambiguation)} already exists`,
      )
      return toCloudProvider(next)
    })
  },
})
