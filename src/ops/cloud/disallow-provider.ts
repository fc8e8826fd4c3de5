import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { countLiveAccountsOfProvider, deleteAllowance, deleteDescendantAllowances } from '../../store/cloud.repo.js'
import { getLiveOrgInScope, getProviderRow } from './cloud-access.js'

/**
 * Withdraws a cloud provider from a customer organisation and from its whole subtree (a
 * provider is allowed to an organisation only while its parent has it).
 *
 * The actor must have `org.write` and act from a strict ancestor of the customer (`forbidden`
 * otherwise). A provider that is not allowed to the customer is `not_found`. Refused with
 * `failed_precondition`, changing nothing, while any live organisation of the subtree still
 * holds a cloud account on the provider.
 */
export const disallowProvider = defineOp({
  name: 'cloud_provider.disallow',
  input: Type.Object({ orgId: Type.String(), providerId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    await ctx.store.write(async (trx) => {
      const org = await getLiveOrgInScope(ctx, trx, input.orgId)
      requireAncestor(ctx, org, 'withdraw its cloud providers')
      const provider = await getProviderRow(ctx, trx, input.providerId)
      // Rows are deleted before the accounts are counted: the deletes wait for any transaction
      // that share-locked an allowance to create an account, whose account the count then sees.
      if (!(await deleteAllowance(trx, org.id, provider.id))) {
        throw new DomainError('not_found', `cloud provider ${provider.name} is not allowed to ${org.name}`)
      }
      await deleteDescendantAllowances(trx, org.path, provider.id)
      const accounts = await countLiveAccountsOfProvider(trx, provider.id, org.path)
      if (accounts > 0) {
        throw new DomainError(
          'failed_precondition',
          `${org.name} or its customers still hold ${accounts} cloud account(s) on ${provider.name}; delete them first`,
        )
      }
    })
  },
})
