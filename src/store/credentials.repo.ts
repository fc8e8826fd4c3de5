/**
 * What authentication reads and writes: the row behind a credential (a user by id, username
 * or e-mail address, an API key, a session) joined to its user and organisation, and sessions.
 *
 * The lookups every authenticated request makes are prepared (see prepared.ts): built and
 * compiled once per database handle.
 */
import { sql } from 'kysely'
import type { Db } from './store.js'
import { preparedLookup, preparedQuery } from './prepared.js'

/** The user and organisation columns an actor is made from. */
const actorColumns = [
  'users.id as user_id',
  'users.username',
  'users.role',
  'users.enabled',
  'users.cred_version',
  'users.password_expires_at',
  'users.account_expires_at',
  'users.change_password_at_next_logon',
  'orgs.id as org_id',
  'orgs.number as org_number',
  'orgs.path as org_path',
  'orgs.depth as org_depth',
  'orgs.status as org_status',
] as const

/** A user with its organisation, as an actor is made from them. */
export interface ActorRow {
  user_id: string
  username: string
  role: string
  enabled: number
  cred_version: number
  /** The day its password is refused from (`YYYY-MM-DD`), null: never. */
  password_expires_at?: string | null
  /** The day it cannot authenticate from (`YYYY-MM-DD`), null: never. */
  account_expires_at?: string | null
  /** 1 while it must change its password. */
  change_password_at_next_logon?: number
  org_id: string
  org_number: number
  org_path: string
  org_depth: number
  org_status: string
}

/** A user's actor row with its account's lock (`null` when the account has no throttle row or no lock). */
export type ActorRowWithLock = ActorRow & { locked_until: string | null }

/** A user's actor row with its password hash and how its password logins go on (`auth_method`). */
export type ActorRowWithPassword = ActorRow & { password_hash: string; auth_method: string }

/** An API key's actor row (its creator, the organisation it names) with what the key itself stores. */
export type KeyActorRow = ActorRow & { secret_hash: string; type: string; expires_at: string | null; acl_count: number; key_role: string | null }

/** A session's actor row with the session's end. */
export type SessionActorRow = ActorRow & { expires_at: string }

const actorWithLockQ = preparedQuery<ActorRowWithLock>((d, slot) =>
  d
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(actorColumns)
    .leftJoin('auth_throttle', (j) => j.on('auth_throttle.account', '=', slot('source')))
    .select('auth_throttle.locked_until')
    .where('users.id', '=', slot('userId')),
)

/**
 * Finds a user by id as an actor row, with the lock of its account from this source (`source`,
 * the throttle's digest): the verified-credential cache's check on every Basic request, one
 * prepared query.
 */
export async function findActorWithLock(db: Db, userId: string, source: string): Promise<ActorRowWithLock | undefined> {
  return (await actorWithLockQ(db, { userId, source })).rows[0]
}

/** Finds a user by id as an actor row (`undefined` when there is none). */
export async function findActorByUserId(db: Db, userId: string): Promise<ActorRow | undefined> {
  return db.selectFrom('users').innerJoin('orgs', 'orgs.id', 'users.org_id').select(actorColumns).where('users.id', '=', userId).executeTakeFirst()
}

/** Finds an API key by id with its actor row (a prepared lookup: every Bearer request makes it). */
export const findKeyActor: (db: Db, keyId: string) => Promise<KeyActorRow | undefined> = preparedLookup((d, keyId) =>
  d
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .innerJoin('orgs', 'orgs.id', 'api_keys.org_id')
    .select([...actorColumns, 'api_keys.secret_hash', 'api_keys.type', 'api_keys.expires_at', 'api_keys.acl_count', 'api_keys.role as key_role'])
    .where('api_keys.id', '=', keyId),
)

/** Finds a session by the digest of its token with its actor row (a prepared lookup: every session request makes it). */
export const findSessionActor: (db: Db, idHash: string) => Promise<SessionActorRow | undefined> = preparedLookup((d, idHash) =>
  d
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([...actorColumns, 'sessions.expires_at'])
    .where('sessions.id_hash', '=', idHash),
)

function withPassword(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([...actorColumns, 'users.password_hash', 'users.auth_method'])
    .$narrowType<{ auth_method: string }>()
}

/** Finds a user by its username key (see `usernameKey`) as an actor row with its password hash. */
export async function findActorWithPasswordByUsernameKey(db: Db, usernameKey: string): Promise<ActorRowWithPassword | undefined> {
  return withPassword(db).where('users.username_key', '=', usernameKey).executeTakeFirst()
}

/**
 * Lists at most two users whose e-mail address, lower-cased, is `email` (given lower case), as
 * actor rows with their password hashes: enough to tell whether exactly one user has it.
 */
export async function listActorsWithPasswordByEmail(db: Db, email: string): Promise<ActorRowWithPassword[]> {
  return withPassword(db).where(sql`lower(users.email)`, '=', email).limit(2).execute()
}

/** Inserts a session, stored by the digest of its token. */
export async function insertSession(db: Db, row: { idHash: string; userId: string; createdAt: string; expiresAt: string }): Promise<void> {
  await db.insertInto('sessions').values({ id_hash: row.idHash, user_id: row.userId, created_at: row.createdAt, expires_at: row.expiresAt }).execute()
}

/** Deletes a session by the digest of its token (nothing when there is none). */
export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
}

/** A session as its user may see it: never its token or the token's digest. */
export interface SessionRow {
  id_hash: string
  created_at: string
  expires_at: string
}

/** Lists the live sessions of user `userId` (not expired at `nowIso`), oldest first. */
export async function listUserSessions(db: Db, userId: string, nowIso: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .select(['id_hash', 'created_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', nowIso)
    .orderBy('created_at')
    .orderBy('id_hash')
    .execute()
}
