import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { IpPool } from '../../core/network.js'
import { listPoolViews } from '../../store/network.repo.js'
import { toPool } from './pools.js'

/** Lists the address pools by name, with how many addresses each has given. Any authenticated actor may. */
export const listPools = defineOp({
  name: 'ip_pool.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<IpPool[]> {
    return (await listPoolViews(ctx.store.db)).map(toPool)
  },
})
