import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { coreStatusesFor, ENHANCE_STATUSES } from '../../core/status.js'
import {
  CUSTOMER_SORT_COLUMNS,
  listCustomerPage,
  listFilteredCustomerPage,
  type CustomerPage,
  type Organization,
} from '../../store/orgs.repo.js'

export const CUSTOMER_SORT_KEYS = ['id', 'name', 'status', 'subscriptionsCount', 'websitesCount', 'createdAt'] as const
export type CustomerSortKey = (typeof CUSTOMER_SORT_KEYS)[number]

/**
 * Lists an organisation's customers, one page at a time.
 *
 * Direct customers by default; with `recursive`, every descendant down to `maxDepth` levels
 * below `orgId` (unbounded without it). Without `status`, deleted organisations are left out;
 * `status` takes seed 003's words (`active` covers active and configured, `suspended` covers
 * suspended and disabled). `total` counts the whole result from the per-ancestor counts, so it
 * costs the same at a thousand organisations as at a million. An organisation that is not a
 * reseller answers an empty listing. Rows tie-break on `number` for stable pages. A page is
 * kept in the store's memo while the database is unchanged. With `planId`, only customers
 * holding a live (not deleted) subscription to that plan are answered, and `total` counts them.
 * With `q`, only customers whose name starts with it (ASCII letters in any case), whose short
 * code is it (any case) or whose external id is it; `total` counts them too.
 */
export const listCustomers = defineOp({
  name: 'customer.list',
  input: Type.Object(
    {
      orgId: Type.String(),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      sortBy: Type.Optional(Type.Enum(CUSTOMER_SORT_KEYS)),
      sortOrder: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
      recursive: Type.Optional(Type.Boolean()),
      maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      status: Type.Optional(Type.Enum(ENHANCE_STATUSES)),
      planId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
      q: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: Organization[]; total: number }> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    if (org.is_reseller !== 1 && org.depth !== 0 && org.reseller_sub_id == null) return { items: [], total: 0 }
    const page: CustomerPage = {
      statuses: input.status ? coreStatusesFor(input.status) : ['active', 'configured', 'suspended', 'disabled'],
      relDepth: input.recursive ? input.maxDepth : 1,
      limit: input.limit ?? 100,
      offset: input.offset ?? 0,
      col: CUSTOMER_SORT_COLUMNS[input.sortBy ?? 'name'],
      dir: input.sortOrder ?? 'asc',
    }
    const search = input.q?.trim() ?? ''
    if (input.planId !== undefined || search !== '') {
      return listFilteredCustomerPage(ctx.store.db, org, page, { planId: input.planId, search: search || undefined })
    }
    const key = `customers:${org.id}|${page.statuses.join(',')}|${page.relDepth ?? 'all'}|${page.col}|${page.dir}|${page.limit}|${page.offset}`
    return ctx.store.memo(key, () => listCustomerPage(ctx.store.db, ctx.store.dialect, org, page))
  },
})
