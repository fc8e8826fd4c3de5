/**
 * API keys: created with their secret shown once, listed, revoked, and fenced by IP ACLs.
 *
 * A key acts as the user who created it, for the organisation it names (the creator's own or
 * one below it). A `readonly` key acts with the `readonly` role whatever the user's role.
 * Users manage their own keys; a user with `member.write` may also list and revoke the keys
 * of users in its subtree. Everything here is seen from the acting key's scope: a key scoped
 * to a customer reaches only keys acting for that customer or below, and nobody reaches a key
 * whose user sits above them.
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope, inScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { can } from '../../core/roles.js'
import { digest, newKeyId, newSecret } from '../../core/secrets.js'
import {
  KEY_PREFIX,
  decrementApiKeyAclCount,
  deleteApiKeyAclRow,
  deleteApiKeyRow,
  findApiKeyAcl,
  findApiKeyWithOrgPath,
  incrementApiKeyAclCount,
  insertApiKey,
  insertApiKeyAcl,
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
import { normaliseAcl } from './cidr.js'

const KeyType = Type.Union([Type.Literal('full'), Type.Literal('readonly')])

/** Creates a key; answers it with its secret, which is never shown again. */
export const createApiKey = defineOp({
  name: 'apikey.create',
  input: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
      type: Type.Optional(KeyType),
      orgId: Type.Optional(Type.String()),
      expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ApiKey & { secret: string }> {
    requirePermission(ctx, 'key.write')
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= ctx.clock()) {
      throw new DomainError('invalid_argument', 'expiresAt must be in the future', { field: 'expiresAt' })
    }
    const id = newKeyId()
    const secret = `${KEY_PREFIX}${id}_${newSecret()}`
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId ?? ctx.actor.orgId)
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found')
      const row: ApiKeyTable = {
        id,
        user_id: ctx.actor.userId,
        org_id: org.id,
        name: input.name.trim(),
        type: input.type ?? 'full',
        secret_hash: digest(secret),
        created_at: nowIso(ctx.clock),
        expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
        acl_count: 0,
      }
      await insertApiKey(trx, row)
      return { ...toApiKey(row), secret }
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
async function getKeyForChange(ctx: Ctx, db: Db, keyId: string): Promise<ApiKeyTable> {
  const row = await findApiKeyWithOrgPath(db, keyId)
  if (!row || !inScope(ctx, row.path)) throw new DomainError('not_found', 'API key not found')
  const own = row.user_id === ctx.actor.userId
  if (!own && !(inScope(ctx, row.userPath) && can(ctx.actor.role, 'member.write'))) {
    throw new DomainError('not_found', 'API key not found')
  }
  if (own) requirePermission(ctx, 'key.write')
  const { path: _path, userPath: _userPath, ...key } = row
  return key
}

/** Revokes a key at once, on every server process (keys are checked against the database on each call). */
export const deleteApiKey = defineOp({
  name: 'apikey.delete',
  input: Type.Object({ keyId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    await ctx.store.write(async (trx) => {
      const k = await getKeyForChange(ctx, trx, input.keyId)
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

/** Changes an ACL entry's address or mask. */
export const updateApiKeyAcl = defineOp({
  name: 'apikey.acl.update',
  input: Type.Object(
    { keyId: Type.String({ maxLength: 64 }), aclId: Type.Integer({ minimum: 1, maximum: 2147483647 }), address: Type.Optional(Address), mask: Type.Optional(Mask) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ApiKeyAcl> {
    return ctx.store.write(async (trx) => {
      const k = await getKeyForChange(ctx, trx, input.keyId)
      const row = await findApiKeyAcl(trx, k.id, input.aclId)
      if (!row) throw new DomainError('not_found', 'ACL entry not found')
      const acl = normaliseAcl(input.address ?? row.address, input.mask ?? row.mask)
      await updateApiKeyAclRow(trx, row.id, acl)
      return toApiKeyAcl({ ...row, ...acl })
    })
  },
})

/** Removes an ACL entry; a key whose last entry is removed works from anywhere again. */
export const deleteApiKeyAcl = defineOp({
  name: 'apikey.acl.delete',
  input: Type.Object({ keyId: Type.String({ maxLength: 64 }), aclId: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    await ctx.store.write(async (trx) => {
      const k = await getKeyForChange(ctx, trx, input.keyId)
      if (!(await deleteApiKeyAclRow(trx, k.id, input.aclId))) throw new DomainError('not_found', 'ACL entry not found')
      await decrementApiKeyAclCount(trx, k.id)
    })
  },
})
