import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { insertAccount, toCloudAccount, type CloudAccount } from '../../store/cloud.repo.js'
import { getLiveOrgInScope, getProviderRow, isProviderAllowed } from './cloud-access.js'
import { AccountName, ServerCount } from './schema.js'

/**
 * Creates a cloud account of an organisation on a cloud provider, with its `servers` counter
 * (0 unless given).
 *
 * The actor must have `org.write` on the organisation (its own or a descendant, live). The
 * provider must be allowed to the organisation (`failed_precondition` otherwise). Account
 * names are unique within an organisation (`already_exists`).
 */
export const createCloudAccount = defineOp({
  name: 'cloud_account.create',
  input: Type.Object(
    { orgId: Type.String(), providerId: Type.String(), name: AccountName, servers: Type.Optional(ServerCount) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<CloudAccount> {
    requirePermission(ctx, 'org.write')
    return ctx.store.write(async (trx) => {
      const org = await getLiveOrgInScope(ctx, trx, input.orgId)
      const provider = await getProviderRow(ctx, trx, input.providerId, 'share')
      if (!(await isProviderAllowed(ctx, trx, org, provider.id, true))) {
        throw new DomainError('failed_precondition', `cloud provider ${provider.name} is not allowed to ${org.name}`)
      }
      const row = {
        id: newId(),
        org_id: org.id,
        provider_id: provider.id,
        name: input.name.trim(),
        servers: input.servers ?? 0,
        created_at: nowIso(ctx.clock),
      }
      await mapUnique(
        () => insertAccount(trx, row),
        () => `${org.name} already has a cloud account named ${JSON.stringify(row.name)}`,
      )
      return toCloudAccount(row)
    })
  },
})
