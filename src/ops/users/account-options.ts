/**
 * Seed 004's password options of a user (`<password><changeatnextlogon/><expires/>`), its
 * account expiry and its additional properties, as create-user and update-user apply them.
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { mergeProperties, parseAccountExpiry, parsePasswordExpiry, passwordsMustExpire, type PropertyMap } from '../../core/account.js'
import { readProperties, writeProperties } from '../../store/properties.repo.js'

/** The options as an operation's input gives them (all optional). */
export interface AccountOptionsInput {
  changePasswordAtNextLogon?: boolean | undefined
  passwordExpiresAt?: string | null | undefined
  accountExpiresAt?: string | null | undefined
}

/** The columns the options set (only those given). */
export interface AccountOptionColumns {
  change_password_at_next_logon?: number
  password_expires_at?: string | null
  account_expires_at?: string | null
}

/**
 * Checks the options without reading anything: a malformed password expiry is
 * `invalid_argument` on `password.expires`, a malformed account expiry on `accountExpires`.
 * Answers the columns they set.
 */
export function parseAccountOptions(input: AccountOptionsInput): AccountOptionColumns {
  const out: AccountOptionColumns = {}
  if (input.changePasswordAtNextLogon !== undefined) out.change_password_at_next_logon = input.changePasswordAtNextLogon ? 1 : 0
  if (input.passwordExpiresAt !== undefined) out.password_expires_at = input.passwordExpiresAt === null ? null : parsePasswordExpiry(input.passwordExpiresAt)
  if (input.accountExpiresAt !== undefined) out.account_expires_at = input.accountExpiresAt === null ? null : parseAccountExpiry(input.accountExpiresAt)
  return out
}

/** True when `input` sets any of the options. */
export function setsAccountOptions(input: AccountOptionsInput): boolean {
  return input.changePasswordAtNextLogon !== undefined || input.passwordExpiresAt !== undefined || input.accountExpiresAt !== undefined
}

/**
 * Refuses a password set never to expire (given explicitly: `NEVER` or null) in an organisation
 * that does not allow it (`failed_precondition`, field `password.expires`, seed 004's 35).
 */
export function requireExpiryAllowed(org: OrgRow, cols: AccountOptionColumns): void {
  if ('password_expires_at' in cols && cols.password_expires_at === null && org.password_never_expires_allowed === 0) throw passwordsMustExpire()
}

/**
 * Applies a change of a user's additional properties (SET semantics, see core/account.ts) in
 * `trx`; answers the map as it now is. Errors name `property.<name>` (seed 004's 19).
 */
export async function applyAdditionalProperties(_ctx: Ctx, trx: Db, userId: string, change: PropertyMap): Promise<PropertyMap> {
  const current = await readProperties(trx, 'user', userId)
  const next = mergeProperties(current, change, 'property')
  await writeProperties(trx, 'user', userId, current, next)
  return next
}
