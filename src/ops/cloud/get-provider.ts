import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { toCloudProvider, type CloudProvider } from '../../store/cloud.repo.js'
import { getProviderRow } from './cloud-access.js'

/** Answers one cloud provider of the catalogue (`not_found` when there is none); any authenticated actor may read it. */
export const getProvider = defineOp({
  name: 'cloud_provider.get',
  input: Type.Object({ providerId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<CloudProvider> {
    return toCloudProvider(await getProviderRow(ctx, ctx.store.db, input.providerId))
  },
})
