/**
 * What the pool and address operations share: who may define pools, loading a pool by id or
 * name, a pool's parsed network, and the answers' shapes.
 */
import type { Ctx } from '../context.js'
import { actsForMaster, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import type { IpFamily, IpPool } from '../../core/network.js'
import type { Db } from '../../store/store.js'
import { catalogKey } from '../../store/catalog.repo.js'
import { findPoolView, type IpPoolRow, type IpPoolView } from '../../store/network.repo.js'
import { capacityOf, cidrOf, contains, netmaskOf, parseAddress, usableRange, type Network } from './ip-math.js'

/** Throws `forbidden` unless the actor acts for the master organisation with `catalog.write`. */
export function requirePoolWriter(ctx: Ctx): void {
  requirePermission(ctx, 'catalog.write')
  if (!actsForMaster(ctx)) throw new DomainError('forbidden', 'only the master organisation may define IP address pools')
}

/** A pool row's network. */
export function networkOf(row: Pick<IpPoolRow, 'family' | 'network' | 'prefix'>): Network {
  return { family: row.family as IpFamily, base: parseAddress(row.network, 'network').value, prefix: row.prefix }
}

/** Loads a pool by id or by name (case-insensitive), or throws `not_found`. */
export async function getPoolView(db: Db, ref: string): Promise<IpPoolView> {
  const p = (isUuid(ref) ? await findPoolView(db, { id: ref }) : undefined) ?? (await findPoolView(db, { nameKey: catalogKey(ref) }))
  if (!p) throw new DomainError('not_found', `IP pool ${JSON.stringify(ref)} not found`, { resource: 'ip_pool' })
  return p
}

/** A pool as answered. */
export function toPool(v: IpPoolView): IpPool {
  const n = networkOf(v)
  return {
    id: v.id,
    name: v.name,
    family: n.family,
    cidr: cidrOf(n),
    prefixLength: n.prefix,
    netmask: netmaskOf(n.family, n.prefix),
    gateway: v.gateway,
    location: v.location_name,
    allocated: v.allocated,
    capacity: capacityOf(n).toString(),
    createdAt: v.created_at,
    updatedAt: v.updated_at,
  }
}

/** Parses a gateway for `n`: an address inside it, neither its network address nor (IPv4) its broadcast address. */
export function parseGateway(n: Network, text: string): bigint {
  const g = parseAddress(text, 'gateway')
  if (!contains(n, g.family, g.value)) throw new DomainError('invalid_argument', `gateway ${text} is not in ${cidrOf(n)}`, { field: 'gateway' })
  const r = usableRange(n)
  if (g.value < r.first || g.value > r.last) {
    throw new DomainError('invalid_argument', `gateway ${text} is the network${n.family === 'ipv4' ? ' or broadcast' : ''} address of ${cidrOf(n)}`, { field: 'gateway' })
  }
  return g.value
}
