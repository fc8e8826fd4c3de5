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
import { Email, Password, PersonName, RoleInput } from './schema.js'

/**
 * Changes a user.
 *
 * A user may change its own email, names and password (giving `currentPassword`, checked under
 * the same per-account throttle as logins), unless it acts as `readonly`; changing
 * anyone else, or any role or `enabled`, needs `member.write`, and a role may be granted only
 * by one that could hold it. Nobody changes their own role or disables themselves. A new
 * password or a disable bumps the credential version, which drops cached credentials and
 * ends the user's sessions.
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
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<User> {
    const self = input.userId === ctx.actor.userId
    if (!self) requirePermission(ctx, 'member.write')
    if (self && ctx.actor.role === 'readonly') {
      throw new DomainError('forbidden', 'a readonly actor may not change anything, its own profile included')
    }
    if (self && (input.role !== undefined || input.enabled !== undefined)) {
      throw new DomainError('forbidden', 'you may not change your own role or enabled flag')
    }
    if (input.role !== undefined && !mayGrant(ctx.actor.role, input.role)) {
      throw new DomainError('forbidden', `role ${ctx.actor.role} may not grant ${input.role}`)
    }
    const before = await getUserInOrg(ctx, ctx.store.db, input.orgId, input.userId)
    if (!self && !mayGrant(ctx.actor.role, before.role as Role)) {
      throw new DomainError('forbidden', `role ${ctx.actor.role} may not change a user with role ${before.role}`)
    }
    let passwordHash: string | undefined
    if (input.password !== undefined) {
      if (self) {
        if (input.currentPassword === undefined) {
          throw new DomainError('invalid_argument', 'currentPassword is required to change your own password', { field: 'currentPassword' })
        }
        // Throttled like a login: a stolen session must not become a password-guessing oracle.
        const current = input.currentPassword
        if (!(await throttledCheck(ctx.store, throttleKeys(ctx.secrets, before.username_key, `user:${ctx.actor.userId}`), ctx.clock, () => verifySecret(before.password_hash, current)))) {
          throw new DomainError('forbidden', 'currentPassword is wrong')
        }
      }
      passwordHash = await hashSecret(input.password)
    }
    return ctx.store.write(async (trx) => {
      const u = await getUserInOrg(ctx, trx, input.orgId, input.userId)
      const set: UserPatch = {}
      if (input.email !== undefined) set.email = input.email
      if (input.firstName !== undefined) set.first_name = input.firstName
      if (input.lastName !== undefined) set.last_name = input.lastName
      if (input.role !== undefined) set.role = input.role
      if (input.enabled !== undefined) set.enabled = input.enabled ? 1 : 0
      if (passwordHash !== undefined) set.password_hash = passwordHash
      const credsChange = passwordHash !== undefined || (input.enabled === false && u.enabled === 1)
      if (credsChange) set.cred_version = u.cred_version + 1
      const updated = await updateUserRow(trx, u.id, input.expectedVersion ?? u.version, { ...set, updated_at: nowIso(ctx.clock), version: u.version + 1 })
      if (!updated) {
        throw new DomainError('version_mismatch', `user was changed since version ${input.expectedVersion ?? u.version}`)
      }
      if (credsChange) await deleteUserSessions(trx, u.id)
      return toUser((await findUserById(trx, u.id))!)
    })
  },
})
