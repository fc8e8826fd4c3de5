import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listProviderRows, toCloudProvider, type CloudProvider } from '../../store/cloud.repo.js'

/**
 * Lists the whole cloud provider catalogue, by name then disambiguation.
 *
 * Any authenticated actor may read it; which providers an organisation may use is
 * `listAllowedProviders`.
 */
export const listProviders = defineOp({
  name: 'cloud_provider.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<CloudProvider[]> {
    return (await listProviderRows(ctx.store.db)).map(toCloudProvider)
  },
})
