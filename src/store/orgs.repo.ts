/**
 * Organisations as stored: rows, the hierarchy path, per-ancestor counts and short codes.
 * Knows SQL and nothing of actors.
 */
import type { ProvisioningStatus } from '../core/provisioning.js'
import { PostgresAdapter, sql, type Insertable } from 'kysely'
import type { Db, Dialect } from './store.js'
import type { OrgTable } from './schema.js'
import type { OrgStatus } from '../core/status.js'
import { preparedLookup, preparedQuery } from './prepared.js'
import type { Organization } from '../core/org.js'
export type { Organization } from '../core/org.js'

export type OrgRow = Omit<OrgTable, 'number' | 'tombstone'> & { number: number; tombstone: number }

/** Maps a stored row to an Organization. */
export function toOrganization(r: OrgRow): Organization {
  return {
    id: r.id,
    number: r.number,
    code: r.code,
    name: r.name,
    parentId: r.parent_id,
    depth: r.depth,
    path: r.path,
    description: r.description,
    address: r.address,
    city: r.city,
    country: r.country,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    primaryDomain: r.primary_domain,
    billingId: r.billing_id,
    externalId: r.external_id,
    externalMetadata: JSON.parse(r.external_metadata) as Record<string, unknown>,
    licensingEnabled: r.licensing_enabled === 1,
    skinNames: JSON.parse(r.skin_names) as string[],
    isReseller: r.is_reseller === 1 || r.reseller_sub_id != null,
    resellerSubscriptionId: r.reseller_sub_id ?? null,
    status: r.status as OrgStatus,
    enabled: r.enabled === 1,
    locale: r.locale,
    retentionPolicyGuid: r.retention_policy_guid ?? '',
    suspendedBy: r.suspended_by,
    slackWebhookSet: r.slack_webhook_sealed != null,
    avatarHash: r.avatar_sha256 ?? null,
    passwordNeverExpiresAllowed: r.password_never_expires_allowed !== 0,
    provisioningStatus: (r.provisioning_status ?? 'Provisioned') as ProvisioningStatus,
    subscriptionsCount: r.subscriptions_count,
    websitesCount: r.websites_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }
}

const orgByIdQ = preparedLookup((d, id) => d.selectFrom('orgs').selectAll().where('id', '=', id))

/** Finds an organisation by id. */
export async function findOrgById(db: Db, id: string): Promise<OrgRow | undefined> {
  return (await orgByIdQ(db, id)) as OrgRow | undefined
}

/**
 * Organisation objects by number, each valid for exactly one `version`. Every change to an
 * organisation's row bumps its version, so a cached object is never stale for the version it
 * was read at: callers read the current versions from the database and take the objects from
 * here. Bounded; emptied when full. One per database handle.
 */
const objects = new WeakMap<Db, Map<number, Organization>>()
const OBJECTS_MAX = 20_000

function objectsOf(db: Db): Map<number, Organization> {
  let m = objects.get(db)
  if (!m) objects.set(db, (m = new Map()))
  return m
}

/**
 * The Organization for a row just read, the same object as before when the row's version is
 * unchanged (so that faces may memoise what they make of it).
 */
export function organizationOf(db: Db, row: OrgRow): Organization {
  const m = objectsOf(db)
  const hit = m.get(row.number)
  if (hit && hit.version === row.version) return hit
  const o = toOrganization(row)
  if (m.size >= OBJECTS_MAX) m.clear()
  m.set(row.number, o)
  return o
}

/**
 * The Organizations for `refs` (numbers with the versions just read), in order: from the cache
 * where the version matches, the rest in one query. A row changed since `refs` were read is
 * answered at its newer version.
 */
export async function loadOrganizations(db: Db, refs: readonly { number: number; version: number }[]): Promise<Organization[]> {
  const m = objectsOf(db)
  const missing: number[] = []
  for (const r of refs) {
    const hit = m.get(r.number)
    if (!hit || hit.version !== r.version) missing.push(r.number)
  }
  if (missing.length > 0) {
    const rows = (await db.selectFrom('orgs').selectAll().where('number', 'in', missing).execute()) as OrgRow[]
    for (const row of rows) organizationOf(db, row)
  }
  const out: Organization[] = []
  for (const r of refs) {
    const o = m.get(r.number)
    if (o) out.push(o)
  }
  return out
}

