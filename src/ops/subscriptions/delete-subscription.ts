import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { getSaleForChange } from './subscription-access.js'
import { endSubscription } from './quota.js'

/**
 * Deletes a subscription sold by `orgId` to its customer (soft: it is kept with status
 * `deleted` and no longer listed). Its amounts go back to the reseller's quota; a reseller
 * subscription stops metering its subscriber, and is refused while sales draw from it or its
 * subscriber has live customers (unless the master organisation made it a reseller directly).
 */
export const deleteSubscription = defineOp({
  name: 'subscription.delete',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      /** The subscriber, a direct customer of `orgId`; absent, `orgId` is the subscriber (see getSaleForChange). */
      customerOrgId: Type.Optional(Type.String({ maxLength: 64 })),
      subscriptionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
      expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    await ctx.store.write(async (trx) => {
      const { vendor, customer, sub } = await getSaleForChange(ctx, trx, input.orgId, input.customerOrgId, input.subscriptionId)
      if (input.expectedVersion !== undefined && input.expectedVersion !== sub.version) {
        throw new DomainError('version_mismatch', `subscription was changed since version ${input.expectedVersion}`)
      }
      await endSubscription(ctx, trx, sub, { cascade: false, subscriber: customer })
    })
  },
})
