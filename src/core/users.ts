/** Users, their groups and their API keys, as every layer sees them (never a secret). */
import type { Role } from './roles.js'

/** A user as the core sees it. */
export interface User {
  id: string
  orgId: string
  username: string
  email: string
  firstName: string
  lastName: string
  role: Role
  enabled: boolean
  createdAt: string
  updatedAt: string
  version: number
}

/** A group as the core sees it. */
export interface Group {
  id: string
  orgId: string
  name: string
  description: string
  createdAt: string
}

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
