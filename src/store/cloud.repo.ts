/**
 * Cloud providers, the providers allowed to each organisation, and cloud accounts, as stored.
 * Knows SQL and nothing of actors: who may call what is decided in `src/ops/cloud/`.
 *
 * Row locks (`lock`) are taken only where the dialect has them: on SQLite every write
 * transaction is `begin immediate`, so writers are already serialised and no lock is needed.
 */
import type { Selectable, Updateable } from 'kysely'
import type { Db, Dialect } from './store.js'
import type { CloudAccountTable, CloudProviderTable } from './schema.js'
import { subtreeRange } from './orgs.repo.js'
import type { CloudProvider, CloudAccount, ResourceUsage } from '../core/cloud.js'
export type { CloudProvider, CloudAccount, ResourceUsage } from '../core/cloud.js'

export type CloudProviderRow = Selectable<CloudProviderTable>
export type CloudAccountRow = Selectable<CloudAccountTable>

/** Columns of a cloud provider to change (those left out keep their values). */
export type CloudProviderPatch = Updateable<CloudProviderTable>
/** Columns of a cloud account to change (those left out keep their values). */
export type CloudAccountPatch = Updateable<CloudAccountTable>

/** A row lock to take on a read inside a write transaction. */
export type RowLock = 'update' | 'share'

/** The lock to ask for on `dialect`: the given one on PostgreSQL, none on SQLite (see above). */
export function rowLock(dialect: Dialect, kind: RowLock): RowLock | undefined {
  return dialect === 'postgres' ? kind : undefined
}

/** Maps a stored row to a CloudProvider. */
export function toCloudProvider(r: CloudProviderRow): CloudProvider {
  return {
    id: r.id,
    name: r.name,
    disambiguation: r.disambiguation,
    requiredCredentials: JSON.parse(r.required_credentials) as string[],
    discoverable: r.discoverable === 1,
    cseSyntax: r.cse_syntax,
    standaloneIncompatible: r.standalone_incompatible === 1,
    createdAt: r.created_at,
  }
}

/** Maps a stored row to a CloudAccount. */
export function toCloudAccount(r: CloudAccountRow): CloudAccount {
  return { id: r.id, orgId: r.org_id, providerId: r.provider_id, name: r.name, servers: r.servers, createdAt: r.created_at }
}

/** Finds a provider by id, optionally locking its row. */
export async function findProvider(db: Db, id: string, lock?: RowLock): Promise<CloudProviderRow | undefined> {
  let q = db.selectFrom('cloud_providers').selectAll().where('id', '=', id)
  if (lock === 'update') q = q.forUpdate()
  if (lock === 'share') q = q.forShare()
  return q.executeTakeFirst()
}

/** Every provider of the catalogue, by name then disambiguation. */
export async function listProviderRows(db: Db): Promise<CloudProviderRow[]> {
  return db.selectFrom('cloud_providers').selectAll().orderBy('name').orderBy('disambiguation').orderBy('id').execute()
}

/** Inserts a provider. A clash of name and disambiguation is a unique violation (`cloud_providers_name`). */
export async function insertProvider(db: Db, row: CloudProviderRow): Promise<void> {
  await db.insertInto('cloud_providers').values(row).execute()
}

/** Changes a provider's columns. */
export async function updateProviderRow(db: Db, id: string, set: CloudProviderPatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('cloud_providers').set(set).where('id', '=', id).execute()
}

/** Deletes a provider and every allowance of it. Its cloud accounts must be gone first. */
export async function deleteProviderRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('org_cloud_providers').where('provider_id', '=', id).execute()
  await db.deleteFrom('cloud_providers').where('id', '=', id).execute()
}

/** The providers explicitly allowed to an organisation, by name then disambiguation. */
export async function listAllowedProviderRows(db: Db, orgId: string): Promise<CloudProviderRow[]> {
  return db
    .selectFrom('org_cloud_providers as a')
    .innerJoin('cloud_providers as p', 'p.id', 'a.provider_id')
    .selectAll('p')
    .where('a.org_id', '=', orgId)
    .orderBy('p.name')
    .orderBy('p.disambiguation')
    .orderBy('p.id')
    .execute()
}

