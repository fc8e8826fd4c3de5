/** Users as stored, and their mapping to the core's User (which never carries a secret). */
import type { Db } from './store.js'
import type { UserTable } from './schema.js'
import type { Role } from '../core/roles.js'
import type { User } from '../core/users.js'
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