/** Finds the root (master) organisation. */
export async function findRootOrg(db: Db): Promise<OrgRow | undefined> {
  return (await db.selectFrom('orgs').selectAll().where('depth', '=', 0).orderBy('number').executeTakeFirst()) as
    | OrgRow
    | undefined
}

const ORG_COLUMNS = [
  'id', 'parent_id', 'code', 'name', 'description', 'address', 'city', 'country', 'contact_name', 'contact_email',
  'primary_domain', 'billing_id', 'external_id', 'external_metadata', 'licensing_enabled', 'skin_names', 'is_reseller',
  'status', 'enabled', 'locale', 'suspended_by', 'subscriptions_count', 'websites_count', 'created_at', 'updated_at', 'version',
] as const satisfies readonly (keyof OrgTable)[]

const insertOrgQ = preparedQuery((d, slot) =>
  d.insertInto('orgs').values({
    ...Object.fromEntries(ORG_COLUMNS.map((c) => [c, slot(c)])),
    number: slot('number'),
    path: slot('path'),
    depth: slot('depth'),
  } as Insertable<OrgTable>),
)
// The next number, taken before the insert so that the row is written once with its path. On
// SQLite the caller holds the write lock, so the largest number plus one is free (numbers are
// never reused: organisations are never removed, only marked deleted); PostgreSQL's identity
// sequence hands out numbers across concurrent transactions.
const nextNumberSqliteQ = preparedQuery<{ n: number }>((d) => d.selectFrom('orgs').select(sql<number>`coalesce(max(number), 0) + 1`.as('n')))
const nextNumberPgQ = preparedQuery<{ n: number }>((d) => d.selectNoFrom(sql<number>`nextval(pg_get_serial_sequence('orgs', 'number'))::int`.as('n')))

/** Inserts an organisation under `parent` (or as root) with its path; returns the stored row. */
export async function insertOrg(
  db: Db,
  values: Omit<OrgTable, 'number' | 'path' | 'depth' | 'tombstone'>,
  parent: { path: string; depth: number } | null,
): Promise<OrgRow> {
  const depth = parent ? parent.depth + 1 : 0
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const { rows } = await (pg ? nextNumberPgQ : nextNumberSqliteQ)(db, {})
  const number = Number(rows[0]!.n)
  const path = `${parent ? parent.path : '/'}${number}/`
  // One row for the insert and the answer. Object.assign, not two spreads with extra keys: on
  // Node 20 those take V8's slow path (~25 µs for this row against ~2 µs).
  const row: OrgRow = Object.assign({}, values, { number, path, depth, tombstone: 0 })
  await insertOrgQ(db, row)
  return row
}

/** The org numbers on a path, root first (`/1/42/` → [1, 42]). */
export function pathNumbers(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number)
}

/**
 * Adds `delta` organisations of `status` to the counts of every strict ancestor on `path`.
 * One statement; keeps "how many live descendants at depth ≤ N" a read of a few rows.
 */
export async function adjustCounts(db: Db, path: string, status: string, delta: number): Promise<void> {
  const nums = pathNumbers(path)
  if (nums.length < 2) return
  const values: Record<string, unknown> = { status, n: delta }
  nums.slice(0, -1).forEach((ancestor, i) => {
    values[`a${i}`] = ancestor
    values[`d${i}`] = nums.length - 1 - i
  })
  await adjustCountsQ(db, values, nums.length - 1)
}

/** The counts upsert for `shape` ancestors. */
const adjustCountsQ = preparedQuery((d, slot, shape) =>
  d
    .insertInto('org_counts')
    .values(Array.from({ length: shape }, (_, i) => ({ ancestor: slot(`a${i}`), rel_depth: slot(`d${i}`), status: slot('status'), n: slot('n') })))
    .onConflict((oc) => oc.columns(['ancestor', 'rel_depth', 'status']).doUpdateSet({ n: sql`org_counts.n + excluded.n` })),
)

