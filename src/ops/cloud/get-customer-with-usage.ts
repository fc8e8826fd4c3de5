import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { toOrganization, type Organization } from '../../store/orgs.repo.js'
import { resourceUsageOf, type ResourceUsage } from '../../store/cloud.repo.js'
import { getLiveOrgInScope } from './cloud-access.js'

/**
 * Answers a live organisation with the resources its cloud accounts use (account id →
 * `{ servers }`).
 *
 * Any role may read, for an organisation of its subtree; a deleted organisation (whose
 * resources are gone) is `not_found`, like one outside the subtree.
 */
export const getCustomerWithUsage = defineOp({
  name: 'customer.get_with_usage',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ org: Organization; resourceUsage: ResourceUsage }> {
    const db = ctx.store.db
    const org = await getLiveOrgInScope(ctx, db, input.orgId)
    return { org: toOrganization(org), resourceUsage: await resourceUsageOf(db, org.id) }
  },
})
