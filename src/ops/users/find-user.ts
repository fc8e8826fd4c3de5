import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { findUserByUsername, toUser } from '../../store/users.repo.js'
import type { User } from '../../core/users.js'

/**
 * Finds a user of an organisation in the actor's subtree by username (any case), or answers
 * undefined: a user of another organisation with that name is not answered.
 */
export const findUser = defineOp({
  name: 'user.find',
  input: Type.Object({ orgId: Type.String(), username: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<User | undefined> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const u = await findUserByUsername(ctx.store.db, input.username)
    return u && u.org_id === org.id ? toUser(u) : undefined
  },
})
