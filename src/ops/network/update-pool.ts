import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import type { IpPool } from '../../core/network.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { catalogKey } from '../../store/catalog.repo.js'
import { rowLock } from '../../store/cloud.repo.js'
import { findAddressByKey, lockPool, updatePoolRow, type IpPoolRow } from '../../store/network.repo.js'
import { getLocationRow } from '../catalog/catalog-access.js'
import { CatalogName } from '../catalog/schema.js'
import { format, keyOf } from './ip-math.js'
import { getPoolView, networkOf, parseGateway, requirePoolWriter, toPool } from './pools.js'

/**
 * Changes a pool's name, gateway or location (`null` removes it); its range never changes. A
 * gateway a customer holds is refused (`failed_precondition`: free it first).
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`).
 */
export const updatePool = defineOp({
  name: 'ip_pool.update',
  input: Type.Object(
    {
      pool: Type.String({ maxLength: 200 }),
      name: Type.Optional(CatalogName),
      gateway: Type.Optional(Type.String({ maxLength: 64 })),
      location: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<IpPool> {
    requirePoolWriter(ctx)
    return ctx.store.write(async (trx) => {
      const view = await getPoolView(trx, input.pool)
      await lockPool(trx, view.id, rowLock(ctx.store.dialect, 'update'))
      const n = networkOf(view)
      const patch: Partial<Omit<IpPoolRow, 'id'>> = { updated_at: nowIso(ctx.clock) }
      if (input.name !== undefined) {
        patch.name = input.name
        patch.name_key = catalogKey(input.name)
      }
      if (input.gateway !== undefined) {
        const g = parseGateway(n, input.gateway)
        if (await findAddressByKey(trx, keyOf(n.family, g))) {
          throw new DomainError('failed_precondition', `${format(n.family, g)} is given to a customer; free it before making it the gateway`)
        }
        patch.gateway = format(n.family, g)
      }
      if (input.location !== undefined) {
        patch.location_id = input.location === null ? null : (await getLocationRow(ctx, trx, input.location, 'share')).id
      }
      await mapUnique(
        () => updatePoolRow(trx, view.id, patch),
        () => `an IP pool named ${JSON.stringify(input.name)} already exists`,
      )
      return toPool(await getPoolView(trx, view.id))
    })
  },
})
