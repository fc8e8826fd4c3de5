import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deleteGroupRow, findGroupRow } from '../../store/exchange.repo.js'
import { getHeldService, OrgAndService, RefFields, refOf } from './exchange-access.js'

/**
 * Deletes a distribution group of a customer's service (named as `distribution_group.get`
 * names it) with its lists; needs `org.write`. `not_found` (resource `distributiongroup`) when
 * there is none.
 */
export const deleteDistributionGroup = defineOp({
  name: 'distribution_group.delete',
  input: Type.Object({ ...OrgAndService, ...RefFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ id: string }> {
    const ref = refOf(input, 'distribution group')
    return ctx.store.write(async (trx) => {
      const { cs, service } = await getHeldService(ctx, trx, input.orgId, input.service, true)
      const row = await findGroupRow(trx, cs.id, ref)
      if (!row) throw new DomainError('not_found', `${service.name} has no such distribution group`, { resource: 'distributiongroup' })
      await deleteGroupRow(trx, row.id)
      return { id: row.id }
    })
  },
})
