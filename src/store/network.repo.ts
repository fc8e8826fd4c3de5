/** IP address pools and the addresses given from them (see src/ops/network/). */
import type { Selectable } from 'kysely'
import type { Db } from './store.js'
import type { IpAddressTable, IpPoolTable } from './schema.js'
import type { RowLock } from './cloud.repo.js'

export type IpPoolRow = Selectable<IpPoolTable>
export type IpAddressRow = Selectable<IpAddressTable>
/** A pool with its location's name and how many addresses it has given. */
export type IpPoolView = IpPoolRow & { location_name: string | null; allocated: number }

function poolViews(db: Db) {
  return db
    .selectFrom('ip_pools as p')
    .leftJoin('locations as l', 'l.id', 'p.location_id')
    .selectAll('p')
    .select('l.name as location_name')
    .select((eb) => eb.selectFrom('ip_addresses as a').whereRef('a.pool_id', '=', 'p.id').select((e) => e.fn.countAll<number | string>().as('n')).as('allocated'))
}

function toView(r: IpPoolRow & { location_name: string | null; allocated: number | string | null }): IpPoolView {
  return { ...r, allocated: Number(r.allocated ?? 0) }
}

/** Every pool, by name. */
export async function listPoolViews(db: Db): Promise<IpPoolView[]> {
  return (await poolViews(db).orderBy('p.name_key').execute()).map(toView)
}

/** A pool by id or by name (case-insensitively, `nameKey` lower-cased). */
export async function findPoolView(db: Db, by: { id: string } | { nameKey: string }): Promise<IpPoolView | undefined> {
  const q = 'id' in by ? poolViews(db).where('p.id', '=', by.id) : poolViews(db).where('p.name_key', '=', by.nameKey)
  const r = await q.executeTakeFirst()
  return r && toView(r)
}

/** Every pool row, by name (to check overlaps, and to try each in turn when allocating). */
export async function listPoolRows(db: Db): Promise<IpPoolRow[]> {
  return db.selectFrom('ip_pools').selectAll().orderBy('name_key').execute()
}

/** Locks a pool's row (PostgreSQL) and answers it; allocation and deletion of one pool take turns on it. */
export async function lockPool(db: Db, id: string, lock: RowLock | undefined): Promise<IpPoolRow | undefined> {
  let q = db.selectFrom('ip_pools').selectAll().where('id', '=', id)
  if (lock === 'update') q = q.forNoKeyUpdate()
  if (lock === 'share') q = q.forShare()
  return q.executeTakeFirst()
}

/** Writes a new pool; a taken name is a unique violation (wrap in `mapUnique`). */
export async function insertPool(db: Db, row: IpPoolRow): Promise<void> {
  await db.insertInto('ip_pools').values(row).execute()
}

/** Changes a pool's row; a taken name is a unique violation (wrap in `mapUnique`). */
export async function updatePoolRow(db: Db, id: string, patch: Partial<Omit<IpPoolRow, 'id'>>): Promise<void> {
  await db.updateTable('ip_pools').set(patch).where('id', '=', id).execute()
}

/** Removes a pool's row (the caller checked it gives no address). */
export async function deletePoolRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ip_pools').where('id', '=', id).execute()
}

/** How many addresses customers hold from a pool. */
export async function countPoolAddresses(db: Db, poolId: string): Promise<number> {
  const r = await db.selectFrom('ip_addresses').select((e) => e.fn.countAll<number | string>().as('n')).where('pool_id', '=', poolId).executeTakeFirst()
  return Number(r?.n ?? 0)
}

/** Up to `limit` keys of a pool's given addresses from `fromKey` on (inclusive), in order. */
export async function poolKeysFrom(db: Db, poolId: string, fromKey: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('ip_addresses')
    .select('address_key')
    .where('pool_id', '=', poolId)
    .where('address_key', '>=', fromKey)
    .orderBy('address_key')
    .limit(limit)
    .execute()
  return rows.map((r) => r.address_key)
}

/** Who holds the address, if anyone. */
export async function findAddressByKey(db: Db, key: string): Promise<IpAddressRow | undefined> {
  return db.selectFrom('ip_addresses').selectAll().where('address_key', '=', key).executeTakeFirst()
}

/**
 * Gives an address unless it is already given (the unique key decides, even against a
 * concurrent transaction: PostgreSQL waits for it). Answers whether the row was written.
 */
export async function claimAddress(db: Db, row: IpAddressRow): Promise<boolean> {
  const r = await db
    .insertInto('ip_addresses')
    .values(row)
    .onConflict((oc) => oc.column('address_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  return r !== undefined
}

/** Takes an address back from an organisation; answers whether it held it. */
export async function releaseAddress(db: Db, orgId: string, key: string): Promise<boolean> {
  const r = await db.deleteFrom('ip_addresses').where('org_id', '=', orgId).where('address_key', '=', key).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

/** Takes back every address an organisation holds (it is being deleted). */
export async function releaseOrgAddresses(db: Db, orgId: string): Promise<void> {
  await db.deleteFrom('ip_addresses').where('org_id', '=', orgId).execute()
}

/** An organisation's addresses with their pools, in address order. */
export async function listOrgAddresses(db: Db, orgId: string) {
  return db
    .selectFrom('ip_addresses as a')
    .innerJoin('ip_pools as p', 'p.id', 'a.pool_id')
    .select(['a.address', 'a.address_key', 'a.created_at', 'p.name as pool_name', 'p.family', 'p.prefix', 'p.gateway'])
    .where('a.org_id', '=', orgId)
    .orderBy('a.address_key')
    .execute()
}

/** How many addresses a pool has given and the highest key among them. */
export async function poolStats(db: Db, poolId: string): Promise<{ n: number; maxKey: string | null }> {
  const r = await db
    .selectFrom('ip_addresses')
    .select((e) => [e.fn.countAll<number | string>().as('n'), e.fn.max('address_key').as('maxKey')])
    .where('pool_id', '=', poolId)
    .executeTakeFirst()
  return { n: Number(r?.n ?? 0), maxKey: (r?.maxKey as string | null | undefined) ?? null }
}

/**
 * Locks the master organisation's row (PostgreSQL, `for no key update`): pool definitions take
 * turns on it, so two overlapping pools cannot be created at once. No advisory lock.
 */
export async function lockPoolDefinitions(db: Db, lock: RowLock | undefined): Promise<void> {
  if (!lock) return
  await db.selectFrom('orgs').select('id').where('depth', '=', 0).forNoKeyUpdate().execute()
}
