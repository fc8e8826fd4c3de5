/** API keys and their IP ACL entries as stored. */
import type { ApiKeyTable, ApiKeyAclTable } from './schema.js'

/** An API key as the core sees it (never its secret). */
export interface ApiKey {
  id: string
  name: string
  type: 'full' | 'readonly'
  userId: string
  orgId: string
  /** The part of the token that identifies the key, safe to show: `clt_<id>`. */
  prefix: string
  createdAt: string
  expiresAt: string | null
  aclCount: number
}

export interface ApiKeyAcl {
  id: number
  keyId: string
  address: string
  mask: number
  createdAt: string
}

/** The token prefix every key secret carries. */
export const KEY_PREFIX = 'clt_'

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
  }
}

/** Maps a stored ACL row to an ApiKeyAcl. */
export function toApiKeyAcl(r: Omit<ApiKeyAclTable, 'id'> & { id: number }): ApiKeyAcl {
  return { id: r.id, keyId: r.key_id, address: r.address, mask: r.mask, createdAt: r.created_at }
}
