import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listGroupRows } from '../../store/exchange.repo.js'
import type { DistributionGroup } from '../../core/exchange.js'
import { Filter, getHeldService, OrgAndService, pageOf, Paging } from './exchange-access.js'
import { groupsOf } from './group-view.js'

/** A page of distribution groups. */
export interface GroupPage {
  items: DistributionGroup[]
  total: number
  pageIndex: number
  pageSize: number
}

/**
 * Lists the distribution groups of a customer's service (seed 004's GET `<distributiongroups>`),
 * by display name. `displayNameFilter` and `emailFilter` are case-insensitive prefixes of the
 * display name and the primary address (`M` finds `Marketing`); `pageIndex` is 1-based,
 * `pageSize` at most 1000 (default 100). The lists (owners, members, send-as and
 * send-restriction members) come only with `withMembers`. Any role of the customer's subtree may
 * read; `not_found` (resource `service`) when the customer does not hold the service.
 */
export const listDistributionGroups = defineOp({
  name: 'distribution_group.list',
  input: Type.Object(
    { ...OrgAndService, displayNameFilter: Type.Optional(Filter), emailFilter: Type.Optional(Filter), ...Paging, withMembers: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<GroupPage> {
    const db = ctx.store.db
    const { cs } = await getHeldService(ctx, db, input.orgId, input.service, false)
    const page = pageOf(input)
    const { rows, total } = await listGroupRows(db, cs.id, { nameKeyPrefix: input.displayNameFilter?.toLowerCase(), otherKeyPrefix: input.emailFilter?.toLowerCase() }, page.offset, page.pageSize)
    return { items: await groupsOf(db, rows, input.withMembers === true), total, pageIndex: page.pageIndex, pageSize: page.pageSize }
  },
})
