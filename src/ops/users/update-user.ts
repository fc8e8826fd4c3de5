import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { getUserInOrg } from './get-user.js'
import { DomainError } from '../../core/errors.js'
import { mayGrant, type Role } from '../../core/roles.js'
import { hashSecret, verifySecret } from '../../core/passwords.js'
import { deleteUserSessions, findUserById, toUser, updateUserRow, type User, type UserPatch } from '../../store/users.repo.js'
import { nowIso } from '../../store/store.js'
import { throttleKeys, throttledCheck } from '../../store/throttle.repo.js'
import { deleteUserChallenges } from '../../store/login-challenges.repo.js'
import { authMethodOf, loginAddress, type AuthMethod } from '../../core/users.js'
import type { UserTable } from '../../store/schema.js'
import type { Ctx } from '../context.js'
import { Email, ExpiryInput, Password, PersonName, PropertyChange, RoleInput } from './schema.js'
import { checkManager } from './manager.js'
import { applyAdditionalProperties, parseAccountOptions, requireExpiryAllowed, setsAccountOptions } from './account-options.js'
import { getOrgInScope } from '../access.js'
import type { PropertyMap } from '../../core/account.js'

/** Refuses the e-mail factor for a login with no address to mail its PIN to. */
function requireAddressFor(method: AuthMethod, u: { email: string; username: string }): void {
  if (method === 'email' && loginAddress(u) === '') {
    throw new DomainError('invalid_argument', 'the e-mail factor (authMethod email) needs an e-mail address to send PINs to', { field: 'authMethod' })
  }
}

/**
 * Checks the caller's own `currentPassword` (`forbidden` without it or when it is wrong), throttled
 * like a login: a stolen session must not become a password-guessing oracle.
 */
async function checkCurrentPassword(ctx: Ctx, u: UserTable, current: string | undefined, why: string): Promise<void> {
  if (current === undefined) throw new DomainError('forbidden', `currentPassword is required ${why}`)
  if (!(await throttledCheck(ctx.store, throttleKeys(ctx.secrets, u.username_key, `user:${ctx.actor.userId}`), ctx.clock, () => verifySecret(u.password_hash, current)))) {
    throw new DomainError('forbidden', 'currentPassword is wrong')
  }
}

/**
 * Changes a user.
 *
 * A user may change its own email, names and password (giving `currentPassword`, checked under
 * the same per-account throttle as logins), unless it acts as `readonly`; changing
 * anyone else, or any role or `enabled`, needs `member.write`, and a role may be granted only
 * by one that could hold it. Nobody changes their own role or disables themselves. A new
 * password or a disable bumps the credential version, which drops cached credentials and
 * ends the user's sessions and pending logins.
 *
 * `authMethod` (the second factor by e-mail PIN, see ops/auth/login-pin.ts) is the user's own
 * choice only (`forbidden` for anyone else), and a change of it needs `currentPassword` as a new
 * password does; `email` needs an address to mail (`invalid_argument` without one, and an
 * address may not be cleared while it is on). Turning it off ends the user's pending logins.
 *
 * `managerUserId` (needs `member.write`; not one's own) names the user's manager, a user of the
 * same organisation, whom "Workflow Managers" approvals go to (ops/approvals/); null removes it.
 *
 * Seed 004's options: `changePasswordAtNextLogon`, `passwordExpiresAt` and `accountExpiresAt`
 * (as in create-user: `NEVER` where the organisation does not allow it is `failed_precondition`
 * on `password.expires`; malformed days `invalid_argument` on `password.expires` or
 * `accountExpires`) are set by another user with `member.write`, never by the user itself
 * (`forbidden`). A user changing its own password clears `changePasswordAtNextLogon`; a new
 * password set by someone else leaves it as it is (give it `true` to make the user choose its
 * own). Neither moves `passwordExpiresAt`: the expiry is a day the caller gives.
 * `additionalProperties` merges into the user's additional properties (core/account.ts; needs
 * `member.write` as other users' fields do; the answer then carries them).
 */
