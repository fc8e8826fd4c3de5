/**
 * Plans as stored, with the data they refer to: resource names, servers and server groups.
 * Knows SQL and nothing of actors: who may read or change what is decided in `src/ops/plans/`
 * and `src/ops/servers/`.
 *
 * Names (of resource names, servers, groups and an organisation's plans) are unique
 * case-insensitively through their `name_key` and kept as written. Lists are ordered by name
 * (bytes, both databases), then id.
 */
import type { Selectable } from 'kysely'
import type { Db } from './store.js'
import type { PlacementColumns, PlanTable, ServerGroupTable, ServerTable } from './schema.js'
import { hostingFromJson, type ServerRef, type ServerGroupRef, type ServerRefs, type ServerRole, type PlanResource, type DedicatedServers, type Placement, type PlanKind, type Plan, type Server, type ServerGroup } from '../core/plans.js'
export type { PlanResource, DedicatedServers, Placement, PlanKind, Plan, Server, ServerGroup } from '../core/plans.js'

/** The case-folded key a name is unique by. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

export type PlanRow = Selectable<PlanTable>
export type ServerRow = Selectable<ServerTable>
export type ServerGroupRow = Selectable<ServerGroupTable>

const ROLE_COLUMNS = [
  ['appServerId', 'app_server_id'],
  ['backupServerId', 'backup_server_id'],
  ['dbServerId', 'db_server_id'],
  ['emailServerId', 'email_server_id'],
  ['postgresqlServerId', 'postgresql_server_id'],
] as const

/** The placement columns' values for a Placement (every column, NULL where not given). */
export function placementColumns(p: Placement): PlacementColumns {
  const d = p.dedicatedServers ?? {}
  return {
    server_group_id: p.serverGroupId ?? null,
    app_server_id: d.appServerId ?? null,
    backup_server_id: d.backupServerId ?? null,
    db_server_id: d.dbServerId ?? null,
    email_server_id: d.emailServerId ?? null,
    postgresql_server_id: d.postgresqlServerId ?? null,
  }
}

/** The Placement stored in a row's placement columns (fields left out where NULL). */
export function placementOf(r: PlacementColumns): Placement {
  const out: Placement = {}
  if (r.server_group_id) out.serverGroupId = r.server_group_id
  const d: DedicatedServers = {}
  for (const [field, col] of ROLE_COLUMNS) if (r[col]) d[field] = r[col]!
  if (Object.keys(d).length > 0) out.dedicatedServers = d
  return out
}

/** True when the placement names nothing. */
export function isEmptyPlacement(p: Placement): boolean {
  return !p.serverGroupId && Object.keys(p.dedicatedServers ?? {}).length === 0
}

/** The server ids a placement names. */
export function placementServerIds(p: Placement): string[] {
  return Object.values(p.dedicatedServers ?? {}).filter((x): x is string => typeof x === 'string')
}

/** Maps a plan row and its resources to a Plan. */
export function toPlan(r: PlanRow, resources: PlanResource[]): Plan {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    kind: r.plan_type as PlanKind,
    resources,
    hosting: hostingFromJson(r.hosting),
    ...(r.provisioning_service !== null ? { provisioningService: r.provisioning_service } : {}),
    subscriptionsCount: r.subscriptions_count,
    ...placementOf(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }
}

/** Finds a live plan of `orgId` by id. */
export async function findLivePlan(db: Db, orgId: string, id: number): Promise<PlanRow | undefined> {
  return db.selectFrom('plans').selectAll().where('id', '=', id).where('org_id', '=', orgId).where('tombstone', '=', 0).executeTakeFirst()
}

/** The catalogue service that provisions plan `id`'s subscriptions (deleted plans too), or null. */
export async function planProvisioningService(db: Db, id: number): Promise<string | null> {
  return (await db.selectFrom('plans').select('provisioning_service').where('id', '=', id).executeTakeFirst())?.provisioning_service ?? null
}

/** The resources of each plan, by plan id, each list ordered by name. */
export async function planResources(db: Db, planIds: readonly number[]): Promise<Map<number, PlanResource[]>> {
  const out = new Map<number, PlanResource[]>()
  for (const id of planIds) out.set(id, [])
  if (planIds.length === 0) return out
  const rows = await db.selectFrom('plan_resources').selectAll().where('plan_id', 'in', planIds).orderBy('plan_id').orderBy('name').execute()
  for (const r of rows) out.get(r.plan_id)!.push(r.total === null ? { name: r.name } : { name: r.name, total: r.total })
  return out
}

