import { defineOp } from '../context.js'
import { updateOrg } from '../orgs/update-org.js'
import type { Organization } from '../../core/org.js'
import { resourceUsageOf, type ResourceUsage } from '../../store/cloud.repo.js'
import { getLiveOrgInScope } from './cloud-access.js'

/**
 * Changes an organisation's fields exactly as `updateOrg` does (same input, same rules), and
 * answers it with the resources its cloud accounts use.
 *
 * A deleted organisation is `not_found` here (`updateOrg` itself answers
 * `failed_precondition`), for faces where deleted customers no longer exist.
 */
export const updateCustomerWithUsage = defineOp({
  name: 'customer.update_with_usage',
  input: updateOrg.input,
  async run(ctx, input): Promise<{ org: Organization; resourceUsage: ResourceUsage }> {
    await getLiveOrgInScope(ctx, ctx.store.db, input.orgId)
    const org = await updateOrg(ctx, input)
    return { org, resourceUsage: await resourceUsageOf(ctx.store.db, org.id) }
  },
})
