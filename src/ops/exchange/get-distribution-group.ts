import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findGroupRow } from '../../store/exchange.repo.js'
import type { DistributionGroup } from '../../core/exchange.js'
import { getHeldService, OrgAndService, RefFields, refOf } from './exchange-access.js'
import { groupsOf } from './group-view.js'

/**
 * Answers one distribution group of a customer's service, named by `id`, `syncObjectId`,
 * `path` or `displayName` (case-insensitive; the first given decides), with its lists when
 * `withMembers`. `not_found` with resource `distributiongroup` when there is none, `service`
 * when the customer does not hold the service.
 */
export const getDistributionGroup = defineOp({
  name: 'distribution_group.get',
  input: Type.Object({ ...OrgAndService, ...RefFields, withMembers: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<DistributionGroup> {
    const db = ctx.store.db
    const { cs, service } = await getHeldService(ctx, db, input.orgId, input.service, false)
    const row = await findGroupRow(db, cs.id, refOf(input, 'distribution group'))
    if (!row) throw new DomainError('not_found', `${service.name} has no such distribution group`, { resource: 'distributiongroup' })
    return (await groupsOf(db, [row], input.withMembers === true))[0]!
  },
})
