import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { hashSecret, verifySecret } from '../../core/passwords.js'
import { Password } from '../users/schema.js'
import { deleteUserSessions, updateUserRow, type UserPatch } from '../../store/users.repo.js'
import { deleteUserChallenges } from '../../store/login-challenges.repo.js'
import { throttleKeys, throttledCheck } from '../../store/throttle.repo.js'
import { nowIso } from '../../store/store.js'
import { getCustomerOwner, requireAccountManager } from './owner-access.js'

/**
 * Sets the password of a customer's owner (seed 001's `changePassword`), under the project's
 * password rule (8–256 characters, argon2id), and bumps the owner's credential version: its
 * sessions, pending logins and cached Basic credentials end.
 *
 * Who may: see `requireAccountManager` (an administrator of a parent organisation, or the
 * customer's owner or a superadmin of it). The owner changing its own password gives
 * `currentPassword` (checked under the login throttle, as `user.update` does), unless the call
 * itself came with Basic credentials, which proved that password already.
 */
export const changeCustomerPassword = defineOp({
  name: 'customer.password.change',
  input: Type.Object({ orgId: Type.String(), password: Password, currentPassword: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    const { org, owner } = await getCustomerOwner(ctx, ctx.store.db, input.orgId)
    requireAccountManager(ctx, org)
    const self = owner.id === ctx.actor.userId
    if (self && ctx.actor.via !== 'basic') {
      if (input.currentPassword === undefined) {
        throw new DomainError('invalid_argument', 'currentPassword is required to change your own password', { field: 'currentPassword' })
      }
      const current = input.currentPassword
      const keys = throttleKeys(ctx.secrets, owner.username_key, `user:${ctx.actor.userId}`)
      if (!(await throttledCheck(ctx.store, keys, ctx.clock, () => verifySecret(owner.password_hash, current)))) {
        throw new DomainError('forbidden', 'currentPassword is wrong')
      }
    }
    const passwordHash = await hashSecret(input.password)
    await ctx.store.write(async (trx) => {
      const { owner: u } = await getCustomerOwner(ctx, trx, org.id)
      const set: UserPatch = { password_hash: passwordHash, cred_version: u.cred_version + 1, updated_at: nowIso(ctx.clock), version: u.version + 1 }
      if (self) set.change_password_at_next_logon = 0
      if (!(await updateUserRow(trx, u.id, u.version, set))) throw new DomainError('version_mismatch', 'the owner changed meanwhile; try again')
      await deleteUserSessions(trx, u.id)
      await deleteUserChallenges(trx, u.id)
    })
  },
})
