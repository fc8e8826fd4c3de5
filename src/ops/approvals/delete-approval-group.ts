import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { catalogKey } from '../../store/catalog.repo.js'
import { deleteProviderRow, listProviderRows } from '../../store/approvals.repo.js'

/**
 * Deletes a group of "Workflow Groups" (the seed's `<action>delete</action>`); approvals it
 * already asked for keep their approvers. Needs `org.write`; `not_found` for an unknown group.
 */
export const deleteApprovalGroup = defineOp({
  name: 'approval_group.delete',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    await ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      const row = (await listProviderRows(trx, org.id)).find((r) => r.kind === 'group' && r.name_key === catalogKey(input.name))
      if (!row) throw new DomainError('not_found', `${org.name} has no approval group ${JSON.stringify(input.name)}`)
      await deleteProviderRow(trx, row.id)
    })
  },
})
