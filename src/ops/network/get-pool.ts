import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { IpPool } from '../../core/network.js'
import { getPoolView, toPool } from './pools.js'

/** One address pool, by id or name (`not_found` when there is none). Any authenticated actor may. */
export const getPool = defineOp({
  name: 'ip_pool.get',
  input: Type.Object({ pool: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<IpPool> {
    return toPool(await getPoolView(ctx.store.db, input.pool))
  },
})
