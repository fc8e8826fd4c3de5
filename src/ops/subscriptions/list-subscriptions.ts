import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { getOrgInScope } from '../access.js'
import {
  findLiveSubscription,
  listLiveSubscriptions,
  SUBSCRIPTION_SORT_KEYS,
  toSubscriptions,
  type Subscription,
  type SubscriptionSortKey,
} from '../../store/subscriptions.repo.js'
import { getVendorAndCustomer } from './subscription-access.js'

export { SUBSCRIPTION_SORT_KEYS } from '../../store/subscriptions.repo.js'

const Page = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  sortBy: Type.Optional(Type.Enum(SUBSCRIPTION_SORT_KEYS)),
  sortOrder: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
}

type PageInput = { offset?: number; limit?: number; sortBy?: SubscriptionSortKey; sortOrder?: 'asc' | 'desc' }

async function page(ctx: Parameters<typeof listCustomerSubscriptions>[0], filter: { subscriberId: string; vendorId?: string }, p: PageInput) {
  const db = ctx.store.db
  const { rows, total } = await listLiveSubscriptions(db, filter, { limit: p.limit ?? 100, offset: p.offset ?? 0, sortBy: p.sortBy, sortOrder: p.sortOrder ?? 'asc' })
  return { items: await toSubscriptions(db, rows), total }
}

/**
 * Lists a customer's subscriptions to plans of `orgId` (seed 003's `get_customer_subscriptions`),
 * not deleted, one page at a time: by id unless `sortBy` says `plan` (its name),
 * `subscriberId` or `vendorId`; `limit` 100 by default. Any role that reads `orgId` may.
 */
export const listCustomerSubscriptions = defineOp({
  name: 'subscription.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), customerOrgId: Type.String({ maxLength: 64 }), ...Page }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: Subscription[]; total: number }> {
    const { vendor, customer } = await getVendorAndCustomer(ctx, ctx.store.db, input.orgId, input.customerOrgId)
    return page(ctx, { subscriberId: customer.id, vendorId: vendor.id }, input)
  },
})

/** Lists the subscriptions `orgId` holds (from its parent), not deleted, as `listCustomerSubscriptions` pages them. */
export const listOwnSubscriptions = defineOp({
  name: 'held_subscription.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), ...Page }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: Subscription[]; total: number }> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    return page(ctx, { subscriberId: org.id }, input)
  },
})

/**
 * Answers one subscription, not deleted: one held by `orgId` (from any seller), or with
 * `customerOrgId`, one that `orgId` sold to that customer.
 */
export const getSubscription = defineOp({
  name: 'subscription.get',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), customerOrgId: Type.Optional(Type.String({ maxLength: 64 })), subscriptionId: Type.Integer({ minimum: 1, maximum: 2147483647 }) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Subscription> {
    const db = ctx.store.db
    let subscriberId: string
    let vendorId: string | undefined
    if (input.customerOrgId !== undefined) {
      const { vendor, customer } = await getVendorAndCustomer(ctx, db, input.orgId, input.customerOrgId)
      subscriberId = customer.id
      vendorId = vendor.id
    } else subscriberId = (await getOrgInScope(ctx, db, input.orgId)).id
    const row = await findLiveSubscription(db, input.subscriptionId, { subscriberId, vendorId })
    if (!row) throw new DomainError('not_found', `no subscription ${input.subscriptionId}`)
    return (await toSubscriptions(db, [row]))[0]!
  },
})
