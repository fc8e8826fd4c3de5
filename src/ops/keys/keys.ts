/**
 * API keys: created with their secret shown once, listed, revoked, and fenced by IP ACLs.
 *
 * A key acts as the user who created it, for the organisation it names (the creator's own or
 * one below it). A `readonly` key acts with the `readonly` role whatever the user's role; a key
 * made with a `role` (seed 003's access tokens) acts with at most that role and at most its
 * user's role of the moment (`meetRole`).
 * Users manage their own keys; a user with `member.write` may also list and revoke the keys
 * of users in its subtree. Everything here is seen from the acting key's scope: a key scoped
 * to a customer reaches only keys acting for that customer or below, and nobody reaches a key
 * whose user sits above them.
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope, inScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { can, meetRole, ROLES, withinRole, type Role } from '../../core/roles.js'
import { digest, newKeyId, newSecret } from '../../core/secrets.js'
import {
  KEY_PREFIX,
  decrementApiKeyAclCount,
  deleteApiKeyAclRow,
  deleteApiKeyRow,
  findApiKeyAcl,
  findApiKeyAclById,
  findApiKeyWithOrgPath,
  incrementApiKeyAclCount,
  insertApiKey,
  insertApiKeyAcl,
  listApiKeyAclNetworksOfKeys,
  listApiKeyRowsForOrg,
  replaceApiKeyAcls,
  updateApiKeyRow,
  findUserRole,
  type AclNetwork,
  type ApiKeyPatch,
  listApiKeyAclRows,
  listApiKeyRowsInSubtree,
  listApiKeyRowsOfUser,
  toApiKey,
  toApiKeyAcl,
  updateApiKeyAclRow,
  type ApiKey,
  type ApiKeyAcl,
} from '../../store/keys.repo.js'
import type { Db } from '../../store/store.js'
import type { ApiKeyTable } from '../../store/schema.js'
import { nowIso } from '../../store/store.js'
import { normaliseAcl, parseAllowedIp } from './cidr.js'

const RoleInput = Type.Enum(ROLES)

const KeyType = Type.Union([Type.Literal('full'), Type.Literal('readonly')])

/** Up to this many ACL entries may be given at once (seed 003's `allowedIps`). */
const AllowedIps = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 })

/**
 * The ACL entries a key gets from seed 003's `allowedIps` and `ipRestricted`, or undefined for
 * "unchanged". A Clientele key is fenced exactly when it has entries, so `ipRestricted: false`
 * clears them, and `ipRestricted: true` needs at least one address (given, or kept from before).
 */
function aclsFrom(input: { allowedIps?: string[] | undefined; ipRestricted?: boolean | undefined }, current: number): AclNetwork[] | undefined {
  if (input.ipRestricted === false) return []
  const acls = input.allowedIps?.map((t, i) => parseAllowedIp(t, `allowedIps.${i}`))
  if (input.ipRestricted === true && (acls ? acls.length === 0 : current === 0)) {
    throw new DomainError('invalid_argument', 'ipRestricted needs at least one address in allowedIps', { field: 'allowedIps' })
  }
  return acls
}

/** Refuses a key role with more rights than `holder` has. */
function requireWithin(role: Role, holder: Role, who: string): void {
  if (!withinRole(role, holder)) throw new DomainError('forbidden', `a key may not act as ${role}: ${who} holds ${holder}`)
}

/**
 * Creates a key; answers it with its secret, which is never shown again.
 *
 * Without `name` the key is named after its role and the day (`admin key 2026-12-07`, or `key …`
 * when it acts with its user's role): seed 001's `createKey` gives no name. `role` makes the key act with at most that role (never more than its creator holds, then or
 * later); `allowedIps` become its IP ACL entries, in the same transaction.
 */
export const createApiKey = defineOp({
  name: 'apikey.create',
  input: Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
      type: Type.Optional(KeyType),
      orgId: Type.Optional(Type.String()),
      expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
      role: Type.Optional(RoleInput),
      allowedIps: Type.Optional(AllowedIps),
      ipRestricted: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ApiKey & { secret: string }> {
    requirePermission(ctx, 'key.write')
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= ctx.clock()) {
      throw new DomainError('invalid_argument', 'expiresAt must be in the future', { field: 'expiresAt' })
    }
    if (input.role !== undefined) requireWithin(input.role, ctx.actor.role, 'you')
    const acls = aclsFrom(input, 0) ?? []
    const id = newKeyId()
    const secret = `${KEY_PREFIX}${id}_${newSecret()}`
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId ?? ctx.actor.orgId)
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
      const now = nowIso(ctx.clock)
      const row: ApiKeyTable = {
        id,
        user_id: ctx.actor.userId,
        org_id: org.id,
        name: input.name?.trim() ?? `${input.role ?? (input.type === 'readonly' ? 'readonly' : '')} key ${now.slice(0, 10)}`.trimStart(),
        type: input.type ?? 'full',
        secret_hash: digest(secret),
        created_at: now,
        expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
        acl_count: 0,
        role: input.role ?? null,
      }
      await insertApiKey(trx, row)
      if (acls.length > 0) await replaceApiKeyAcls(trx, id, acls, now)
      return { ...toApiKey({ ...row, acl_count: acls.length }), secret }
    })
  },
})

