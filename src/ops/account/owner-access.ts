/**
 * Who may change a customer's account (its owner's password and e-mail address, its support
 * PIN), and the owner those changes concern. Shared by the account operations of this folder.
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import type { UserTable } from '../../store/schema.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { mayGrant } from '../../core/roles.js'
import { listOrgUsersWithRole } from '../../store/users.repo.js'

/**
 * The customer `orgId` (in the actor's scope, else `not_found`) and its owner: the user holding
 * the `owner` role there (`org.owner.set` keeps it to one). A customer without one is
 * `not_found` (`details.resource` `user`).
 */
export async function getCustomerOwner(ctx: Ctx, db: Db, orgId: string): Promise<{ org: OrgRow; owner: UserTable }> {
  const org = await getOrgInScope(ctx, db, orgId)
  const [owner] = await listOrgUsersWithRole(db, org.id, 'owner')
  if (!owner) throw new DomainError('not_found', 'the customer has no owner', { resource: 'user' })
  return { org, owner }
}

/**
 * Throws `forbidden` unless the actor may change `org`'s account: with `member.write`
 * (superadmin, owner, admin), acting from an ancestor organisation, or from the customer itself
 * with a role that could hold `owner` (its owner, a superadmin). A customer's own admin may not:
 * it would take over a login with more rights than its own (`user.update` refuses the same).
 */
export function requireAccountManager(ctx: Ctx, org: OrgRow): void {
  requirePermission(ctx, 'member.write')
  if (org.path === ctx.actor.orgPath && !mayGrant(ctx.actor.role, 'owner')) {
    throw new DomainError('forbidden', `role ${ctx.actor.role} may not change the account of its own organisation; its owner or an administrator of a parent organisation may`)
  }
}
