import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import type { ApprovalProvidersView } from './model.js'
import { providersView } from './views.js'

/**
 * A customer's approval providers (seed 004's GET of `<approvalproviders />`): "Workflow
 * Managers" (null until configured) and the groups of "Workflow Groups", each with its
 * configuration, members and subscriptions. Needs `org.write` on the organisation (the seed's
 * "Update role permission to view and manage approval providers").
 */
export const getApprovalProviders = defineOp({
  name: 'approval_provider.get',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApprovalProvidersView> {
    requirePermission(ctx, 'org.write')
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    return providersView(ctx.store.db, org.id)
  },
})
