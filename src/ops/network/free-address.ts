import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { releaseAddress } from '../../store/network.repo.js'
import { format, keyOf, parseAddress } from './ip-math.js'

/**
 * Takes an address back from a customer; it may be given again at once. `not_found` when the
 * customer does not hold it (or is not in the actor's subtree); `invalid_argument` when it is
 * not an address. Only a parent organisation's actor with `org.write` may.
 */
export const freeAddress = defineOp({
  name: 'ip_address.free',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), address: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    const a = parseAddress(input.address, 'address')
    await ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      requireAncestor(ctx, org, 'free its IP addresses')
      if (!(await releaseAddress(trx, org.id, keyOf(a.family, a.value)))) {
        throw new DomainError('not_found', `the customer does not hold ${format(a.family, a.value)}`, { resource: 'ip_address' })
      }
    })
  },
})