/** True when the organisation has an allowance row for the provider (optionally locking it). */
export async function hasAllowance(db: Db, orgId: string, providerId: string, lock?: RowLock): Promise<boolean> {
  let q = db.selectFrom('org_cloud_providers').select('org_id').where('org_id', '=', orgId).where('provider_id', '=', providerId)
  if (lock === 'update') q = q.forUpdate()
  if (lock === 'share') q = q.forShare()
  return (await q.executeTakeFirst()) !== undefined
}

/** Records an allowance; answers false when it was already there. */
export async function insertAllowance(db: Db, orgId: string, providerId: string, createdAt: string): Promise<boolean> {
  const r = await db
    .insertInto('org_cloud_providers')
    .values({ org_id: orgId, provider_id: providerId, created_at: createdAt })
    .onConflict((oc) => oc.columns(['org_id', 'provider_id']).doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
}

/** Removes one organisation's allowance of a provider; answers false when there was none. */
export async function deleteAllowance(db: Db, orgId: string, providerId: string): Promise<boolean> {
  const r = await db.deleteFrom('org_cloud_providers').where('org_id', '=', orgId).where('provider_id', '=', providerId).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

/** Removes the allowance of a provider from every strict descendant of the organisation at `path`. */
export async function deleteDescendantAllowances(db: Db, path: string, providerId: string): Promise<number> {
  const [lo, hi] = subtreeRange(path)
  const r = await db
    .deleteFrom('org_cloud_providers')
    .where('provider_id', '=', providerId)
    .where('org_id', 'in', db.selectFrom('orgs').select('id').where('path', '>', lo).where('path', '<', hi))
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}

/**
 * Counts the cloud accounts of a provider held by live (not deleted) organisations: all of
 * them, or only those of the subtree rooted at `path` (the organisation itself included).
 */
export async function countLiveAccountsOfProvider(db: Db, providerId: string, path?: string): Promise<number> {
  let q = db
    .selectFrom('cloud_accounts as c')
    .innerJoin('orgs as o', 'o.id', 'c.org_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('c.provider_id', '=', providerId)
    .where('o.status', '<>', 'deleted')
  if (path !== undefined) {
    const [, hi] = subtreeRange(path)
    q = q.where('o.path', '>=', path).where('o.path', '<', hi)
  }
  const r = await q.executeTakeFirst()
  return Number(r?.n ?? 0)
}

/** Deletes the cloud accounts of a provider left behind by deleted organisations. */
export async function deleteDeadAccountsOfProvider(db: Db, providerId: string): Promise<void> {
  await db
    .deleteFrom('cloud_accounts')
    .where('provider_id', '=', providerId)
    .where('org_id', 'in', db.selectFrom('orgs').select('id').where('status', '=', 'deleted'))
    .execute()
}

/** Finds a cloud account by id. */
export async function findAccount(db: Db, id: string): Promise<CloudAccountRow | undefined> {
  return db.selectFrom('cloud_accounts').selectAll().where('id', '=', id).executeTakeFirst()
}

/** One page of an organisation's cloud accounts, oldest first, with the total. */
export async function listAccountRows(
  db: Db,
  orgId: string,
  offset: number,
  limit: number,
): Promise<{ rows: CloudAccountRow[]; total: number }> {
  const c = await db
    .selectFrom('cloud_accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  const total = Number(c?.n ?? 0)
  if (total === 0 || offset >= total) return { rows: [], total }
  const rows = await db
    .selectFrom('cloud_accounts')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute()
  return { rows, total }
}

/** Inserts a cloud account. A name already used in the organisation is a unique violation. */
export async function insertAccount(db: Db, row: CloudAccountRow): Promise<void> {
  await db.insertInto('cloud_accounts').values(row).execute()
}

/** Changes a cloud account's columns. */
export async function updateAccountRow(db: Db, id: string, set: CloudAccountPatch): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('cloud_accounts').set(set).where('id', '=', id).execute()
}

/** Deletes a cloud account. */
export async function deleteAccountRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('cloud_accounts').where('id', '=', id).execute()
}

/** The resource usage of an organisation: each of its cloud accounts' id → `{ servers }`. */
export async function resourceUsageOf(db: Db, orgId: string): Promise<ResourceUsage> {
  const rows = await db
    .selectFrom('cloud_accounts')
    .select(['id', 'servers'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  const out: ResourceUsage = {}
  for (const r of rows) out[r.id] = { servers: r.servers }
  return out
}
