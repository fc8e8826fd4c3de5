import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { splitName } from '../../core/users.js'
import { findUsersByEmail, type User } from '../../store/users.repo.js'
import { createUser } from './create-user.js'
import { Password } from './schema.js'

/** The username a login made from an e-mail address gets: the address, with characters usernames refuse written `-`. */
function usernameFrom(email: string): string {
  return email.replace(/[^A-Za-z0-9._@+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128)
}

/**
 * Creates a login (seed 003's `createLogin`): a user of `orgId` whose username is its e-mail
 * address, holding no role yet (`readonly`: seed 003's login before a membership gives it
 * roles; `member.create` does). An e-mail address another user has is `already_exists`, as is
 * a taken username. The rest is `user.create`'s.
 */
export const createLogin = defineOp({
  name: 'user.login.create',
  input: Type.Object(
    {
      orgId: Type.String(),
      email: Type.String({ format: 'email', maxLength: 254 }),
      password: Password,
      name: Type.String({ maxLength: 201 }),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<User> {
    const username = usernameFrom(input.email)
    if (username === '') throw new DomainError('invalid_argument', 'email makes no username', { field: 'email' })
    if ((await findUsersByEmail(ctx.store.db, input.email, 1)).length > 0) {
      throw new DomainError('already_exists', `a login with e-mail address ${input.email} exists`)
    }
    const { firstName, lastName } = splitName(input.name)
    if (firstName.length > 100 || lastName.length > 100) throw new DomainError('invalid_argument', 'name must be at most 100 characters a part', { field: 'name' })
    return createUser(ctx, { orgId: input.orgId, username, password: input.password, email: input.email, firstName, lastName, role: 'readonly' })
  },
})
