/** Groups of users ("cloud user groups") and their memberships as stored. */
import type { Db } from './store.js'
import type { GroupTable, UserTable } from './schema.js'
import type { Group } from '../core/users.js'
export type { Group } from '../core/users.js'

/** Maps a stored row to a Group. */
export function toGroup(r: GroupTable): Group {
  return { id: r.id, orgId: r.org_id, name: r.name, description: r.description, createdAt: r.created_at }
}

/** Finds a group by id. */
export function findGroupById(db: Db, id: string): Promise<GroupTable | undefined> {
  return db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finds a group by id with the path of the organisation it belongs to. */
export function findGroupWithOrgPath(db: Db, id: string): Promise<{ id: string; org_id: string; name: string; path: string } | undefined> {
  return db
    .selectFrom('groups')
    .innerJoin('orgs', 'orgs.id', 'groups.org_id')
    .select(['groups.id', 'groups.org_id', 'groups.name', 'orgs.path'])
    .where('groups.id', '=', id)
    .executeTakeFirst()
}

/** Finds the id of an organisation's group named `name` (exactly). */
export async function findGroupIdByName(db: Db, orgId: string, name: string): Promise<string | undefined> {
  return (await db.selectFrom('groups').select('id').where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst())?.id
}

/** Lists an organisation's groups, by name. */
export function listGroupRows(db: Db, orgId: string): Promise<GroupTable[]> {
  return db.selectFrom('groups').selectAll().where('org_id', '=', orgId).orderBy('name').execute()
}

/** Inserts a group row; a name the organisation uses is thrown as the database reports it (wrap in `mapUnique`). */
export async function insertGroup(db: Db, row: GroupTable): Promise<void> {
  await db.insertInto('groups').values(row).execute()
}

/** Moves a group to the organisation `orgId`, with its memberships. */
export async function moveGroup(db: Db, groupId: string, orgId: string): Promise<void> {
  await db.updateTable('groups').set({ org_id: orgId }).where('id', '=', groupId).execute()
}

/** Deletes a group and its memberships (the users stay). */
export async function deleteGroupRow(db: Db, groupId: string): Promise<void> {
  await db.deleteFrom('group_members').where('group_id', '=', groupId).execute()
  await db.deleteFrom('groups').where('id', '=', groupId).execute()
}

/** Makes a user a member of a group; a membership that exists stays as it is. */
export async function insertGroupMember(db: Db, groupId: string, userId: string, createdAt: string): Promise<void> {
  await db
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId, created_at: createdAt })
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .execute()
}

/** Ends a user's membership of a group; answers whether it was a member. */
export async function deleteGroupMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const res = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst()
  return Number(res.numDeletedRows) !== 0
}

/** Lists the users who are members of a group, by username. */
export function listGroupMemberRows(db: Db, groupId: string): Promise<UserTable[]> {
  return db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .selectAll('users')
    .where('group_members.group_id', '=', groupId)
    .orderBy('users.username')
    .execute()
}

/**
 * Finds the username of one member of a group whose organisation is not on or under `path`
 * (the organisation the group would move to), or undefined when every member is.
 */
export async function findGroupMemberOutside(db: Db, groupId: string, path: string): Promise<string | undefined> {
  const outside = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select('users.username')
    .where('group_members.group_id', '=', groupId)
    .where((eb) => eb.not(eb('orgs.path', 'like', `${path}%`)))
    .executeTakeFirst()
  return outside?.username
}

/** Lists the memberships of every group of an organisation, by the member's username. */
export function listOrgGroupMemberships(db: Db, orgId: string): Promise<{ group_id: string; user_id: string }[]> {
  return db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['group_members.group_id', 'group_members.user_id'])
    .where('groups.org_id', '=', orgId)
    .orderBy('users.username')
    .execute()
}
