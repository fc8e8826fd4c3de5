/** API keys and their IP ACL entries as stored. */
import type { Db } from './store.js'
import type { ApiKeyTable, ApiKeyAclTable } from './schema.js'
import type { ApiKey, ApiKeyAcl } from '../core/users.js'
import { KEY_PREFIX } from '../core/users.js'
import type { Role } from '../core/roles.js'
export type { ApiKey, ApiKeyAcl } from '../core/users.js'
export { KEY_PREFIX } from '../core/users.js'

/** A stored ACL row. */
export type ApiKeyAclRow = Omit<ApiKeyAclTable, 'id'> & { id: number }

/** An ACL entry's network: an address and its CIDR mask. */
export interface AclNetwork {
  address: string
  mask: number
}

/** Maps a stored key row to an ApiKey. */
export function toApiKey(r: ApiKeyTable): ApiKey {
  return {
    id: r.id,
    name: r.name,
    type: r.type as ApiKey['type'],
    userId: r.user_id,
    orgId: r.org_id,
    prefix: `${KEY_PREFIX}${r.id}`,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    aclCount: r.acl_count,
    role: (r.role ?? null) as Role | null,
  }
}

/** Maps a stored ACL row to an ApiKeyAcl. */
export function toApiKeyAcl(r: ApiKeyAclRow): ApiKeyAcl {
  return { id: r.id, keyId: r.key_id, address: r.address, mask: r.mask, createdAt: r.created_at }
}

// ---- keys ----

/** Inserts a key. */
export async function insertApiKey(db: Db, row: ApiKeyTable): Promise<void> {
  await db.insertInto('api_keys').values(row).execute()
}

/**
 * Lists the keys of user `userId` that act for an organisation in the subtree at `orgPath`,
 * newest first: a key scoped to a customer sees the user's keys for that customer and below,
 * never the user's keys for an organisation above it.
 */
export async function listApiKeyRowsOfUser(db: Db, userId: string, orgPath: string): Promise<ApiKeyTable[]> {
  return db
    .selectFrom('api_keys')
    .innerJoin('orgs', 'orgs.id', 'api_keys.org_id')
    .selectAll('api_keys')
    .where('api_keys.user_id', '=', userId)
    .where('orgs.path', '>=', orgPath)
    .where('orgs.path', '<', orgPath.slice(0, -1) + '0')
    .orderBy('api_keys.created_at', 'desc')
    .execute()
}

/**
 * Lists the keys whose user belongs to an organisation in the subtree at `orgPath` (itself
 * included), newest first. A key's own organisation is its user's or one below it, so these
 * keys all act inside the subtree too; a key made for an organisation in the subtree by a user
 * above it is not listed.
 */
export async function listApiKeyRowsInSubtree(db: Db, orgPath: string): Promise<ApiKeyTable[]> {
  return db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .selectAll('api_keys')
    .where('orgs.path', '>=', orgPath)
    .where('orgs.path', '<', orgPath.slice(0, -1) + '0')
    .orderBy('api_keys.created_at', 'desc')
    .execute()
}

/** Finds a key with the paths of the organisation it acts for (`path`) and of its user's organisation (`userPath`). */
export async function findApiKeyWithOrgPath(db: Db, keyId: string): Promise<(ApiKeyTable & { path: string; userPath: string }) | undefined> {
  return db
    .selectFrom('api_keys')
    .innerJoin('orgs', 'orgs.id', 'api_keys.org_id')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .innerJoin('orgs as user_orgs', 'user_orgs.id', 'users.org_id')
    .selectAll('api_keys')
    .select(['orgs.path', 'user_orgs.path as userPath'])
    .where('api_keys.id', '=', keyId)
    .executeTakeFirst()
}

/** Deletes a key (its ACL entries go with it by foreign key). */
export async function deleteApiKeyRow(db: Db, keyId: string): Promise<void> {
  await db.deleteFrom('api_keys').where('id', '=', keyId).execute()
}

/** Adds one to a key's ACL count, in SQL so that concurrent adds all count. */
export async function incrementApiKeyAclCount(db: Db, keyId: string): Promise<void> {
  await db.updateTable('api_keys').set((eb) => ({ acl_count: eb('acl_count', '+', 1) })).where('id', '=', keyId).execute()
}

/** Takes one from a key's ACL count, in SQL so that concurrent removals all count. */
export async function decrementApiKeyAclCount(db: Db, keyId: string): Promise<void> {
  await db.updateTable('api_keys').set((eb) => ({ acl_count: eb('acl_count', '-', 1) })).where('id', '=', keyId).execute()
}

// ---- ACL entries ----

