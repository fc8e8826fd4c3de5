import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findUserById, toUser, type User } from '../../store/users.repo.js'
import type { Db } from '../../store/store.js'
import { readProperties } from '../../store/properties.repo.js'
import type { PropertyMap } from '../../core/account.js'
import type { UserTable } from '../../store/schema.js'

/** Loads a user of `orgId` that the actor may see, or throws `not_found`. */
export async function getUserInOrg(ctx: Ctx, db: Db, orgId: string, userId: string): Promise<UserTable> {
  await getOrgInScope(ctx, db, orgId)
  const u = isUuid(userId) ? await findUserById(db, userId) : undefined
  if (!u || u.org_id !== orgId) throw new DomainError('not_found', 'user not found', { resource: 'user' })
  return u
}

/**
 * Answers one user of an organisation in the actor's subtree; with `withProperties`, its
 * additional (Active Directory) properties too (seed 004's `<additionalproperties/>`).
 */
export const getUser = defineOp({
  name: 'user.get',
  input: Type.Object({ orgId: Type.String(), userId: Type.String(), withProperties: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<User & { additionalProperties?: PropertyMap }> {
    const u = toUser(await getUserInOrg(ctx, ctx.store.db, input.orgId, input.userId))
    if (!input.withProperties) return u
    return { ...u, additionalProperties: await readProperties(ctx.store.db, 'user', u.id) }
  },
})
