import { Type } from 'typebox'
import { sql } from 'kysely'
import { preparedQuery } from '../../store/prepared.js'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope } from '../access.js'
import { coreStatusesFor, ENHANCE_STATUSES } from '../../core/status.js'
import { countDescendants, loadOrganizations, subtreeRange, type Organization, type OrgRow } from '../../store/orgs.repo.js'

export const CUSTOMER_SORT_KEYS = ['id', 'name', 'status', 'subscriptionsCount', 'websitesCount', 'createdAt'] as const
export type CustomerSortKey = (typeof CUSTOMER_SORT_KEYS)[number]

const sortColumn = {
  id: 'id',
  name: 'name',
  status: 'status',
  subscriptionsCount: 'subscriptions_count',
  websitesCount: 'websites_count',
  // Numbers are handed out in creation order.
  createdAt: 'number',
} as const

type SortColumn = (typeof sortColumn)[keyof typeof sortColumn]

/**
 * The page's numbers and versions, compiled once per shape:
 * `column|direction|children,in-order,subtree|all,bounded|number of statuses`.
 */
const pageQ = preparedQuery<{ number: number; version: number }, string>((d, slot, shape) => {
  const [col, dir, scan, depth, n] = shape.split('|') as [SortColumn, 'asc' | 'desc', string, string, string]
  let q = d
    .selectFrom('orgs')
    .select(['number', 'version'])
    .where('status', 'in', Array.from({ length: Number(n) }, (_, i) => slot(`s${i}`)))
  if (scan === 'children') q = q.where('parent_id', '=', slot('parentId'))
  else {
    const path = scan === 'in-order' ? sql<string>`+path` : sql<string>`path`
    q = q.where(path, '>', slot('lo')).where(path, '<', slot('hi'))
    if (depth === 'bounded') q = q.where('depth', '<=', slot('maxDepth'))
  }
  q = q.orderBy(col, dir)
  if (col !== 'number') q = q.orderBy('number', dir)
  return q.limit(slot('limit')).offset(slot('offset'))
})

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
 * reseller answers an empty listing. Rows tie-break on `number` for stable pages. A page is
 * kept in the store's memo while the database is unchanged. With `planId`, only customers
 * holding a live (not deleted) subscription to that plan are answered, and `total` counts them.
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
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: Organization[]; total: number }> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    if (org.is_reseller !== 1 && org.depth !== 0 && org.reseller_sub_id == null) return { items: [], total: 0 }
    const page: Page = {
      statuses: input.status ? coreStatusesFor(input.status) : ['active', 'configured', 'suspended', 'disabled'],
      relDepth: input.recursive ? input.maxDepth : 1,
      limit: input.limit ?? 100,
      offset: input.offset ?? 0,
      col: sortColumn[input.sortBy ?? 'name'],
      dir: input.sortOrder ?? 'asc',
    }
    if (input.planId !== undefined) return readPlanPage(ctx, org, page, input.planId)
    const key = `customers:${org.id}|${page.statuses.join(',')}|${page.relDepth ?? 'all'}|${page.col}|${page.dir}|${page.limit}|${page.offset}`
    return ctx.store.memo(key, () => readPage(ctx, org, page))
  },
})

interface Page {
  statuses: string[]
  /** Levels below the organisation; undefined for all. */
  relDepth: number | undefined
  limit: number
  offset: number
  col: SortColumn
  dir: 'asc' | 'desc'
}

async function readPage(ctx: Ctx, org: OrgRow, p: Page): Promise<{ items: Organization[]; total: number }> {
  const db = ctx.store.db
  const total = await countDescendants(db, org.number, p.statuses, p.relDepth)
  if (total === 0 || p.offset >= total) return { items: [], total }
  const [lo, hi] = subtreeRange(org.path)
  // For a large result, walk the sort column's index and filter by path (SQLite's planner
  // would otherwise sort the whole subtree); `+path` keeps SQLite off the path index.
  const scan = p.relDepth === 1 ? 'children' : ctx.store.dialect === 'sqlite' && total > SCAN_IN_ORDER_ABOVE ? 'in-order' : 'subtree'
  const values: Record<string, unknown> = { parentId: org.id, lo, hi, maxDepth: org.depth + (p.relDepth ?? 0), limit: p.limit, offset: p.offset }
  p.statuses.forEach((st, i) => (values[`s${i}`] = st))
  const shape = `${p.col}|${p.dir}|${scan}|${p.relDepth === undefined ? 'all' : 'bounded'}|${p.statuses.length}`
  // The page's numbers and versions only; the objects come from the versioned cache.
  const { rows: refs } = await pageQ(db, values, shape)
  return { items: await loadOrganizations(db, refs), total }
}

/** A page of the customers holding a live subscription to plan `planId` (counted by a query of its own). */
async function readPlanPage(ctx: Ctx, org: OrgRow, p: Page, planId: number): Promise<{ items: Organization[]; total: number }> {
  const db = ctx.store.db
  const [lo, hi] = subtreeRange(org.path)
  let q = db
    .selectFrom('orgs')
    .where('status', 'in', p.statuses)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('subscriptions')
          .select('subscriptions.id')
          .whereRef('subscriptions.subscriber_id', '=', 'orgs.id')
          .where('subscriptions.plan_id', '=', planId)
          .where('subscriptions.status', '<>', 'deleted'),
      ),
    )
  if (p.relDepth === 1) q = q.where('parent_id', '=', org.id)
  else {
    q = q.where('path', '>', lo).where('path', '<', hi)
    if (p.relDepth !== undefined) q = q.where('depth', '<=', org.depth + p.relDepth)
  }
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  if (total === 0 || p.offset >= total) return { items: [], total }
  let page = q.select(['number', 'version']).orderBy(p.col, p.dir)
  if (p.col !== 'number') page = page.orderBy('number', p.dir)
  const refs = await page.limit(p.limit).offset(p.offset).execute()
  return { items: await loadOrganizations(db, refs), total }
}
