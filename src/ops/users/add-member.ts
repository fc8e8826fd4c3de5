import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, inScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findUserWithOrgPath, findUserById, toUser, type User } from '../../store/users.repo.js'
import { RoleInput } from './schema.js'
import { updateUser } from './update-user.js'

/**
 * Makes a login a member of an organisation with a role (seed 003's `createMember`).
 *
 * A Clientele user is one login with one membership: the login must be a user of `orgId`
 * holding no role yet (`readonly`, as `user.login.create` makes it), which then gets `role`.
 * A login of another organisation is `conflict` (a login belongs to exactly one); one that
 * already holds a role is `already_exists`; one the actor cannot see is `not_found`. Granting
 * follows `user.update`'s rules.
 */
export const addMember = defineOp({
  name: 'member.create',
  input: Type.Object({ orgId: Type.String(), loginId: Type.String({ maxLength: 64 }), role: RoleInput }, { additionalProperties: false }),
  async run(ctx, input): Promise<User> {
    requirePermission(ctx, 'member.write')
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const where = isUuid(input.loginId) ? await findUserWithOrgPath(ctx.store.db, input.loginId) : undefined
    if (!where || !inScope(ctx, where.path)) throw new DomainError('not_found', 'login not found', { resource: 'user' })
    const u = (await findUserById(ctx.store.db, input.loginId))!
    if (u.org_id !== org.id) throw new DomainError('conflict', 'the login belongs to another organisation (a login has exactly one membership)')
    if (u.role !== 'readonly') throw new DomainError('already_exists', 'the login is a member of this organisation already')
    if (input.role === 'readonly') return toUser(u)
    return updateUser(ctx, { orgId: org.id, userId: u.id, role: input.role })
  },
})
