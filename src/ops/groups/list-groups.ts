import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { listGroupRows, toGroup, type Group } from '../../store/groups.repo.js'

/** Lists an organisation's groups by name. */
export const listGroups = defineOp({
  name: 'group.list',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<Group[]> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const rows = await listGroupRows(ctx.store.db, org.id)
    return rows.map(toGroup)
  },
})
