import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import type { IpPool } from '../../core/network.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey } from '../../store/catalog.repo.js'
import { rowLock } from '../../store/cloud.repo.js'
import { insertPool, listPoolRows, lockPoolDefinitions } from '../../store/network.repo.js'
import { getLocationRow } from '../catalog/catalog-access.js'
import { CatalogName } from '../catalog/schema.js'
import { cidrOf, format, overlaps, parseNetwork, usableRange } from './ip-math.js'
import { getPoolView, networkOf, parseGateway, requirePoolWriter, toPool } from './pools.js'

/**
 * Defines an address pool: a name (unique case-insensitively: `already_exists`), a range in
 * CIDR notation (IPv4 /16–/30 or IPv6 /48–/126, given by its network address), a gateway inside
 * it (default: its first host address) and optionally a catalogue location by name
 * (`not_found` when there is none). A range sharing an address with another pool is refused
 * (`already_exists`).
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`).
 */
export const createPool = defineOp({
  name: 'ip_pool.create',
  input: Type.Object(
    {
      name: CatalogName,
      cidr: Type.String({ maxLength: 64, description: 'The range, `192.0.2.0/24` or `2001:db8::/64`' }),
      gateway: Type.Optional(Type.String({ maxLength: 64, description: 'Default: the first host address' })),
      location: Type.Optional(Type.String({ maxLength: 200, description: "A catalogue location's name" })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<IpPool> {
    requirePoolWriter(ctx)
    const n = parseNetwork(input.cidr, 'cidr')
    const gateway = input.gateway === undefined ? usableRange(n).first : parseGateway(n, input.gateway)
    return ctx.store.write(async (trx) => {
      await lockPoolDefinitions(trx, rowLock(ctx.store.dialect, 'update'))
      for (const p of await listPoolRows(trx)) {
        if (overlaps(n, networkOf(p))) {
          throw new DomainError('already_exists', `${cidrOf(n)} overlaps pool ${JSON.stringify(p.name)} (${cidrOf(networkOf(p))})`, { field: 'cidr' })
        }
      }
      const location = input.location === undefined ? undefined : await getLocationRow(ctx, trx, input.location, 'share')
      const now = nowIso(ctx.clock)
      const id = newId()
      await mapUnique(
        () =>
          insertPool(trx, {
            id,
            name: input.name,
            name_key: catalogKey(input.name),
            family: n.family,
            network: format(n.family, n.base),
            prefix: n.prefix,
            gateway: format(n.family, gateway),
            location_id: location?.id ?? null,
            created_at: now,
            updated_at: now,
          }),
        () => `an IP pool named ${JSON.stringify(input.name)} already exists`,
      )
      return toPool(await getPoolView(trx, id))
    })
  },
})
