import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import type { IpAddressDetails, IpFamily } from '../../core/network.js'
import { listOrgAddresses, type IpPoolRow } from '../../store/network.repo.js'
import { netmaskOf } from './ip-math.js'

/** An address's details from its pool. */
export function detailsOf(pool: Pick<IpPoolRow, 'name' | 'family' | 'prefix' | 'gateway'>, address: string, since: string): IpAddressDetails {
  const family = pool.family as IpFamily
  return { address, netmask: netmaskOf(family, pool.prefix), prefixLength: pool.prefix, gateway: pool.gateway, pool: pool.name, family, since }
}

/**
 * A customer's addresses, IPv4 before IPv6 and each in address order, with their netmask,
 * gateway, pool and since when it holds them. The customer itself and every actor of an
 * ancestor may read them; another organisation is `not_found`.
 */
export const listAddresses = defineOp({
  name: 'ip_address.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<IpAddressDetails[]> {
    requirePermission(ctx, 'org.read')
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const rows = await listOrgAddresses(ctx.store.db, org.id)
    return rows.map((r) => detailsOf({ name: r.pool_name, family: r.family, prefix: r.prefix, gateway: r.gateway }, r.address, r.created_at))
  },
})