/** Lists a key's ACL entries, oldest first. */
export async function listApiKeyAclRows(db: Db, keyId: string): Promise<ApiKeyAclRow[]> {
  return db.selectFrom('api_key_acls').selectAll().where('key_id', '=', keyId).orderBy('id').execute()
}

/** Lists the networks of a key's ACL entries, in no particular order (what authentication checks). */
export async function listApiKeyAclNetworks(db: Db, keyId: string): Promise<AclNetwork[]> {
  return db.selectFrom('api_key_acls').select(['address', 'mask']).where('key_id', '=', keyId).execute()
}

/** Finds one of a key's ACL entries by id. */
export async function findApiKeyAcl(db: Db, keyId: string, aclId: number): Promise<ApiKeyAclRow | undefined> {
  return db.selectFrom('api_key_acls').selectAll().where('id', '=', aclId).where('key_id', '=', keyId).executeTakeFirst()
}

/** Finds an ACL entry by its id alone (ids are unique across every key). */
export async function findApiKeyAclById(db: Db, aclId: number): Promise<ApiKeyAclRow | undefined> {
  return db.selectFrom('api_key_acls').selectAll().where('id', '=', aclId).executeTakeFirst()
}

/** Inserts an ACL entry for a key; answers its id. Does not change the key's ACL count. */
export async function insertApiKeyAcl(db: Db, keyId: string, acl: AclNetwork, createdAt: string): Promise<number> {
  const { id } = await db
    .insertInto('api_key_acls')
    .values({ key_id: keyId, ...acl, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/** Changes an ACL entry's network. */
export async function updateApiKeyAclRow(db: Db, aclId: number, acl: AclNetwork): Promise<void> {
  await db.updateTable('api_key_acls').set(acl).where('id', '=', aclId).execute()
}

/** Deletes one of a key's ACL entries; answers whether there was one. Does not change the key's ACL count. */
export async function deleteApiKeyAclRow(db: Db, keyId: string, aclId: number): Promise<boolean> {
  const res = await db.deleteFrom('api_key_acls').where('id', '=', aclId).where('key_id', '=', keyId).executeTakeFirst()
  return Number(res.numDeletedRows) !== 0
}

/** The key columns an update may change. */
export type ApiKeyPatch = Partial<Pick<ApiKeyTable, 'name' | 'expires_at' | 'role' | 'acl_count'>>

/** Changes a key's columns. */
export async function updateApiKeyRow(db: Db, keyId: string, patch: ApiKeyPatch): Promise<void> {
  await db.updateTable('api_keys').set(patch).where('id', '=', keyId).execute()
}

/**
 * Lists the keys that act for organisation `orgId`, oldest first, each with its user's role and
 * the path of its user's organisation (who may see a key depends on where its user sits).
 */
export async function listApiKeyRowsForOrg(db: Db, orgId: string): Promise<(ApiKeyTable & { userRole: string; userPath: string })[]> {
  return db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .innerJoin('orgs as user_orgs', 'user_orgs.id', 'users.org_id')
    .selectAll('api_keys')
    .select(['users.role as userRole', 'user_orgs.path as userPath'])
    .where('api_keys.org_id', '=', orgId)
    .orderBy('api_keys.created_at')
    .orderBy('api_keys.id')
    .execute()
}

/** Lists the ACL entries (id and network) of several keys at once, by key id, oldest first. */
export async function listApiKeyAclNetworksOfKeys(db: Db, keyIds: readonly string[]): Promise<Map<string, (AclNetwork & { id: number })[]>> {
  const out = new Map<string, (AclNetwork & { id: number })[]>()
  if (keyIds.length === 0) return out
  const rows = await db.selectFrom('api_key_acls').select(['id', 'key_id', 'address', 'mask']).where('key_id', 'in', keyIds).orderBy('id').execute()
  for (const r of rows) {
    const list = out.get(r.key_id) ?? []
    list.push({ id: r.id, address: r.address, mask: r.mask })
    out.set(r.key_id, list)
  }
  return out
}

/** Replaces a key's ACL entries with `acls` and sets its ACL count to match. */
export async function replaceApiKeyAcls(db: Db, keyId: string, acls: readonly AclNetwork[], createdAt: string): Promise<void> {
  await db.deleteFrom('api_key_acls').where('key_id', '=', keyId).execute()
  for (const a of acls) await insertApiKeyAcl(db, keyId, a, createdAt)
  await db.updateTable('api_keys').set({ acl_count: acls.length }).where('id', '=', keyId).execute()
}

/** Finds a user's role by id. */
export async function findUserRole(db: Db, userId: string): Promise<string | undefined> {
  return (await db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst())?.role
}
