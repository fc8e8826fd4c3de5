import { Type } from 'typebox'
import { sql } from 'kysely'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { coreStatusesFor, ENHANCE_STATUSES } from '../../core/status.js'
import { countDescendants, loadOrganizations, subtreeRange, type Organization } from '../../store/orgs.repo.js'

export const CUSTOMER_SORT_KEYS = ['id', 'name', 'status', 'subscriptionsCount', 'websitesCount', 'createdAt'] as const
export type CustomerSortKey = (typeof CUSTOMER_SORT_KEYS)[number]

const sortColumn = {
  id: 'id',
  name: 'name',
  status: 'status',
  subscriptionsCount: 'subscriptions_count',
  websitesCount: 'websites_count',
  createdAt: 'created_at',
} as const

/** Above this many matching rows a page is read in sort order rather than sorted after the fact. */
const SCAN_IN_ORDER_ABOVE = 5000

/**
 * Lists an organisation's customers, one page at a time.
 *
 * Direct customers by default; with `recursive`, every descendant down to `maxDepth` levels
 * below `orgId` (unbounded without it). Without `status`, deleted organisations are left out;
 * `status` takes seed 003's words (`active` covers active and configured, `suspended` covers
 * suspended and disabled). `total` counts the whole result from the per-ancestor counts, so it
 * costs the same at a thousand organisations as at a million. An organisation that is not a
 * reseller answers an empty listing. Rows tie-break on `number` for stable pages.
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
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: Organization[]; total: number }> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    if (org.is_reseller !== 1 && org.depth !== 0) return { items: [], total: 0 }
    const statuses = input.status ? coreStatusesFor(input.status) : ['active', 'configured', 'suspended', 'disabled']
    const relDepth = input.recursive ? input.maxDepth : 1
    const total = await countDescendants(db, org.number, statuses, relDepth)
    const limit = input.limit ?? 100
    const offset = input.offset ?? 0
    if (total === 0 || offset >= total) return { items: [], total }

    const col = sortColumn[input.sortBy ?? 'name']
    const dir = input.sortOrder ?? 'asc'
    let q = db.selectFrom('orgs').select(['number', 'version']).where('status', 'in', statuses)
    if (relDepth === 1) {
      q = q.where('parent_id', '=', org.id)
    } else {
      const [lo, hi] = subtreeRange(org.path)
      // For a large result, walk the sort column's index and filter by path (SQLite's planner
      // would otherwise sort the whole subtree); `+path` keeps SQLite off the path index.
      const path = ctx.store.dialect === 'sqlite' && total > SCAN_IN_ORDER_ABOVE ? sql<string>`+path` : sql<string>`path`
      q = q.where(path, '>', lo).where(path, '<', hi)
      if (relDepth !== undefined) q = q.where('depth', '<=', org.depth + relDepth)
    }
    // The page's numbers and versions only; the objects come from the versioned cache.
    const refs = await q.orderBy(col, dir).orderBy('number', dir).limit(limit).offset(offset).execute()
    return { items: await loadOrganizations(db, refs), total }
  },
})
