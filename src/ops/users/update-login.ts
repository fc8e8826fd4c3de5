import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { loginLocale, splitName } from '../../core/users.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { findUserById } from '../../store/users.repo.js'
import { Email, Password } from './schema.js'
import { updateUser } from './update-user.js'

/**
 * Changes the caller's own login (seed 003's `updateLoginInfo`): name, e-mail address and
 * password, as `user.update` changes one's own profile. A new password needs `currentPassword`
 * (`forbidden` without it or when it is wrong). A login's locale is its organisation's, so a
 * `locale` other than the one the login answers is refused; Clientele has no second factor, so
 * an `authMethod` other than `basic` is refused.
 */
export const updateLogin = defineOp({
  name: 'login.update',
  input: Type.Object(
    {
      name: Type.Optional(Type.String({ maxLength: 201 })),
      email: Type.Optional(Email),
      password: Type.Optional(Password),
      currentPassword: Type.Optional(Type.String({ maxLength: 256 })),
      locale: Type.Optional(Type.String({ maxLength: 20 })),
      authMethod: Type.Optional(Type.Enum(['basic', 'email', 'otp'] as const)),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<void> {
    if (input.authMethod === 'otp') {
      throw new DomainError('invalid_argument', 'authMethod otp: Clientele has no authenticator-app factor; use basic or email (a PIN by e-mail)', { field: 'authMethod' })
    }
    if (input.password !== undefined && input.currentPassword === undefined) {
      throw new DomainError('forbidden', 'currentPassword is required to change your password')
    }
    const u = await findUserById(ctx.store.db, ctx.actor.userId)
    if (!u) throw new DomainError('unauthenticated', 'the caller no longer exists')
    if (input.locale !== undefined) {
      const org = await findOrgById(ctx.store.db, u.org_id)
      if (input.locale !== loginLocale(org?.locale ?? '')) {
        throw new DomainError('invalid_argument', "a login's locale is its organisation's; change the organisation's locale", { field: 'locale' })
      }
    }
    const names: { firstName?: string; lastName?: string } = input.name === undefined ? {} : splitName(input.name)
    if ((names.firstName?.length ?? 0) > 100 || (names.lastName?.length ?? 0) > 100) {
      throw new DomainError('invalid_argument', 'name must be at most 100 characters a part', { field: 'name' })
    }
    await updateUser(ctx, {
      orgId: u.org_id,
      userId: u.id,
      ...names,
      ...(input.email !== undefined ? { email: input.email } : {}),
      ...(input.password !== undefined ? { password: input.password } : {}),
      ...(input.currentPassword !== undefined ? { currentPassword: input.currentPassword } : {}),
      ...(input.authMethod !== undefined ? { authMethod: input.authMethod } : {}),
    })
  },
})
