import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listAccountRows, toCloudAccount, type CloudAccount } from '../../store/cloud.repo.js'
import { getLiveOrgInScope } from './cloud-access.js'

/**
 * Lists an organisation's own cloud accounts (not its customers'), oldest first, one page at a
 * time (100 by default).
 *
 * Any role may read, for a live organisation of its subtree (`not_found` otherwise).
 */
export const listCloudAccounts = defineOp({
  name: 'cloud_account.list',
  input: Type.Object(
    {
      orgId: Type.String(),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: CloudAccount[]; total: number }> {
    const db = ctx.store.db
    const org = await getLiveOrgInScope(ctx, db, input.orgId)
    const { rows, total } = await listAccountRows(db, org.id, input.offset ?? 0, input.limit ?? 100)
    return { items: rows.map(toCloudAccount), total }
  },
})
