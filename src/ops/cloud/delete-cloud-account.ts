import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { deleteAccountRow } from '../../store/cloud.repo.js'
import { getAccountInOrg } from './account-access.js'

/**
 * Deletes a cloud account (its resources are no longer counted in the organisation's usage).
 *
 * The actor must have `org.write` on the account's organisation (its own or a descendant).
 */
export const deleteCloudAccount = defineOp({
  name: 'cloud_account.delete',
  input: Type.Object({ orgId: Type.String(), accountId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    await ctx.store.write(async (trx) => {
      const { account } = await getAccountInOrg(ctx, trx, input.orgId, input.accountId)
      await deleteAccountRow(trx, account.id)
    })
  },
})
