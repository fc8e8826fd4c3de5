import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { getGroupInOrg } from './group-access.js'
import { deleteGroupRow } from '../../store/groups.repo.js'

/** Deletes a group and its memberships (the users stay). Needs `group.write`. */
export const deleteGroup = defineOp({
  name: 'group.delete',
  input: Type.Object({ orgId: Type.String(), groupId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'group.write')
    await ctx.store.write(async (trx) => {
      const g = await getGroupInOrg(ctx, trx, input.orgId, input.groupId)
      await deleteGroupRow(trx, g.id)
    })
  },
})
