import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { getGroupInOrg } from './group-access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findUserWithOrgPath, toUser, type User } from '../../store/users.repo.js'
import { deleteGroupMember, insertGroupMember, listGroupMemberRows } from '../../store/groups.repo.js'
import { getOrgPath } from '../../store/orgs.repo.js'
import { nowIso } from '../../store/store.js'

const Ids = { orgId: Type.String(), groupId: Type.String(), userId: Type.String() }

/**
 * Adds a user to a group. The user must belong to the group's organisation or one of its
 * descendants. Adding a member twice is not an error (the membership simply stays).
 */
export const addGroupMember = defineOp({
  name: 'group.member.add',
  input: Type.Object(Ids, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'group.write')
    await ctx.store.write(async (trx) => {
      const g = await getGroupInOrg(ctx, trx, input.orgId, input.groupId)
      const u = isUuid(input.userId) ? await findUserWithOrgPath(trx, input.userId) : undefined
      const groupOrgPath = await getOrgPath(trx, g.org_id)
      if (!u || !u.path.startsWith(groupOrgPath)) throw new DomainError('not_found', 'user not found', { resource: 'user' })
      await insertGroupMember(trx, g.id, u.id, nowIso(ctx.clock))
    })
  },
})

/** Removes a user from a group; `not_found` when it was not a member. */
export const removeGroupMember = defineOp({
  name: 'group.member.remove',
  input: Type.Object(Ids, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'group.write')
    await ctx.store.write(async (trx) => {
      const g = await getGroupInOrg(ctx, trx, input.orgId, input.groupId)
      if (!(await deleteGroupMember(trx, g.id, input.userId))) throw new DomainError('not_found', 'user is not a member of this group')
    })
  },
})

/** Lists a group's members by username. */
export const listGroupMembers = defineOp({
  name: 'group.member.list',
  input: Type.Object({ orgId: Type.String(), groupId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<User[]> {
    const db = ctx.store.db
    const g = await getGroupInOrg(ctx, db, input.orgId, input.groupId)
    const rows = await listGroupMemberRows(db, g.id)
    return rows.map(toUser)
  },
})
