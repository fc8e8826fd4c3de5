import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getCustomerOwner } from './owner-access.js'

/**
 * Answers a customer's username (seed 001's `getUsername`): the login of its owner, the user
 * holding the `owner` role in the organisation. Anyone who sees the organisation may read it;
 * one outside the actor's scope, or without an owner, is `not_found`.
 */
export const getCustomerUsername = defineOp({
  name: 'customer.username.get',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ username: string; userId: string }> {
    const { owner } = await getCustomerOwner(ctx, ctx.store.db, input.orgId)
    return { username: owner.username, userId: owner.id }
  },
})
