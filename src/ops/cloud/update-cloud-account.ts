import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { mapUnique } from '../../store/store.js'
import { toCloudAccount, updateAccountRow, type CloudAccount, type CloudAccountPatch } from '../../store/cloud.repo.js'
import { getAccountInOrg } from './account-access.js'
import { AccountName, ServerCount } from './schema.js'

/**
 * Changes a cloud account's name and/or its `servers` counter (never below 0); its provider
 * never changes.
 *
 * The actor must have `org.write` on the account's organisation (its own or a descendant).
 * Names stay unique within the organisation (`already_exists`).
 */
export const updateCloudAccount = defineOp({
  name: 'cloud_account.update',
  input: Type.Object(
    { orgId: Type.String(), accountId: Type.String(), name: Type.Optional(AccountName), servers: Type.Optional(ServerCount) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<CloudAccount> {
    requirePermission(ctx, 'org.write')
    return ctx.store.write(async (trx) => {
      const { org, account } = await getAccountInOrg(ctx, trx, input.orgId, input.accountId)
      const set: CloudAccountPatch = {}
      if (input.name !== undefined) set.name = input.name.trim()
      if (input.servers !== undefined) set.servers = input.servers
      await mapUnique(
        () => updateAccountRow(trx, account.id, set),
        () => `${org.name} already has a cloud account named ${JSON.stringify(set.name)}`,
      )
      return toCloudAccount({ ...account, ...set } as typeof account)
    })
  },
})
