import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { getGroupInOrg } from './group-access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { toUser, type User } from '../../store/users.repo.js'
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
      const u = isUuid(input.userId)
        ? await trx
            .selectFrom('users')
            .innerJoin('orgs', 'orgs.id', 'users.org_id')
            .select(['users.id', 'orgs.path'])
            .where('users.id', '=', input.userId)
            .executeTakeFirst()
        : undefined
      const groupOrg = await trx.selectFrom('orgs').select('path').where('id', '=', g.org_id).executeTakeFirstOrThrow()
      if (!u || !u.path.startsWith(groupOrg.path)) throw new DomainError('not_found', 'user not found')
      await trx
        .insertInto('group_members')
        .values({ group_id: g.id, user_id: u.id, created_at: nowIso(ctx.clock) })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .execute()
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
      const res = await trx
        .deleteFrom('group_members')
        .where('group_id', '=', g.id)
        .where('user_id', '=', input.userId)
        .executeTakeFirst()
      if (Number(res.numDeletedRows) === 0) throw new DomainError('not_found', 'user is not a member of this group')
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
    const rows = await db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .selectAll('users')
      .where('group_members.group_id', '=', g.id)
      .orderBy('users.username')
      .execute()
    return rows.map(toUser)
  },
})
