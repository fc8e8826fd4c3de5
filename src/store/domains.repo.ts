/**
 * Domains and registrars as stored: rows, their mapping, and the conditional writes that keep a
 * domain's reservation fenced while its registrar is asked. Knows SQL and nothing of actors.
 */
import type { Selectable } from 'kysely'
import type { Db, Dialect } from './store.js'
import type { DomainTable, RegistrarTable } from './schema.js'
import type { DomainStatus, Domain } from '../core/domains.js'
export type { DomainStatus, Domain } from '../core/domains.js'

export type DomainRow = Selectable<DomainTable>
export type RegistrarRow = Selectable<RegistrarTable>

/** Maps a stored row to a Domain. */
export function toDomain(r: DomainRow): Domain {
  return { name: r.name, unicodeName: r.unicode_name, registrar: r.registrar, status: r.status as DomainStatus, createdAt: r.created_at }
}

/** Row locks taken inside a write transaction on PostgreSQL (SQLite's writes are serial). */
export type Lock = 'update' | 'share'

const lockOn = (dialect: Dialect, lock: Lock | undefined): Lock | undefined => (dialect === 'postgres' ? lock : undefined)

/** The domain stored under `name` (ASCII form), or undefined; `lock` (PostgreSQL) locks the row. */
export async function findDomainByName(db: Db, dialect: Dialect, name: string, lock?: Lock): Promise<DomainRow | undefined> {
  const l = lockOn(dialect, lock)
  return db
    .selectFrom('domains')
    .selectAll()
    .where('name', '=', name)
    .$if(l === 'update', (q) => q.forUpdate())
    .$if(l === 'share', (q) => q.forShare())
    .executeTakeFirst()
}

/**
 * Inserts a domain row unless one with its name exists (then answers false and writes nothing).
 * On PostgreSQL an insert racing another transaction's uncommitted row waits for it, so a
 * caller that gets false and reads again sees the row that won.
 */
export async function insertDomainIfFree(db: Db, row: DomainRow): Promise<boolean> {
  const r = await db
    .insertInto('domains')
    .values(row)
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** What a reservation is known by: its row, and the status and time it was last written with. */
export interface DomainFence {
  id: string
  status: DomainStatus
  updatedAt: string
}

/**
 * Changes a domain's row only while it is still as `fence` says (a reservation reclaimed as
 * stale, or released by its organisation's deletion, is no longer); answers whether it did.
 */
export async function updateDomainIf(db: Db, fence: DomainFence, set: Partial<Pick<DomainTable, 'status' | 'registrar' | 'updated_at'>>): Promise<boolean> {
  const r = await db
    .updateTable('domains')
    .set(set)
    .where('id', '=', fence.id)
    .where('status', '=', fence.status)
    .where('updated_at', '=', fence.updatedAt)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** Deletes a domain's row only while it is still as `fence` says; answers whether it did. */
export async function deleteDomainIf(db: Db, fence: DomainFence): Promise<boolean> {
  const r = await db
    .deleteFrom('domains')
    .where('id', '=', fence.id)
    .where('status', '=', fence.status)
    .where('updated_at', '=', fence.updatedAt)
    .executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

/** Deletes a domain's row by id. */
export async function deleteDomainById(db: Db, id: string): Promise<void> {
  await db.deleteFrom('domains').where('id', '=', id).execute()
}

/** An organisation's domains with `status`, by name. */
export async function listOrgDomainRows(db: Db, orgId: string, status: DomainStatus): Promise<DomainRow[]> {
  return db.selectFrom('domains').selectAll().where('org_id', '=', orgId).where('status', '=', status).orderBy('name').execute()
}

/** True when some domain row (of any status) names registrar `name`. */
export async function registrarInUse(db: Db, name: string): Promise<boolean> {
  return (await db.selectFrom('domains').select('id').where('registrar', '=', name).limit(1).executeTakeFirst()) !== undefined
}

/** Every registrar, by name; `lock` (PostgreSQL) locks the rows. */
export async function listRegistrarRows(db: Db, dialect: Dialect, lock?: Lock): Promise<RegistrarRow[]> {
  const l = lockOn(dialect, lock)
  return db
    .selectFrom('registrars')
    .selectAll()
    .orderBy('name')
    .$if(l === 'update', (q) => q.forUpdate())
    .$if(l === 'share', (q) => q.forShare())
    .execute()
}

/** The registrar named `name`, or undefined; `lock` (PostgreSQL) locks the row. */
export async function findRegistrarRow(db: Db, dialect: Dialect, name: string, lock?: Lock): Promise<RegistrarRow | undefined> {
  const l = lockOn(dialect, lock)
  return db
    .selectFrom('registrars')
    .selectAll()
    .where('name', '=', name)
    .$if(l === 'update', (q) => q.forUpdate())
    .$if(l === 'share', (q) => q.forShare())
    .executeTakeFirst()
}

/** Inserts a registrar, or replaces every setting of the one with its name (keeping `created_at`). */
export async function upsertRegistrarRow(db: Db, row: RegistrarRow): Promise<void> {
  await db
    .insertInto('registrars')
    .values(row)
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ driver: row.driver, config: row.config, tlds: row.tlds, is_default: row.is_default, updated_at: row.updated_at }),
    )
    .execute()
}

/** Clears the default mark of every registrar but `except`. */
export async function clearDefaultRegistrar(db: Db, except: string, now: string): Promise<void> {
  await db.updateTable('registrars').set({ is_default: 0, updated_at: now }).where('is_default', '=', 1).where('name', '!=', except).execute()
}

/** Deletes a registrar. */
export async function deleteRegistrarRow(db: Db, name: string): Promise<void> {
  await db.deleteFrom('registrars').where('name', '=', name).execute()
}

/** Rewrites a registrar's stored settings (re-sealing its secret). */
export async function updateRegistrarConfig(db: Db, name: string, config: string): Promise<void> {
  await db.updateTable('registrars').set({ config }).where('name', '=', name).execute()
}

/**
 * The status of organisation `orgId`, its row share-locked on PostgreSQL: a deletion of the
 * organisation (which releases its domains) then waits for the caller's transaction, or has
 * committed and is seen. Undefined when there is no such organisation.
 */
export async function lockOrgStatus(db: Db, dialect: Dialect, orgId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('orgs')
    .select('status')
    .where('id', '=', orgId)
    .$if(dialect === 'postgres', (q) => q.forShare())
    .executeTakeFirst()
  return r?.status
}
