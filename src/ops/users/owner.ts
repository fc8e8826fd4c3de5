/**
 * An organisation's owner (seed 003's `/orgs/{id}/owner`). In Clientele `owner` is a role; the
 * owner is the member holding it. Making a member the owner gives every other holder `admin`,
 * so that there is one owner; removing the owner gives its holders `admin`.
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { mayGrant, type Role } from '../../core/roles.js'
import { lockOrgForUpdate } from '../../store/orgs.repo.js'
import { listOrgUsersWithRole, updateUserRow } from '../../store/users.repo.js'
import { nowIso, type Db } from '../../store/store.js'
import type { UserTable } from '../../store/schema.js'
import { getUserInOrg } from './get-user.js'

async function setRole(ctx: Ctx, trx: Db, u: UserTable, role: Role): Promise<void> {
  if (!(await updateUserRow(trx, u.id, u.version, { role, updated_at: nowIso(ctx.clock), version: u.version + 1 }))) {
    throw new DomainError('version_mismatch', 'a member changed meanwhile; try again')
  }
}

/** The actor must manage members and be able to grant `owner`. */
function requireOwnerGranter(ctx: Ctx): void {
  requirePermission(ctx, 'member.write')
  if (!mayGrant(ctx.actor.role, 'owner')) throw new DomainError('forbidden', `role ${ctx.actor.role} may not grant owner`)
}

/**
 * Makes member `memberId` the owner of `orgId`; the previous owners become `admin`. A
 * `superadmin` member may be made owner only by a superadmin (it loses rights).
 */
export const setOwner = defineOp({
  name: 'org.owner.set',
  input: Type.Object({ orgId: Type.String(), memberId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireOwnerGranter(ctx)
    await ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      await lockOrgForUpdate(trx, ctx.store.dialect, org.id)
      const target = await getUserInOrg(ctx, trx, org.id, input.memberId)
      if (!mayGrant(ctx.actor.role, target.role as Role)) {
        throw new DomainError('forbidden', `role ${ctx.actor.role} may not change a member with role ${target.role}`)
      }
      for (const prev of await listOrgUsersWithRole(trx, org.id, 'owner')) if (prev.id !== target.id) await setRole(ctx, trx, prev, 'admin')
      if (target.role !== 'owner') await setRole(ctx, trx, target, 'owner')
    })
  },
})

/** Leaves `orgId` without an owner: its owners become `admin`; an organisation without one is `not_found`. */
export const deleteOwner = defineOp({
  name: 'org.owner.delete',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireOwnerGranter(ctx)
    await ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      await lockOrgForUpdate(trx, ctx.store.dialect, org.id)
      const owners = await listOrgUsersWithRole(trx, org.id, 'owner')
      if (owners.length === 0) throw new DomainError('not_found', 'the organisation has no owner')
      for (const u of owners) await setRole(ctx, trx, u, 'admin')
    })
  },
})