/** Replaces a plan's resources. */
export async function setPlanResources(db: Db, planId: number, resources: readonly PlanResource[]): Promise<void> {
  await db.deleteFrom('plan_resources').where('plan_id', '=', planId).execute()
  if (resources.length > 0) {
    await db
      .insertInto('plan_resources')
      .values(resources.map((r) => ({ plan_id: planId, name: r.name, total: r.total ?? null })))
      .execute()
  }
}

/** The stored spelling of each of `names` that is a resource name (matched case-insensitively). */
export async function resolveResourceNames(db: Db, names: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (names.length === 0) return out
  const rows = await db.selectFrom('resource_names').select(['name', 'name_key']).where('name_key', 'in', names.map(nameKey)).execute()
  const byKey = new Map(rows.map((r) => [r.name_key, r.name]))
  for (const n of names) {
    const stored = byKey.get(nameKey(n))
    if (stored) out.set(n, stored)
  }
  return out
}

/** Every resource name, ordered. */
export async function listResourceNames(db: Db): Promise<string[]> {
  return (await db.selectFrom('resource_names').select('name').orderBy('name').execute()).map((r) => r.name)
}

export function toServer(r: ServerRow): Server {
  return {
    id: r.id,
    name: r.name,
    ip: r.ip,
    ...(r.group_id ? { serverGroupId: r.group_id } : {}),
    roles: JSON.parse(r.roles) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }
}

export async function toServerGroups(db: Db, rows: readonly ServerGroupRow[]): Promise<ServerGroup[]> {
  const ids = rows.map((r) => r.id)
  const members = ids.length ? await db.selectFrom('servers').select(['id', 'group_id']).where('group_id', 'in', ids).orderBy('name').orderBy('id').execute() : []
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    serverIds: members.filter((m) => m.group_id === r.id).map((m) => m.id),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }))
}

/**
 * Where a placement's ids are used: plans (live) and subscriptions (not deleted) naming the
 * server or group. Answers a short description of the first use found, or undefined.
 */
export async function placementInUse(db: Db, column: keyof PlacementColumns | 'any-server', id: string): Promise<string | undefined> {
  for (const table of ['plans', 'subscriptions'] as const) {
    let q = db.selectFrom(table).select('id')
    if (column === 'any-server') {
      q = q.where((eb) => eb.or(ROLE_COLUMNS.map(([, c]) => eb(c, '=', id))))
    } else q = q.where(column, '=', id)
    q = table === 'plans' ? q.where('tombstone', '=', 0) : q.where('status', '<>', 'deleted')
    const hit = await q.limit(1).executeTakeFirst()
    if (hit) return `${table === 'plans' ? 'plan' : 'subscription'} ${hit.id}`
  }
  return undefined
}

/** A plan row's values before it is stored (every column but its generated id). */
export type NewPlan = Omit<PlanRow, 'id'>

/** The columns of a plan row to change (every column but its id may be given). */
export type PlanPatch = Partial<NewPlan>

