import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { requirePermission } from '../access.js'
import { toUser, type User } from '../../store/users.repo.js'
import { getUserInOrg } from './get-user.js'
import { RoleInput } from './schema.js'
import { updateUser } from './update-user.js'

/**
 * Changes a member's settings (seed 003's `updateMember`; needs `member.write`): its role, following `user.update`'s
 * rules (a role equal to the current one changes nothing). Clientele has no websites to give
 * access to and no notifications to subscribe to yet, so any named site or notification is
 * `not_found`, and the member changes in nothing.
 */
export const updateMember = defineOp({
  name: 'member.update',
  input: Type.Object(
    {
      orgId: Type.String(),
      userId: Type.String(),
      role: Type.Optional(RoleInput),
      siteAccesses: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
      notifications: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<User> {
    // Checked first, as user.update does: a role that may not manage members is refused even
    // when the change would be a no-op (it answered 200 before, a write success for readonly).
    requirePermission(ctx, 'member.write')
    const u = await getUserInOrg(ctx, ctx.store.db, input.orgId, input.userId)
    const site = input.siteAccesses?.[0]
    if (site !== undefined) throw new DomainError('not_found', `website ${site} not found: Clientele serves no websites yet`)
    const note = input.notifications?.[0]
    if (note !== undefined) throw new DomainError('not_found', `notification ${note} not found: Clientele sends no notifications yet`)
    if (input.role === undefined || input.role === u.role) return toUser(u)
    return updateUser(ctx, { orgId: input.orgId, userId: input.userId, role: input.role })
  },
})
