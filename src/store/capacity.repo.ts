/**
 * Capacity unit types and organisations' capacity entries (available or consumed) as stored.
 * Knows SQL and nothing of actors: who may call what is decided in `src/ops/capacity/`.
 *
 * Row locks (`lock`) are taken on PostgreSQL only: on SQLite every write transaction is
 * `begin immediate`, so writers are already serialised.
 */
import type { Db, Dialect } from './store.js'
import type { OrgCapacityTable } from './schema.js'

/** A stored capacity entry. */
export type CapacityRow = Omit<OrgCapacityTable, 'id'> & { id: number }

/** A capacity entry to insert. */
export type NewCapacityRow = Omit<OrgCapacityTable, 'id'>

/** A row lock to take on a unit type read inside a write transaction. */
export type UnitTypeLock = 'update' | 'key share'

// ---- unit types ----

/** Lists the capacity unit types by code. */
export async function listCapacityUnitTypeRows(db: Db): Promise<{ code: string; description: string }[]> {
  return db.selectFrom('capacity_unit_types').select(['code', 'description']).orderBy('code').execute()
}

/**
 * Finds a capacity unit type by its stored (upper-case) code and answers that code; on
 * PostgreSQL, with `lock`, locks its row (`key share` keeps it from being deleted meanwhile).
 */
export async function findCapacityUnitTypeCode(db: Db, dialect: Dialect, code: string, lock?: UnitTypeLock): Promise<string | undefined> {
  const t = await db
    .selectFrom('capacity_unit_types')
    .select('code')
    .where('code', '=', code)
    .$if(dialect === 'postgres' && lock === 'key share', (q) => q.forKeyShare())
    .$if(dialect === 'postgres' && lock === 'update', (q) => q.forUpdate())
    .executeTakeFirst()
  return t?.code
}

/** Inserts a capacity unit type. A code already taken is a unique violation. */
export async function insertCapacityUnitType(db: Db, row: { code: string; description: string; created_at: string }): Promise<void> {
  await db.insertInto('capacity_unit_types').values(row).execute()
}

/** True when some capacity entry, of any organisation, uses the unit type. */
export async function capacityUnitTypeInUse(db: Db, code: string): Promise<boolean> {
  return !!(await db.selectFrom('org_capacity').select('id').where('unit_type', '=', code).limit(1).executeTakeFirst())
}

/** Deletes a capacity unit type. */
export async function deleteCapacityUnitTypeRow(db: Db, code: string): Promise<void> {
  await db.deleteFrom('capacity_unit_types').where('code', '=', code).execute()
}

// ---- capacity entries ----

/** Inserts a capacity entry. */
export async function insertCapacityEntry(db: Db, row: NewCapacityRow): Promise<void> {
  await db.insertInto('org_capacity').values(row).execute()
}

/** Deletes every entry of one kind and unit type from an organisation's capacity; answers how many. */
export async function deleteCapacityEntries(db: Db, orgId: string, kind: string, unitType: string): Promise<number> {
  const r = await db.deleteFrom('org_capacity').where('org_id', '=', orgId).where('kind', '=', kind).where('unit_type', '=', unitType).executeTakeFirst()
  return Number(r.numDeletedRows)
}

/** Lists an organisation's capacity entries, oldest first. */
export async function listCapacityRows(db: Db, orgId: string): Promise<CapacityRow[]> {
  return db.selectFrom('org_capacity').selectAll().where('org_id', '=', orgId).orderBy('id').execute()
}