/** Stores a new plan and answers its id; a taken name raises the database's unique violation. */
export async function insertPlan(db: Db, values: NewPlan): Promise<number> {
  const { id } = await db.insertInto('plans').values(values).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Sets the given columns of plan `id`; a taken name raises the database's unique violation. */
export async function updatePlan(db: Db, id: number, patch: PlanPatch): Promise<void> {
  await db.updateTable('plans').set(patch).where('id', '=', id).execute()
}

/**
 * Deletes (tombstones) live plan `id` when no live subscription names it: one conditional
 * UPDATE on its `subscriptions_count`, which bumps its version. Answers false, having changed
 * nothing, when the plan is gone or has live subscriptions.
 */
export async function tombstonePlan(db: Db, id: number, now: string): Promise<boolean> {
  const r = await db
    .updateTable('plans')
    .set((eb) => ({ tombstone: eb.ref('id'), updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('tombstone', '=', 0)
    .where('subscriptions_count', '=', 0)
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/**
 * Lists one page of `orgId`'s live plans, by name then id (ascending, or both descending), with the number of them all (counted
 * first, by its own statement).
 */
export async function listLivePlans(db: Db, orgId: string, page: { limit: number; offset: number; order?: 'asc' | 'desc' }): Promise<{ rows: PlanRow[]; total: number }> {
  const live = db.selectFrom('plans').where('org_id', '=', orgId).where('tombstone', '=', 0)
  const total = Number((await live.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const order = page.order ?? 'asc'
  const rows = await live.selectAll().orderBy('name', order).orderBy('id', order).limit(page.limit).offset(page.offset).execute()
  return { rows, total }
}

/** Counts one more live subscription of plan `id`; false (nothing changed) when the plan is not live. */
export async function countPlanSubscription(db: Db, id: number): Promise<boolean> {
  const r = await db
    .updateTable('plans')
    .set((eb) => ({ subscriptions_count: eb('subscriptions_count', '+', 1) }))
    .where('id', '=', id)
    .where('tombstone', '=', 0)
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Counts one live subscription of plan `id` fewer (deleted plans too). */
export async function uncountPlanSubscription(db: Db, id: number): Promise<void> {
  await db.updateTable('plans').set((eb) => ({ subscriptions_count: eb('subscriptions_count', '-', 1) })).where('id', '=', id).execute()
}

/** Stores a new resource name; a taken one raises the database's unique violation. */
export async function insertResourceName(db: Db, name: string, now: string): Promise<void> {
  await db.insertInto('resource_names').values({ name, name_key: nameKey(name), created_at: now }).execute()
}

/** Finds the stored spelling of resource name `name` (matched case-insensitively). */
export async function findResourceName(db: Db, name: string): Promise<string | undefined> {
  return (await db.selectFrom('resource_names').select('name').where('name_key', '=', nameKey(name)).executeTakeFirst())?.name
}

/** Removes resource name `name` (as stored). */
export async function deleteResourceName(db: Db, name: string): Promise<void> {
  await db.deleteFrom('resource_names').where('name', '=', name).execute()
}

/** Finds the id of a plan (live or not) with resource `name`. */
export async function findPlanWithResource(db: Db, name: string): Promise<number | undefined> {
  return (await db.selectFrom('plan_resources').select('plan_id').where('name', '=', name).limit(1).executeTakeFirst())?.plan_id
}

/** Finds the id of a subscription (deleted ones too) with resource `name`. */
export async function findSubscriptionWithResource(db: Db, name: string): Promise<number | undefined> {
  return (await db.selectFrom('subscription_resources').select('subscription_id').where('name', '=', name).limit(1).executeTakeFirst())?.subscription_id
}

/** The servers `ids` name that exist, as a placement answers them, by id. */
export async function serverRefs(db: Db, ids: readonly string[]): Promise<Map<string, ServerRef>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('servers').select(['id', 'name', 'ip']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, ip: r.ip }]))
}

/** The server groups `ids` name that exist, with their number of servers, by id. */
export async function serverGroupRefs(db: Db, ids: readonly string[]): Promise<Map<string, ServerGroupRef>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('server_groups as g')
    .leftJoin('servers as s', 's.group_id', 'g.id')
    .select(['g.id', 'g.name', 'g.created_at'])
    .select((eb) => eb.fn.count<number>('s.id').as('n'))
    .where('g.id', 'in', [...new Set(ids)])
    .groupBy(['g.id', 'g.name', 'g.created_at'])
    .execute()
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, serverCount: Number(r.n), createdAt: r.created_at }]))
}

/** A placement's servers by role, from the refs loaded by `serverRefs`. */
export function serversOf(p: Placement, refs: ReadonlyMap<string, ServerRef>): ServerRefs {
  const out: ServerRefs = {}
  for (const [field, id] of Object.entries(p.dedicatedServers ?? {})) {
    const ref = typeof id === 'string' ? refs.get(id) : undefined
    if (ref) out[field.replace(/ServerId$/, '') as ServerRole] = ref
  }
  return out
}

/** True when server group `id` exists. */
export async function serverGroupExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('server_groups').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

/** The roles of each of the servers `ids` that exists, by server id. */
export async function serverRoles(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom('servers').select(['id', 'roles']).where('id', 'in', ids).execute()
  return new Map(rows.map((r) => [r.id, JSON.parse(r.roles) as string[]]))
}