/** Counts descendants of `ancestor` within `maxRelDepth` levels (all when undefined) with one of `statuses`. */
export async function countDescendants(
  db: Db,
  ancestor: number,
  statuses: readonly string[],
  maxRelDepth?: number,
): Promise<number> {
  const values: Record<string, unknown> = { ancestor, depth: maxRelDepth ?? 0 }
  statuses.forEach((st, i) => (values[`s${i}`] = st))
  const { rows } = await countQ(db, values, `${statuses.length}:${maxRelDepth === undefined ? 'all' : 'bounded'}`)
  return Number(rows[0]?.total ?? 0)
}

const countQ = preparedQuery<{ total: number }, string>((d, slot, shape) => {
  const [n, depth] = shape.split(':')
  let q = d
    .selectFrom('org_counts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('total'))
    .where('ancestor', '=', slot('ancestor'))
    .where('status', 'in', Array.from({ length: Number(n) }, (_, i) => slot(`s${i}`)))
  if (depth === 'bounded') q = q.where('rel_depth', '<=', slot('depth'))
  return q
})

/** The first and just-past-last keys of a subtree's strict descendants on the path column. */
export function subtreeRange(path: string): [string, string] {
  // '/' (0x2f) is followed by '0' (0x30): every descendant path sorts in (path, path-without-slash + '0').
  return [path, path.slice(0, -1) + '0']
}

/**
 * Reserves a free short code for `prefix`: the bare prefix first, then prefix1, prefix2, ...
 * A counter row per prefix hands out suffixes atomically; codes taken by hand are skipped.
 */
export async function reserveCode(db: Db, prefix: string): Promise<string> {
  for (;;) {
    const { rows } = await nextCodeQ(db, { prefix })
    const n = rows[0]!.next - 1
    const code = n === 0 ? prefix : `${prefix}${n}`
    const taken = await codeTakenQ(db, code)
    if (!taken) return code
  }
}

const nextCodeQ = preparedQuery<{ next: number }>((d, slot) =>
  d
    .insertInto('code_counters')
    .values({ prefix: slot('prefix'), next: 1 })
    .onConflict((oc) => oc.column('prefix').doUpdateSet({ next: sql`code_counters.next + 1` }))
    .returning('next'),
)
const codeTakenQ = preparedLookup((d, code) => d.selectFrom('orgs').select('number').where('code', '=', code))

/**
 * The reseller subscription that meters `org`'s customers, or null when none does.
 *
 * On PostgreSQL the row is read again under a key-share lock, which an organisation just
 * becoming metered waits for (quota.ts `becomeMetered` locks the row for update before counting
 * customers): either a customer created now is counted there, or it draws from the quota here.
 * On SQLite write transactions are serial, so the row the caller just read answers.
 */
export async function lockOrgMetering(db: Db, dialect: Dialect, org: Pick<OrgRow, 'id' | 'reseller_sub_id'>): Promise<number | null> {
  if (dialect !== 'postgres') return org.reseller_sub_id ?? null
  return (await db.selectFrom('orgs').select('reseller_sub_id').where('id', '=', org.id).forKeyShare().executeTakeFirst())?.reseller_sub_id ?? null
}

/**
 * Locks an organisation's row for update until the transaction ends, so that concurrent
 * changes to its members queue on it. On PostgreSQL only: SQLite's write transactions are
 * serial already, and nothing is read there.
 */
export async function lockOrgForUpdate(db: Db, dialect: Dialect, orgId: string): Promise<void> {
  if (dialect !== 'postgres') return
  await db.selectFrom('orgs').select('id').where('id', '=', orgId).forUpdate().execute()
}

/**
 * The path of an organisation known to exist (say, a group's or a user's); throws Kysely's
 * `NoResultError` when there is none, which only a broken foreign key could cause.
 */
export async function getOrgPath(db: Db, orgId: string): Promise<string> {
  return (await db.selectFrom('orgs').select('path').where('id', '=', orgId).executeTakeFirstOrThrow()).path
}

/** What a search of organisations matches: every criterion given. */
export interface OrgCriteria {
  /** Lifecycle statuses (at least one). */
  statuses: readonly string[]
  /** The direct customers of this organisation (by id)... */
  parentId?: string
  /** ...or else the organisation on this path and its descendants, never the master (depth 0). */
  subtreeOf?: string
  /** An exact name. */
  name?: string
  /** An exact short code (stored upper-case). */
  code?: string
  /** The organisation's integer number. */
  number?: number
  /** An exact billing id. */
  billingId?: string
}

/**
 * Lists the organisations matching `criteria`, in creation order (`number`), at most `limit`.
 * Without `parentId`, the subtree is one range on the path column.
 */
export async function listOrgsMatching(db: Db, criteria: OrgCriteria, limit: number): Promise<OrgRow[]> {
  let q = db.selectFrom('orgs').selectAll().where('status', 'in', criteria.statuses)
  if (criteria.parentId !== undefined) q = q.where('parent_id', '=', criteria.parentId)
  else if (criteria.subtreeOf !== undefined) {
    const [lo, hi] = subtreeRange(criteria.subtreeOf)
    // The organisation itself (path = lo) and its descendants, but never the master.
    q = q.where('path', '>=', lo).where('path', '<', hi).where('depth', '>', 0)
  }
  if (criteria.name !== undefined) q = q.where('name', '=', criteria.name)
  if (criteria.code !== undefined) q = q.where('code', '=', criteria.code)
  if (criteria.number !== undefined) q = q.where('number', '=', criteria.number)
  if (criteria.billingId !== undefined) q = q.where('billing_id', '=', criteria.billingId)
  return (await q.orderBy('number').limit(limit).execute()) as OrgRow[]
}

/** Lists the strict descendants of the organisation on `path` that are not deleted (one range scan). */
export async function listLiveDescendantRows(db: Db, path: string): Promise<OrgRow[]> {
  const [lo, hi] = subtreeRange(path)
  return (await db.selectFrom('orgs').selectAll().where('path', '>', lo).where('path', '<', hi).where('status', '<>', 'deleted').execute()) as OrgRow[]
}

/**
 * Finds one customer service, among those of the organisations `orgIds`, that is not
 * `NotProvisioned`: the organisation's and the service's names, or undefined when they hold none.
 */
export async function findServiceHeldByAny(db: Db, orgIds: readonly string[]): Promise<{ org: string; service: string } | undefined> {
  return db
    .selectFrom('customer_services')
    .innerJoin('orgs', 'orgs.id', 'customer_services.org_id')
    .innerJoin('services', 'services.id', 'customer_services.service_id')
    .select(['orgs.name as org', 'services.name as service'])
    .where('customer_services.org_id', 'in', orgIds)
    .where('customer_services.status', '!=', 'NotProvisioned')
    .limit(1)
    .executeTakeFirst()
}

/** The organisation columns an update may change. */
export type OrgPatch = Partial<Omit<OrgTable, 'id' | 'number' | 'parent_id' | 'path' | 'depth' | 'tombstone'>>

/**
 * Applies `patch` to the organisation `number` if it is still at `expectedVersion`; answers
 * whether it was. A broken unique constraint (code, sibling name) is thrown as the database
 * reports it (wrap in `mapUnique`).
 */
export async function updateOrgRow(db: Db, number: number, expectedVersion: number, patch: OrgPatch): Promise<boolean> {
  const res = await db.updateTable('orgs').set(patch).where('number', '=', number).where('version', '=', expectedVersion).executeTakeFirst()
  return Number(res.numUpdatedRows) !== 0
}

/**
 * Marks an organisation deleted: disabled, its name freed among its siblings (the tombstone),
 * its version bumped. The per-ancestor counts are the caller's (`adjustCounts`).
 */
export async function markOrgDeleted(db: Db, org: Pick<OrgRow, 'number' | 'version'>, now: string): Promise<void> {
  await db
    .updateTable('orgs')
    .set({ status: 'deleted', enabled: 0, tombstone: org.number, updated_at: now, version: org.version + 1 })
    .where('number', '=', org.number)
    .execute()
}

/** Deletes an organisation's cloud accounts, then its cloud-provider allowances. */
export async function deleteOrgCloudAccounts(db: Db, orgId: string): Promise<void> {
  await db.deleteFrom('cloud_accounts').where('org_id', '=', orgId).execute()
  await db.deleteFrom('org_cloud_providers').where('org_id', '=', orgId).execute()
}

/** Releases an organisation's domain names, whatever their status (no registrar is asked). */
export async function deleteOrgDomains(db: Db, orgId: string): Promise<void> {
  await db.deleteFrom('domains').where('org_id', '=', orgId).execute()
}

/** The columns a customer listing sorts on, by the sort key the operations take. */
export const CUSTOMER_SORT_COLUMNS = {
  id: 'id',
  name: 'name',
  status: 'status',
  subscriptionsCount: 'subscriptions_count',
  websitesCount: 'websites_count',
  // Numbers are handed out in creation order.
  createdAt: 'number',
} as const

/** A column a customer listing sorts on. */
export type CustomerSortColumn = (typeof CUSTOMER_SORT_COLUMNS)[keyof typeof CUSTOMER_SORT_COLUMNS]

/** One page of an organisation's customers: which, how many and in what order. */
export interface CustomerPage {
  statuses: readonly string[]
  /** Levels below the organisation; undefined for all. */
  relDepth: number | undefined
  limit: number
  offset: number
  col: CustomerSortColumn
  dir: 'asc' | 'desc'
}

/**
 * The page's numbers and versions, compiled once per shape:
 * `column|direction|children,in-order,subtree|all,bounded|number of statuses`.
 */
const customerPageQ = preparedQuery<{ number: number; version: number }, string>((d, slot, shape) => {
  const [col, dir, scan, depth, n] = shape.split('|') as [CustomerSortColumn, 'asc' | 'desc', string, string, string]
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
 * Lists one page of `org`'s customers (its descendants within `page.relDepth` levels with one of
 * `page.statuses`), with `total` from the per-ancestor counts, so that it costs the same at a
 * thousand organisations as at a million. Rows tie-break on `number`. The page's numbers and
 * versions are read by a prepared query; the objects come from the versioned cache.
 */
export async function listCustomerPage(
  db: Db,
  dialect: Dialect,
  org: Pick<OrgRow, 'id' | 'number' | 'path' | 'depth'>,
  p: CustomerPage,
): Promise<{ items: Organization[]; total: number }> {
  const total = await countDescendants(db, org.number, p.statuses, p.relDepth)
  if (total === 0 || p.offset >= total) return { items: [], total }
  const [lo, hi] = subtreeRange(org.path)
  // For a large result, walk the sort column's index and filter by path (SQLite's planner
  // would otherwise sort the whole subtree); `+path` keeps SQLite off the path index.
  const scan = p.relDepth === 1 ? 'children' : dialect === 'sqlite' && total > SCAN_IN_ORDER_ABOVE ? 'in-order' : 'subtree'
  const values: Record<string, unknown> = { parentId: org.id, lo, hi, maxDepth: org.depth + (p.relDepth ?? 0), limit: p.limit, offset: p.offset }
  p.statuses.forEach((st, i) => (values[`s${i}`] = st))
  const shape = `${p.col}|${p.dir}|${scan}|${p.relDepth === undefined ? 'all' : 'bounded'}|${p.statuses.length}`
  const { rows: refs } = await customerPageQ(db, values, shape)
  return { items: await loadOrganizations(db, refs), total }
}

/** What narrows a customer listing beyond its scope and statuses. */
export interface CustomerFilter {
  /** Only customers holding a live (not deleted) subscription to this plan. */
  planId?: number
  /**
   * A search: the name starts with it (ASCII letters in any case), or the short code is it
   * (any case), or the external id is it. Each reads an index of its own.
   */
  search?: string
}

/** The last character a string can hold: `prefix + MAX_CHAR` bounds every string starting with `prefix`. */
const MAX_CHAR = '\u{10FFFF}'

/**
 * Lists one page of `org`'s customers (as `listCustomerPage`) that meet `filter`; `total` is
 * counted by a query of its own.
 */
export async function listFilteredCustomerPage(
  db: Db,
  org: Pick<OrgRow, 'id' | 'path' | 'depth'>,
  p: CustomerPage,
  filter: CustomerFilter,
): Promise<{ items: Organization[]; total: number }> {
  const [lo, hi] = subtreeRange(org.path)
  let q = db.selectFrom('orgs').where('status', 'in', p.statuses)
  if (filter.planId !== undefined) {
    const planId = filter.planId
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('subscriptions')
          .select('subscriptions.id')
          .whereRef('subscriptions.subscriber_id', '=', 'orgs.id')
          .where('subscriptions.plan_id', '=', planId)
          .where('subscriptions.status', '<>', 'deleted'),
      ),
    )
  }
  if (filter.search !== undefined && filter.search !== '') {
    const text = filter.search
    const prefix = asciiLower(text)
    // One indexed lookup per way of matching, joined: an OR across three indexes beside the
    // subtree's path range would make the planner scan the subtree (a million rows) instead.
    // The external id's condition repeats the partial index's own (`external_id <> ''`).
    q = q.where('number', 'in', (eb) =>
      eb
        .selectFrom('orgs as byname')
        .select('byname.number')
        .where(sql<string>`lower(${sql.ref('byname.name')})`, '>=', prefix)
        .where(sql<string>`lower(${sql.ref('byname.name')})`, '<', prefix + MAX_CHAR)
        .union(eb.selectFrom('orgs as bycode').select('bycode.number').where('bycode.code', '=', text.toUpperCase()))
        .union(eb.selectFrom('orgs as byext').select('byext.number').where('byext.external_id', '=', text).where('byext.external_id', '<>', '')),
    )
  }
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

/** Lowers ASCII letters only, as SQLite's `lower()` and PostgreSQL's under the "C" collation do. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** An organisation's sealed Slack webhook URL as stored. */
export interface SlackWebhookRow {
  number: number
  id: string
  slack_webhook_sealed: string
}

/**
 * Lists the organisations that have a Slack webhook URL (a read of the partial index
 * `orgs_slack_webhook`), by number; with `forUpdate` on PostgreSQL their rows stay locked until
 * the transaction ends.
 */
export async function listSlackWebhookRows(db: Db, dialect: Dialect, forUpdate = false): Promise<SlackWebhookRow[]> {
  return (await db
    .selectFrom('orgs')
    .select(['number', 'id', 'slack_webhook_sealed'])
    .where('slack_webhook_sealed', 'is not', null)
    .orderBy('number')
    .$if(forUpdate && dialect === 'postgres', (q) => q.forUpdate())
    .execute()) as SlackWebhookRow[]
}

/**
 * Stores another sealing of the same Slack webhook URL (a re-seal under a newer key). The
 * version is left as it is: what the organisation answers does not change.
 */
export async function replaceSlackWebhookSealed(db: Db, number: number, sealed: string): Promise<void> {
  await db.updateTable('orgs').set({ slack_webhook_sealed: sealed }).where('number', '=', number).execute()
}

/** Which customers count as added: the direct ones of an organisation, or every descendant. */
export interface AddedCustomersScope {
  org: Pick<OrgRow, 'id' | 'path'>
  recursive: boolean
  /** The first instant counted (ISO-8601 UTC, as `created_at` is stored)... */
  from: string
  /** ...and the first one past them. */
  until: string
  /** How many leading characters of `created_at` name an interval (13 an hour, 10 a day, 7 a month). */
  prefixLength: 7 | 10 | 13
}

/**
 * Counts the customers created from `from` until `until`, per interval (the first `prefixLength` characters
 * of `created_at`), whatever their status now. The database counts: direct customers are a
 * range of `orgs_parent_created`, a subtree a range of `orgs_path` filtered on `created_at`.
 */
export async function countCustomersAdded(db: Db, s: AddedCustomersScope): Promise<{ interval: string; n: number }[]> {
  const key = sql<string>`substr(created_at, 1, ${sql.lit(s.prefixLength)})`
  let q = db.selectFrom('orgs').select([key.as('interval'), (eb) => eb.fn.countAll<number>().as('n')]).where('created_at', '>=', s.from).where('created_at', '<', s.until)
  if (s.recursive) {
    const [lo, hi] = subtreeRange(s.org.path)
    q = q.where('path', '>', lo).where('path', '<', hi)
  } else {
    q = q.where('parent_id', '=', s.org.id)
  }
  const rows = await q.groupBy(key).execute()
  return rows.map((r) => ({ interval: String(r.interval), n: Number(r.n) }))
}
