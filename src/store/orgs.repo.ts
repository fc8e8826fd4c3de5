/**
 * Organisations as stored: rows, the hierarchy path, per-ancestor counts and short codes.
 * Knows SQL and nothing of actors.
 */
import { sql } from 'kysely'
import type { Db } from './store.js'
import type { OrgTable } from './schema.js'
import type { OrgStatus } from '../core/status.js'

export type OrgRow = Omit<OrgTable, 'number'> & { number: number }

/** An organisation as the core sees it. */
export interface Organization {
  id: string
  number: number
  code: string
  name: string
  parentId: string | null
  depth: number
  path: string
  description: string
  address: string
  city: string
  country: string
  contactName: string
  contactEmail: string
  primaryDomain: string
  billingId: string
  externalId: string
  externalMetadata: Record<string, unknown>
  licensingEnabled: boolean
  skinNames: string[]
  isReseller: boolean
  status: OrgStatus
  enabled: boolean
  locale: string
  suspendedBy: string | null
  subscriptionsCount: number
  websitesCount: number
  createdAt: string
  updatedAt: string
  version: number
}

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
    isReseller: r.is_reseller === 1,
    status: r.status as OrgStatus,
    enabled: r.enabled === 1,
    locale: r.locale,
    suspendedBy: r.suspended_by,
    subscriptionsCount: r.subscriptions_count,
    websitesCount: r.websites_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }
}

/** Finds an organisation by id. */
export async function findOrgById(db: Db, id: string): Promise<OrgRow | undefined> {
  return (await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst()) as OrgRow | undefined
}

/** Finds the root (master) organisation. */
export async function findRootOrg(db: Db): Promise<OrgRow | undefined> {
  return (await db.selectFrom('orgs').selectAll().where('depth', '=', 0).orderBy('number').executeTakeFirst()) as
    | OrgRow
    | undefined
}

/** Inserts an organisation under `parent` (or as root) and sets its path; returns the stored row. */
export async function insertOrg(
  db: Db,
  values: Omit<OrgTable, 'number' | 'path' | 'depth'>,
  parent: { path: string; depth: number } | null,
): Promise<OrgRow> {
  const depth = parent ? parent.depth + 1 : 0
  const { number } = await db
    .insertInto('orgs')
    .values({ ...values, path: '', depth })
    .returning('number')
    .executeTakeFirstOrThrow()
  const path = `${parent ? parent.path : '/'}${number}/`
  await db.updateTable('orgs').set({ path }).where('number', '=', number).execute()
  return { ...values, number, path, depth } as OrgRow
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
  const rows = nums.slice(0, -1).map((ancestor, i) => ({ ancestor, rel_depth: nums.length - 1 - i, status, n: delta }))
  await db
    .insertInto('org_counts')
    .values(rows)
    .onConflict((oc) => oc.columns(['ancestor', 'rel_depth', 'status']).doUpdateSet({ n: sql`org_counts.n + excluded.n` }))
    .execute()
}

/** Counts descendants of `ancestor` within `maxRelDepth` levels (all when undefined) with one of `statuses`. */
export async function countDescendants(
  db: Db,
  ancestor: number,
  statuses: readonly string[],
  maxRelDepth?: number,
): Promise<number> {
  let q = db
    .selectFrom('org_counts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('total'))
    .where('ancestor', '=', ancestor)
    .where('status', 'in', statuses)
  if (maxRelDepth !== undefined) q = q.where('rel_depth', '<=', maxRelDepth)
  const r = await q.executeTakeFirst()
  return Number(r?.total ?? 0)
}

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
    const row = await db
      .insertInto('code_counters')
      .values({ prefix, next: 1 })
      .onConflict((oc) => oc.column('prefix').doUpdateSet({ next: sql`code_counters.next + 1` }))
      .returning('next')
      .executeTakeFirstOrThrow()
    const n = row.next - 1
    const code = n === 0 ? prefix : `${prefix}${n}`
    const taken = await db.selectFrom('orgs').select('number').where('code', '=', code).executeTakeFirst()
    if (!taken) return code
  }
}
