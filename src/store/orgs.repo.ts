/**
 * Organisations as stored: rows, the hierarchy path, per-ancestor counts and short codes.
 * Knows SQL and nothing of actors.
 */
import { PostgresAdapter, sql, type Insertable } from 'kysely'
import type { Db } from './store.js'
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