/** A key as seen with its ACL entries (id and network) and the role it acts with now. */
export type ApiKeyView = ApiKey & { actsAs: Role; acls: (AclNetwork & { id: number })[] }

/**
 * Lists the keys that act for organisation `orgId` and that the actor may manage (its own, and
 * with `member.write` those of users in its scope), oldest first, with their ACL entries.
 * `role` keeps only the keys that act with that role now (`actsAs`: seed 001's key "type").
 */
export const listOrgApiKeys = defineOp({
  name: 'apikey.org.list',
  input: Type.Object({ orgId: Type.String(), role: Type.Optional(RoleInput) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApiKeyView[]> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    const admin = can(ctx.actor.role, 'member.write')
    const views = (await listApiKeyRowsForOrg(db, org.id))
      .filter((r) => r.user_id === ctx.actor.userId || (admin && inScope(ctx, r.userPath)))
      .map((r) => ({ row: r, actsAs: keyActsAs(r.type, r.role, r.userRole as Role) }))
      .filter((v) => input.role === undefined || v.actsAs === input.role)
    const acls = await listApiKeyAclNetworksOfKeys(db, views.map((v) => v.row.id))
    return views.map(({ row, actsAs }) => ({ ...toApiKey(row), actsAs, acls: acls.get(row.id) ?? [] }))
  },
})

/** The role a key acts with: `readonly` for a readonly key, else at most its own role and its user's. */
export function keyActsAs(type: string, keyRole: string | null, userRole: Role): Role {
  if (type === 'readonly') return 'readonly'
  return keyRole ? meetRole(keyRole as Role, userRole) : userRole
}

/**
 * Changes a key: its name, expiry, role (within the actor's and its user's roles) and IP ACL
 * entries (`allowedIps` replaces them all). With `orgId`, the key must act for that organisation.
 */
export const updateApiKey = defineOp({
  name: 'apikey.update',
  input: Type.Object(
    {
      keyId: Type.String({ maxLength: 64 }),
      orgId: Type.Optional(Type.String()),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
      expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
      role: Type.Optional(RoleInput),
      allowedIps: Type.Optional(AllowedIps),
      ipRestricted: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<void> {
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= ctx.clock()) {
      throw new DomainError('invalid_argument', 'expiresAt must be in the future', { field: 'expiresAt' })
    }
    if (input.role !== undefined) requireWithin(input.role, ctx.actor.role, 'you')
    await ctx.store.write(async (trx) => {
      const k = await getKeyForChange(ctx, trx, input.keyId, input.orgId)
      if (input.role !== undefined && k.user_id !== ctx.actor.userId) {
        requireWithin(input.role, ((await findUserRole(trx, k.user_id)) ?? 'readonly') as Role, "the key's user")
      }
      const acls = aclsFrom(input, k.acl_count)
      const patch: ApiKeyPatch = {}
      if (input.name !== undefined) patch.name = input.name.trim()
      if (input.expiresAt !== undefined) patch.expires_at = new Date(input.expiresAt).toISOString()
      if (input.role !== undefined) patch.role = input.role
      if (Object.keys(patch).length > 0) await updateApiKeyRow(trx, k.id, patch)
      if (acls !== undefined) await replaceApiKeyAcls(trx, k.id, acls, nowIso(ctx.clock))
    })
  },
})

/** Lists the actor's own keys in its scope, newest first; with `all`, a `member.write` actor sees every key of the users in its subtree. */
export const listApiKeys = defineOp({
  name: 'apikey.list',
  input: Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApiKey[]> {
    let rows: ApiKeyTable[]
    if (input.all) {
      requirePermission(ctx, 'member.write')
      rows = await listApiKeyRowsInSubtree(ctx.store.db, ctx.actor.orgPath)
    } else {
      rows = await listApiKeyRowsOfUser(ctx.store.db, ctx.actor.userId, ctx.actor.orgPath)
    }
    return rows.map(toApiKey)
  },
})

/**
 * The key `keyId`, if the actor may change it: the actor's own key for an organisation inside
 * the actor's scope (a key scoped to a customer does not reach the same user's key for the
 * reseller), or, with `member.write`, the key of a user inside the actor's scope. A key whose
 * user sits above the actor is never the actor's to see or change. Anything else is not found.
 */
async function getKeyForChange(ctx: Ctx, db: Db, keyId: string, orgId?: string): Promise<ApiKeyTable> {
  if (orgId !== undefined) await getOrgInScope(ctx, db, orgId)
  const row = await findApiKeyWithOrgPath(db, keyId)
  if (!row || !inScope(ctx, row.path) || (orgId !== undefined && row.org_id !== orgId)) throw new DomainError('not_found', 'API key not found')
  const own = row.user_id === ctx.actor.userId
  if (!own && !(inScope(ctx, row.userPath) && can(ctx.actor.role, 'member.write'))) {
    throw new DomainError('not_found', 'API key not found')
  }
  if (own) requirePermission(ctx, 'key.write')
  const { path: _path, userPath: _userPath, ...key } = row
  return key
}

/**
 * Revokes a key at once, on every server process (keys are checked against the database on each
 * call). With `orgId`, the key must act for that organisation.
 */
export const deleteApiKey = defineOp({
  name: 'apikey.delete',
  input: Type.Object({ keyId: Type.String({ maxLength: 64 }), orgId: Type.Optional(Type.String()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    await ctx.store.write(async (trx) => {
      const k = await getKeyForChange(ctx, trx, input.keyId, input.orgId)
      await deleteApiKeyRow(trx, k.id)
    })
  },
})

/** Lists a key's ACL entries. */
export const listApiKeyAcls = defineOp({
  name: 'apikey.acl.list',
  input: Type.Object({ keyId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApiKeyAcl[]> {
    const k = await getKeyForChange(ctx, ctx.store.db, input.keyId)
    const rows = await listApiKeyAclRows(ctx.store.db, k.id)
    return rows.map(toApiKeyAcl)
  },
})

const Mask = Type.Integer({ minimum: 0, maximum: 128 })
const Address = Type.String({ minLength: 2, maxLength: 64 })

/** Adds an ACL entry (`address` + CIDR `mask`); from then on the key works only from listed networks. */
export const addApiKeyAcl = defineOp({
  name: 'apikey.acl.add',
  input: Type.Object({ keyId: Type.String({ maxLength: 64 }), address: Address, mask: Mask }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApiKeyAcl> {
    const acl = normaliseAcl(input.address, input.mask)
    return ctx.store.write(async (trx) => {
      const k = await getKeyForChange(ctx, trx, input.keyId)
      const created_at = nowIso(ctx.clock)
      const id = await insertApiKeyAcl(trx, k.id, acl, created_at)
      // Counted in SQL, not from the row read above: concurrent adds must not lose an entry.
      await incrementApiKeyAclCount(trx, k.id)
      return { id, keyId: k.id, ...acl, createdAt: created_at }
    })
  },
})

/**
 * The key an ACL entry belongs to, if the actor may change it, and the entry: by `keyId` and
 * `aclId`, or by `aclId` alone (seed 001's `updateKeyACL`/`deleteKeyACL` name only the entry;
 * entry ids are unique across keys). Anything the actor may not change is not found.
 */
async function getAclForChange(ctx: Ctx, db: Db, keyId: string | undefined, aclId: number) {
  if (keyId === undefined) {
    const found = await findApiKeyAclById(db, aclId)
    if (!found) throw new DomainError('not_found', 'ACL entry not found')
    // Named by the entry alone, a key the actor may not change is answered as an entry that does
    // not exist: "API key not found" would tell that this entry exists under someone else's key.
    const k = await getKeyForChange(ctx, db, found.key_id).catch((e: unknown) => {
      throw e instanceof DomainError && e.code === 'not_found' ? new DomainError('not_found', 'ACL entry not found') : e
    })
    const row = await findApiKeyAcl(db, k.id, aclId)
    if (!row) throw new DomainError('not_found', 'ACL entry not found')
    return { k, row }
  }
  const k = await getKeyForChange(ctx, db, keyId)
  const row = await findApiKeyAcl(db, k.id, aclId)
  if (!row) throw new DomainError('not_found', 'ACL entry not found')
  return { k, row }
}

/**
 * Changes an ACL entry's address or mask; either may be given alone (the other is kept, and the
 * pair is checked again: an IPv6 entry's /64 given an IPv4 address is `invalid_argument` on
 * `mask`). Without `keyId` the entry is found by `aclId` alone.
 */
export const updateApiKeyAcl = defineOp({
  name: 'apikey.acl.update',
  input: Type.Object(
    { keyId: Type.Optional(Type.String({ maxLength: 64 })), aclId: Type.Integer({ minimum: 1, maximum: 2147483647 }), address: Type.Optional(Address), mask: Type.Optional(Mask) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ApiKeyAcl> {
    return ctx.store.write(async (trx) => {
      const { row } = await getAclForChange(ctx, trx, input.keyId, input.aclId)
      const acl = normaliseAcl(input.address ?? row.address, input.mask ?? row.mask)
      await updateApiKeyAclRow(trx, row.id, acl)
      return toApiKeyAcl({ ...row, ...acl })
    })
  },
})

/** Removes an ACL entry (without `keyId`: found by `aclId` alone); a key whose last entry is removed works from anywhere again. */
export const deleteApiKeyAcl = defineOp({
  name: 'apikey.acl.delete',
  input: Type.Object({ keyId: Type.Optional(Type.String({ maxLength: 64 })), aclId: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    await ctx.store.write(async (trx) => {
      const { k } = await getAclForChange(ctx, trx, input.keyId, input.aclId)
      if (!(await deleteApiKeyAclRow(trx, k.id, input.aclId))) throw new DomainError('not_found', 'ACL entry not found')
      await decrementApiKeyAclCount(trx, k.id)
    })
  },
})
