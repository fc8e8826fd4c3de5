import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findOrgById, toOrganization, type Organization } from '../../store/orgs.repo.js'
import { findUserById, toUser, type User } from '../../store/users.repo.js'

/**
 * Answers the caller's own user and the organisation it acts for. The user's `role` is the one
 * the caller acts with now (a `readonly` key acts as `readonly` whatever the user's role).
 */
export const getIdentity = defineOp({
  name: 'identity.get',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<{ user: User; org: Organization }> {
    const [u, o] = await Promise.all([findUserById(ctx.store.db, ctx.actor.userId), findOrgById(ctx.store.db, ctx.actor.orgId)])
    if (!u || !o) throw new DomainError('unauthenticated', 'the caller no longer exists')
    return { user: { ...toUser(u), role: ctx.actor.role }, org: toOrganization(o) }
  },
})