export const updateUser = defineOp({
  name: 'user.update',
  input: Type.Object(
    {
      orgId: Type.String(),
      userId: Type.String(),
      expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
      email: Type.Optional(Email),
      firstName: Type.Optional(PersonName),
      lastName: Type.Optional(PersonName),
      role: Type.Optional(RoleInput),
      enabled: Type.Optional(Type.Boolean()),
      password: Type.Optional(Password),
      currentPassword: Type.Optional(Type.String({ maxLength: 256 })),
      authMethod: Type.Optional(Type.Enum(['basic', 'email'] as const)),
      managerUserId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: "The user's manager (a user of the same organisation), or null for none" })),
      changePasswordAtNextLogon: Type.Optional(Type.Boolean()),
      passwordExpiresAt: Type.Optional(ExpiryInput),
      accountExpiresAt: Type.Optional(ExpiryInput),
      additionalProperties: Type.Optional(PropertyChange),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<User & { additionalProperties?: PropertyMap }> {
    const self = input.userId === ctx.actor.userId
    if (!self || input.additionalProperties !== undefined) requirePermission(ctx, 'member.write')
    if (self && setsAccountOptions(input)) {
      throw new DomainError('forbidden', 'you may not change your own password expiry, account expiry or change-at-next-logon flag')
    }
    const options = parseAccountOptions(input)
    if (self && ctx.actor.role === 'readonly') {
      throw new DomainError('forbidden', 'a readonly actor may not change anything, its own profile included')
    }
    if (self && (input.role !== undefined || input.enabled !== undefined || input.managerUserId !== undefined)) {
      throw new DomainError('forbidden', 'you may not change your own role, enabled flag or manager')
    }
    if (input.role !== undefined && !mayGrant(ctx.actor.role, input.role)) {
      throw new DomainError('forbidden', `role ${ctx.actor.role} may not grant ${input.role}`)
    }
    if (input.authMethod !== undefined && !self) {
      throw new DomainError('forbidden', "only the login itself turns its second factor on or off")
    }
    const before = await getUserInOrg(ctx, ctx.store.db, input.orgId, input.userId)
    if (!self && !mayGrant(ctx.actor.role, before.role as Role)) {
      throw new DomainError('forbidden', `role ${ctx.actor.role} may not change a user with role ${before.role}`)
    }
    const methodChange = input.authMethod !== undefined && input.authMethod !== authMethodOf(before.auth_method)
    requireAddressFor(input.authMethod ?? authMethodOf(before.auth_method), { email: input.email ?? before.email, username: before.username })
    let passwordHash: string | undefined
    if (methodChange && input.password === undefined) {
      await checkCurrentPassword(ctx, before, input.currentPassword, 'to turn the second factor on or off')
    }
    if (input.password !== undefined) {
      if (self) {
        if (input.currentPassword === undefined) {
          throw new DomainError('invalid_argument', 'currentPassword is required to change your own password', { field: 'currentPassword' })
        }
        await checkCurrentPassword(ctx, before, input.currentPassword, 'to change your own password')
      }
      passwordHash = await hashSecret(input.password)
    }
    return ctx.store.write(async (trx) => {
      const u = await getUserInOrg(ctx, trx, input.orgId, input.userId)
      if (u.approval_state != null && input.enabled !== undefined) throw new DomainError('conflict', `${u.username} waits for an approval; its enabled flag follows the decision`)
      requireExpiryAllowed(await getOrgInScope(ctx, trx, input.orgId), options)
      const set: UserPatch = { ...options }
      if (input.email !== undefined) set.email = input.email
      if (input.firstName !== undefined) set.first_name = input.firstName
      if (input.lastName !== undefined) set.last_name = input.lastName
      if (input.role !== undefined) set.role = input.role
      if (input.enabled !== undefined) set.enabled = input.enabled ? 1 : 0
      if (passwordHash !== undefined) set.password_hash = passwordHash
      if (passwordHash !== undefined && self) set.change_password_at_next_logon = 0
      if (input.authMethod !== undefined) set.auth_method = input.authMethod
      if (input.managerUserId) await checkManager(trx, u.org_id, u.id, input.managerUserId)
      if (input.managerUserId !== undefined) set.manager_user_id = input.managerUserId
      requireAddressFor(input.authMethod ?? authMethodOf(u.auth_method), { email: input.email ?? u.email, username: u.username })
      const credsChange = passwordHash !== undefined || (input.enabled === false && u.enabled === 1)
      if (credsChange) set.cred_version = u.cred_version + 1
      const updated = await updateUserRow(trx, u.id, input.expectedVersion ?? u.version, { ...set, updated_at: nowIso(ctx.clock), version: u.version + 1 })
      if (!updated) {
        throw new DomainError('version_mismatch', `user was changed since version ${input.expectedVersion ?? u.version}`)
      }
      if (credsChange) await deleteUserSessions(trx, u.id)
      if (credsChange || (input.authMethod === 'basic' && authMethodOf(u.auth_method) !== 'basic')) await deleteUserChallenges(trx, u.id)
      const fresh = toUser((await findUserById(trx, u.id))!)
      if (input.additionalProperties === undefined) return fresh
      return { ...fresh, additionalProperties: await applyAdditionalProperties(ctx, trx, u.id, input.additionalProperties) }
    })
  },
})
