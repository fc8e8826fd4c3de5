/**
 * Servers and server groups as stored. Knows SQL and nothing of actors: who may change them is
 * decided in `src/ops/servers/`. Their mapping to core objects (`toServer`, `toServerGroups`)
 * and the check that a plan or subscription names them (`placementInUse`) live in plans.repo.ts.
 *
 * Names are unique case-insensitively (`name_key`); an insert or rename that breaks it fails
 * with the database's unique violation, which callers turn into `already_exists` (`mapUnique`).
 */
import type { Db } from './store.js'
import type { ServerGroupRow, ServerRow } from './plans.repo.js'
import { DomainError } from '../core/errors.js'

/** The columns of a server that a change may set (all but its id). */
export type ServerPatch = Partial<Omit<ServerRow, 'id'>>
/** The columns of a server group that a change may set (all but its id). */
export type ServerGroupPatch = Partial<Omit<ServerGroupRow, 'id'>>

/** Loads the server `id`; throws `not_found` when there is none. */
export async function getServerRow(db: Db, id: string): Promise<ServerRow> {
  const row = await db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new DomainError('not_found', `no server ${id}`)
  return row
}

/** Lists every server, by name (then id). */
export async function listServerRows(db: Db): Promise<ServerRow[]> {
  return db.selectFrom('servers').selectAll().orderBy('name').orderBy('id').execute()
}

/** Inserts a server; a taken name is a unique violation. */
export async function insertServer(db: Db, row: ServerRow): Promise<void> {
  await db.insertInto('servers').values(row).execute()
}

/** Sets the given columns of the server `id`; a taken name is a unique violation. */
export async function updateServerRow(db: Db, id: string, patch: ServerPatch): Promise<void> {
  await db.updateTable('servers').set(patch).where('id', '=', id).execute()
}

/** Deletes the server `id`. */
export async function deleteServerRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('servers').where('id', '=', id).execute()
}

/** Takes every server of the group `groupId` out of it. */
export async function ungroupServers(db: Db, groupId: string): Promise<void> {
  await db.updateTable('servers').set({ group_id: null }).where('group_id', '=', groupId).execute()
}

/** Loads the server group `id`; throws `not_found` when there is none. */
export async function getServerGroupRow(db: Db, id: string): Promise<ServerGroupRow> {
  const row = await db.selectFrom('server_groups').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new DomainError('not_found', `no server group ${id}`)
  return row
}

/** True when `id` names a server group. */
export async function serverGroupExists(db: Db, id: string): Promise<boolean> {
  const g = await db.selectFrom('server_groups').select('id').where('id', '=', id).executeTakeFirst()
  return g !== undefined
}

/** Lists every server group, by name (then id). */
export async function listServerGroupRows(db: Db): Promise<ServerGroupRow[]> {
  return db.selectFrom('server_groups').selectAll().orderBy('name').orderBy('id').execute()
}

/** Inserts a server group; a taken name is a unique violation. */
export async function insertServerGroup(db: Db, row: ServerGroupRow): Promise<void> {
  await db.insertInto('server_groups').values(row).execute()
}

/** Sets the given columns of the server group `id`; a taken name is a unique violation. */
export async function updateServerGroupRow(db: Db, id: string, patch: ServerGroupPatch): Promise<void> {
  await db.updateTable('server_groups').set(patch).where('id', '=', id).execute()
}

/** Deletes the server group `id` (take its servers out of it first: `ungroupServers`). */
export async function deleteServerGroupRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('server_groups').where('id', '=', id).execute()
}
