import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { countOrgUsers, listOrgUserRows, toUser, type User } from '../../store/users.repo.js'

/** Lists the users of an organisation in the actor's subtree, by username. */
export const listUsers = defineOp({
  name: 'user.list',
  input: Type.Object(
    {
      orgId: Type.String(),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: User[]; total: number }> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    const total = await countOrgUsers(db, org.id)
    const rows = await listOrgUserRows(db, org.id, input.offset ?? 0, input.limit ?? 100)
    return { items: rows.map(toUser), total }
  },
})
