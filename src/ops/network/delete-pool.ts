import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { rowLock } from '../../store/cloud.repo.js'
import { countPoolAddresses, deletePoolRow, lockPool } from '../../store/network.repo.js'
import { getPoolView, requirePoolWriter } from './pools.js'

/**
 * Removes a pool (`not_found` when there is none). Refused (`failed_precondition`) while
 * customers hold addresses from it; an allocation racing the deletion either lands first (and
 * the deletion is refused) or finds the pool gone.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`).
 */
export const deletePool = defineOp({
  name: 'ip_pool.delete',
  input: Type.Object({ pool: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePoolWriter(ctx)
    await ctx.store.write(async (trx) => {
      const view = await getPoolView(trx, input.pool)
      if (!(await lockPool(trx, view.id, rowLock(ctx.store.dialect, 'update')))) {
        throw new DomainError('not_found', `IP pool ${JSON.stringify(input.pool)} not found`, { resource: 'ip_pool' })
      }
      const used = await countPoolAddresses(trx, view.id)
      if (used > 0) {
        throw new DomainError('failed_precondition', `customers hold ${used} address${used === 1 ? '' : 'es'} from pool ${JSON.stringify(view.name)}; free ${used === 1 ? 'it' : 'them'} first`)
      }
      await deletePoolRow(trx, view.id)
    })
  },
})
