/** API keys and their IP ACL entries as stored. */
import type { ApiKeyTable, ApiKeyAclTable } from './schema.js'
import type { ApiKey, ApiKeyAcl } from '../core/users.js'
import { KEY_PREFIX } from '../core/users.js'
export type { ApiKey, ApiKeyAcl } from '../core/users.js'
export { KEY_PREFIX } from '../core/users.js'

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
