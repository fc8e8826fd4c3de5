import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { getOrgInScope } from '../access.js'
import { findResource, findSubscription, setUsageWithin } from '../../store/subscriptions.repo.js'
import { MAX_AMOUNT } from '../plans/schema.js'
import { requireMasterWriter } from '../servers/servers.js'
import { refreshWebsitesCount } from './quota.js'

/**
 * Records what a hosting subscription uses (the hosting platform reports it: websites made,
 * disk used, …): each named resource's `usage` is set, within its total (`quota_exceeded`,
 * naming the resource, and nothing changes). The master organisation's writers only; a reseller
 * subscription's usage is what its reseller sold and is kept by the sales themselves
 * (`failed_precondition`). The subscriber's `websitesCount` follows its `websites` usage.
 */
export const setSubscriptionUsage = defineOp({
  name: 'subscription.set_usage',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      subscriptionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
      resources: Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), usage: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT }) }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 100,
      }),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<void> {
    requireMasterWriter(ctx, 'what subscriptions use')
    const names = input.resources.map((r) => r.name)
    if (new Set(names).size !== names.length) throw new DomainError('invalid_argument', 'a resource is named twice', { field: 'resources' })
    await ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      const sub = await findSubscription(trx, input.subscriptionId, true)
      if (!sub || sub.subscriber_id !== org.id || sub.status === 'deleted') throw new DomainError('not_found', `${org.name} holds no subscription ${input.subscriptionId}`)
      if (sub.plan_type !== 'hosting') throw new DomainError('failed_precondition', "a reseller subscription's usage is what its reseller has sold")
      for (const r of input.resources) {
        if (await setUsageWithin(trx, sub.id, r.name, r.usage)) continue
        const row = await findResource(trx, sub.id, r.name)
        if (!row) throw new DomainError('invalid_argument', `subscription ${sub.id} has no resource ${r.name}`, { field: 'resources', resource: r.name })
        throw new DomainError('quota_exceeded', `subscription ${sub.id} has ${row.total} ${r.name}; ${r.usage} do not fit`, { field: 'resources', resource: r.name })
      }
      await refreshWebsitesCount(ctx, trx, org.id)
    })
  },
})
