import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { nowIso } from '../../store/store.js'
import { insertAllowance, toCloudProvider, type CloudProvider } from '../../store/cloud.repo.js'
import { getLiveOrgInScope, getProviderRow, isProviderAllowed } from './cloud-access.js'

/**
 * Allows a cloud provider to a customer organisation, so that it may hold cloud accounts on it
 * and allow it to its own customers in turn. Allowing a provider already allowed changes
 * nothing (`created` is false).
 *
 * The actor must have `org.write` and act from a strict ancestor of the customer: a customer
 * cannot grant itself providers (`forbidden`). The provider must be allowed to the customer's
 * parent (the master organisation has every provider), otherwise `failed_precondition`.
 */
export const allowProvider = defineOp({
  name: 'cloud_provider.allow',
  input: Type.Object({ orgId: Type.String(), providerId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ provider: CloudProvider; created: boolean }> {
    requirePermission(ctx, 'org.write')
    return ctx.store.write(async (trx) => {
      const org = await getLiveOrgInScope(ctx, trx, input.orgId)
      requireAncestor(ctx, org, 'allow it cloud providers')
      const provider = await getProviderRow(ctx, trx, input.providerId, 'share')
      // The actor acts from a strict ancestor, so the organisation is not the root and has a parent.
      const parent = await findOrgById(trx, org.parent_id!)
      if (!parent || !(await isProviderAllowed(ctx, trx, parent, provider.id, true))) {
        throw new DomainError(
          'failed_precondition',
          `cloud provider ${provider.name} is not allowed to ${parent?.name ?? 'the parent organisation'}; allow it there first`,
        )
      }
      const created = await insertAllowance(trx, org.id, provider.id, nowIso(ctx.clock))
      return { provider: toCloudProvider(provider), created }
    })
  },
})
