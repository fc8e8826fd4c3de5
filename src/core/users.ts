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
  /** The SHA-256 (hex) of its avatar picture (seed 003's `setLoginAvatar`), its public id; null for none. */
  avatarHash: string | null
  /** How its password logins go on: `basic`, or `email` (a mailed PIN as a second factor). */
  authMethod: AuthMethod
  /** The user's manager (a user of the same organisation), whom "Workflow Managers" approvals go to; null: none. */
  managerUserId: string | null
  /** True while the user's creation or deletion waits for approval (a user created so is disabled until accepted). */
  approvalPending: boolean
  /** The user must change its password (seed 004's `changeatnextlogon`); cleared when it does. */
  changePasswordAtNextLogon: boolean
  /** The day (`YYYY-MM-DD`, UTC) from which its password is refused; null: never (seed 004's `expires`). */
  passwordExpiresAt: string | null
  /** The day (`YYYY-MM-DD`, UTC) from which it cannot authenticate at all; null: never. */
  accountExpiresAt: string | null
}

/**
 * A login's way of logging in with its password (seed 003's `authMethod`): `basic`, the password
 * alone; `email`, the password and then a PIN mailed to the login's address. Seed 003's `otp`
 * (an authenticator app) is not offered.
 */
export type AuthMethod = 'basic' | 'email'

/** The AuthMethod a stored value names (anything unknown is `basic`). */
export function authMethodOf(stored: string | undefined): AuthMethod {
  return stored === 'email' ? 'email' : 'basic'
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
  /** The role the key acts with at most; null: its user's role (`readonly` for a readonly key). */
  role: Role | null
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

/** A session lasts this long from its opening (a login, or a one-time login link). */
export const SESSION_TTL_MS = 12 * 3600_000

/**
 * A one-time login link (seed 003's `getOrgMemberLogin`) can be used this long after it was
 * made: long enough to follow it at once, short enough that a link left in a browser history,
 * a proxy's log or a chat is useless by the time anyone finds it.
 */
export const LOGIN_LINK_TTL_MS = 60_000

/**
 * The address a login's mail goes to: its e-mail address, or its username when that is one;
 * `''` when it has neither (it can then not use the e-mail factor).
 */
export function loginAddress(u: { email: string; username: string }): string {
  if (u.email !== '') return u.email
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(u.username) ? u.username : ''
}

/** A pending login (password right, PIN not yet given) lasts this long from its last PIN. */
export const PIN_TTL_MS = 10 * 60_000
/** PINs that may be tried against one pending login, right or wrong; then it is dead. */
export const PIN_MAX_ATTEMPTS = 5
/** PINs one pending login may be mailed (the first and its resends). */
export const PIN_MAX_SENDS = 5
/** PIN mails one user may be sent within the throttle's window (15 minutes), all logins together. */
export const PIN_MAIL_MAX = 10

/**
 * The locale a login answers (seed 003's `CPLocale` form, `en-GB`): its organisation's, with
 * `_` written `-`; `en` when the organisation's is not of that form.
 */
export function loginLocale(orgLocale: string): string {
  const locale = orgLocale.replace(/_/g, '-')
  return /^[a-z]{2}(-[A-Z][A-Za-z]{1,3})?$/.test(locale) ? locale : 'en'
}

/** Splits seed 003's one `name` into first and last names at its first space. */
export function splitName(name: string): { firstName: string; lastName: string } {
  const t = name.trim()
  const sp = t.indexOf(' ')
  return sp < 0 ? { firstName: t, lastName: '' } : { firstName: t.slice(0, sp), lastName: t.slice(sp + 1).trim() }
}
