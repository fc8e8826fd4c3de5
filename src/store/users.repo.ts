/** Users as stored, and their mapping to the core's User (which never carries a secret). */
import { sql } from 'kysely'
import type { Db } from './store.js'
import type { UserTable } from './schema.js'
import type { Role } from '../core/roles.js'
import { authMethodOf, type User } from '../core/users.js'
import { deleteLoginAvatarRow } from './avatars.repo.js'
export type { User } from '../core/users.js'

/** Maps a stored row to a User, leaving out the password hash. */
export function toUser(r: UserTable): User {
  return {
    id: r.id,
    orgId: r.org_id,
    username: r.username,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role as Role,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
    avatarHash: r.avatar_sha256 ?? null,
    authMethod: authMethodOf(r.auth_method),
    managerUserId: r.manager_user_id ?? null,
    approvalPending: r.approval_state != null,
    changePasswordAtNextLogon: r.change_password_at_next_logon === 1,
    passwordExpiresAt: r.password_expires_at ?? null,
    accountExpiresAt: r.account_expires_at ?? null,
  }
}

/** The case-folded form usernames are unique in. */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase()
}

/** Finds a user by id. */
export function findUserById(db: Db, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finds a user by username (case-insensitive). */
export function findUserByUsername(db: Db, username: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst()
}

/** Inserts a user row; a taken username is thrown as the database reports it (wrap in `mapUnique`). */
export async function insertUser(db: Db, row: UserTable): Promise<void> {
  await db.insertInto('users').values(row).execute()
}

/** Counts the users of an organisation. */
export async function countOrgUsers(db: Db, orgId: string): Promise<number> {
  const { n } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow()
  return Number(n)
}

/** Lists one page of an organisation's users, by username. */
export function listOrgUserRows(db: Db, orgId: string, offset: number, limit: number): Promise<UserTable[]> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('username').limit(limit).offset(offset).execute()
}

/** What users may be sorted by (username breaks ties). */
export type UserSort = 'username' | 'email' | 'name' | 'createdAt' | 'enabled'

/** Which users a listing takes: those of one organisation, or of a subtree; optionally of given roles. */
export interface UserCriteria {
  orgId?: string
  /** Every organisation whose path starts with this one. */
  subtreePath?: string
  roles?: readonly string[]
}

function usersMatching(db: Db, c: UserCriteria) {
  let q = db.selectFrom('users').innerJoin('orgs', 'orgs.id', 'users.org_id')
  if (c.orgId !== undefined) q = q.where('users.org_id', '=', c.orgId)
  if (c.subtreePath !== undefined) q = q.where('orgs.path', '>=', c.subtreePath).where('orgs.path', '<', c.subtreePath.slice(0, -1) + '0')
  if (c.roles !== undefined) q = c.roles.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('users.role', 'in', c.roles)
  return q
}

/** Counts the users matching `c`. */
export async function countUsersMatching(db: Db, c: UserCriteria): Promise<number> {
  const { n } = await usersMatching(db, c)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(n)
}

/** Lists one page of the users matching `c`, sorted by `sort` then username, each with its organisation's locale. */
export async function listUserRowsMatching(
  db: Db,
  c: UserCriteria,
  sort: UserSort,
  order: 'asc' | 'desc',
  offset: number,
  limit: number,
): Promise<(UserTable & { org_locale: string })[]> {
  let q = usersMatching(db, c).selectAll('users').select('orgs.locale as org_locale')
  if (sort === 'email') q = q.orderBy('users.email', order)
  else if (sort === 'name') q = q.orderBy('users.first_name', order).orderBy('users.last_name', order)
  else if (sort === 'createdAt') q = q.orderBy('users.created_at', order)
  else if (sort === 'enabled') q = q.orderBy('users.enabled', order)
  return q.orderBy('users.username', sort === 'username' ? order : 'asc').limit(limit).offset(offset).execute()
}

/** Finds users by e-mail address, case-insensitively (at most `limit`). */
export function findUsersByEmail(db: Db, email: string, limit = 2): Promise<UserTable[]> {
  return db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.toLowerCase()).limit(limit).execute()
}

/** Lists the users of an organisation that hold `role`. */
export function listOrgUsersWithRole(db: Db, orgId: string, role: string): Promise<UserTable[]> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('role', '=', role).orderBy('username').execute()
}

/** Finds a user's id with the path of its organisation. */
export function findUserWithOrgPath(db: Db, userId: string): Promise<{ id: string; path: string } | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'orgs.path'])
    .where('users.id', '=', userId)
    .executeTakeFirst()
}

/** True when the user holds a user service that is not `NotProvisioned`. */
export async function userHoldsServices(db: Db, userId: string): Promise<boolean> {
  const live = await db.selectFrom('user_services').select('id').where('user_id', '=', userId).where('status', '!=', 'NotProvisioned').limit(1).executeTakeFirst()
  return live !== undefined
}

/**
 * Deletes a user, its user services and its avatar; its sessions, API keys, group memberships
 * and panel preferences go with it (foreign keys on delete cascade).
 */
export async function deleteUserRow(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_services').where('user_id', '=', userId).execute()
  await deleteLoginAvatarRow(db, userId)
  await db.deleteFrom('users').where('id', '=', userId).execute()
}

/** The user columns an update may change. */
export type UserPatch = Partial<Omit<UserTable, 'id' | 'org_id' | 'username' | 'username_key' | 'created_at'>>

/** Applies `patch` to the user `userId` if it is still at `expectedVersion`; answers whether it was. */
export async function updateUserRow(db: Db, userId: string, expectedVersion: number, patch: UserPatch): Promise<boolean> {
  const res = await db.updateTable('users').set(patch).where('id', '=', userId).where('version', '=', expectedVersion).executeTakeFirst()
  return Number(res.numUpdatedRows) !== 0
}

/** Ends every session of a user. */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
}

/**
 * Revokes the credentials of an organisation's users: deletes their sessions and API keys,
 * and the API keys issued to the organisation itself. The users stay (see `disableOrgUsers`).
 */
export async function revokeOrgCredentials(db: Db, orgId: string): Promise<void> {
  const users = db.selectFrom('users').select('id').where('org_id', '=', orgId)
  await db.deleteFrom('sessions').where('user_id', 'in', users).execute()
  await db.deleteFrom('api_keys').where('user_id', 'in', users).execute()
  await db.deleteFrom('api_keys').where('org_id', '=', orgId).execute()
}

/** Disables every user of an organisation, bumping their credential versions (cached credentials drop). */
export async function disableOrgUsers(db: Db, orgId: string, now: string): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ enabled: 0, cred_version: eb('cred_version', '+', 1), updated_at: now }))
    .where('org_id', '=', orgId)
    .execute()
}

/**
 * Sets a user's approval state (null, `pending-create`, `pending-delete`; see ops/approvals/)
 * and, when given, its enabled flag; with `expect`, only if its state is that one.
 */
export async function setUserApprovalState(db: Db, userId: string, state: string | null, opts: { expect?: string; enabled?: boolean; now?: string } = {}): Promise<void> {
  let q = db
    .updateTable('users')
    .set({ approval_state: state, ...(opts.enabled !== undefined ? { enabled: opts.enabled ? 1 : 0 } : {}), ...(opts.now !== undefined ? { updated_at: opts.now } : {}) })
    .where('id', '=', userId)
  if (opts.expect !== undefined) q = q.where('approval_state', '=', opts.expect)
  await q.execute()
}
