import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listUserGroupRows } from '../../store/exchange.repo.js'
import type { DistributionGroup } from '../../core/exchange.js'
import { CatalogName } from '../catalog/schema.js'
import { getHeldUserService } from './exchange-access.js'
import { groupsOf } from './group-view.js'

/**
 * Lists the distribution groups of a customer's service that a user is a member of (seed 004's
 * GET `<user><service><distributiongroups/>`): those whose member list names the user (by its
 * id: entries that only carry its address do not count), by display name, without their lists.
 * `not_found` (resource `service`) when the user does not hold the service.
 */
export const listUserDistributionGroups = defineOp({
  name: 'user_distribution_group.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }), service: CatalogName }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: DistributionGroup[]; total: number }> {
    const db = ctx.store.db
    const { cs, user } = await getHeldUserService(ctx, db, input.orgId, input.userId, input.service, false)
    const items = await groupsOf(db, await listUserGroupRows(db, cs.id, user.id), false)
    return { items, total: items.length }
  },
})
