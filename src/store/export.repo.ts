/**
 * The reads of an organisation's export (its "root object", ops/orgs/export-org.ts) that no
 * other table module holds, and the one consistent view they are read from.
 */
import { sql, type Selectable } from 'kysely'
import type { Db, Store } from './store.js'
import type { OrgCapacityTable, UserTable } from './schema.js'
import type { SubscriptionRow } from './subscriptions.repo.js'

/** Optimistic SQLite reads tried before the read takes the write lock. */
const OPTIMISTIC_TRIES = 3

/**
 * Runs `read` on one consistent view of the database and answers its value.
 *
 * On PostgreSQL every query of `read` runs in one read-only `repeatable read` transaction (one
 * snapshot). SQLite's reader connection is shared by every concurrent read and takes no
 * transaction, so `read` runs optimistically between two readings of `data_version` (which
 * moves with every commit of any other connection, this process's writer included) and again
 * when something committed meanwhile; after a few tries it runs inside a write transaction
 * (`BEGIN IMMEDIATE`: nothing else commits while it reads). `read` must write nothing.
 */
export async function readConsistently<T>(store: Store, read: (db: Db) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read)
  }
  for (let i = 0; i < OPTIMISTIC_TRIES; i++) {
    const before = `${store.generation()}/${await dataVersion(store.db)}`
    const value = await read(store.db)
    const after = `${store.generation()}/${await dataVersion(store.db)}`
    if (before === after) return value
  }
  return store.write(read)
}

async function dataVersion(db: Db): Promise<number> {
  const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(db)
  return Number(rows[0]?.data_version)
}

/** A user as an export shows it: the password hash and credential version are never even read. */
export type UserProfileRow = Pick<UserTable, 'id' | 'username' | 'email' | 'first_name' | 'last_name' | 'role' | 'enabled' | 'created_at'>

/** Lists an organisation's users without their secrets, by username. */
export function listUserProfileRows(db: Db, orgId: string): Promise<UserProfileRow[]> {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'email', 'first_name', 'last_name', 'role', 'enabled', 'created_at'])
    .where('org_id', '=', orgId)
    .orderBy('username')
    .execute()
}

/** A stored capacity entry of an organisation. */
export type OrgCapacityRow = Selectable<OrgCapacityTable>

/** Lists an organisation's capacity entries (available and consumed), by id. */
export function listOrgCapacityRows(db: Db, orgId: string): Promise<OrgCapacityRow[]> {
  return db.selectFrom('org_capacity').selectAll().where('org_id', '=', orgId).orderBy('id').execute()
}

/** Lists the subscriptions an organisation holds that are not deleted, by id. */
export function listHeldSubscriptionRows(db: Db, orgId: string): Promise<SubscriptionRow[]> {
  return db.selectFrom('subscriptions').selectAll().where('subscriber_id', '=', orgId).where('status', '<>', 'deleted').orderBy('id').execute()
}
