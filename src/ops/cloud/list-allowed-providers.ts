import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listAllowedProviderRows, listProviderRows, toCloudProvider, type CloudProvider } from '../../store/cloud.repo.js'
import { getLiveOrgInScope } from './cloud-access.js'

/**
 * Lists the cloud providers allowed to an organisation, by name then disambiguation: every
 * provider for the master organisation, the allowed ones for any other.
 *
 * Any role may read, for a live organisation of its subtree (`not_found` otherwise).
 */
export const listAllowedProviders = defineOp({
  name: 'cloud_provider.list_allowed',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<CloudProvider[]> {
    const db = ctx.store.db
    const org = await getLiveOrgInScope(ctx, db, input.orgId)
    const rows = org.depth === 0 ? await listProviderRows(db) : await listAllowedProviderRows(db, org.id)
    return rows.map(toCloudProvider)
  },
})
