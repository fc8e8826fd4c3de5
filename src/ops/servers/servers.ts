/**
 * Servers and server groups: data the master organisation manages, which plans and
 * subscriptions name as their default placement. Every authenticated user reads them; only
 * the master organisation's writers (`catalog.write`) change them. A server or group that a
 * live plan or a subscription names is not deleted (`failed_precondition`).
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { actsForMaster, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { SERVER_ROLES } from '../../core/plans.js'
import { normaliseHostAddress } from '../keys/cidr.js'
import type { Db } from '../../store/store.js'
import { mapUnique, nowIso } from '../../store/store.js'
import {
  deleteServerGroupRow,
  deleteServerRow,
  getServerGroupRow,
  getServerRow,
  insertServer,
  insertServerGroup,
  listServerGroupRows,
  listServerRows,
  serverGroupExists,
  ungroupServers,
  updateServerGroupRow,
  updateServerRow,
} from '../../store/servers.repo.js'
import {
  nameKey,
  placementInUse,
  toServer,
  toServerGroups,
  type Server,
  type ServerGroup,
  type ServerGroupRow,
  type ServerRow,
} from '../../store/plans.repo.js'

const STRICT = { additionalProperties: false } as const
export const ServerName = Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S(.*\\S)?$' })
export { SERVER_ROLES } from '../../core/plans.js'
const Roles = Type.Array(Type.Enum(SERVER_ROLES), { maxItems: SERVER_ROLES.length, uniqueItems: true })
/** A server's address: IPv4 or IPv6, '' for none. */
const Ip = Type.String({ maxLength: 64, description: "The server's IPv4 or IPv6 address ('' for none)" })
const ipOf = (ip: string): string => (ip === '' ? '' : normaliseHostAddress(ip, 'ip'))
const Id = Type.String({ maxLength: 64 })
const Version = Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 }))

/** Throws unless the actor may change servers, groups and resource names: a writer of the master organisation. */
export function requireMasterWriter(ctx: Ctx, what: string): void {
  requirePermission(ctx, 'catalog.write')
  if (!actsForMaster(ctx)) throw new DomainError('forbidden', `only the master organisation may change ${what}`)
}

/** Throws `invalid_argument` unless `groupId` names a server group. */
async function requireGroup(db: Db, groupId: string, field: string): Promise<void> {
  if (!(await serverGroupExists(db, groupId))) throw new DomainError('invalid_argument', `no server group ${groupId}`, { field })
}

const dupServer = (name: string) => () => `a server named ${JSON.stringify(name)} already exists`
const dupGroup = (name: string) => () => `a server group named ${JSON.stringify(name)} already exists`

/** Lists every server, by name. */
export const listServers = defineOp({
  name: 'server.list',
  input: Type.Object({}, STRICT),
  async run(ctx): Promise<{ items: Server[]; total: number }> {
    const rows = await listServerRows(ctx.store.db)
    return { items: rows.map(toServer), total: rows.length }
  },
})

/** Answers one server. */
export const getServer = defineOp({
  name: 'server.get',
  input: Type.Object({ id: Id }, STRICT),
  async run(ctx, input): Promise<Server> {
    return toServer(await getServerRow(ctx.store.db, input.id))
  },
})

/** Adds a server (master organisation only); its name is unique case-insensitively. */
export const createServer = defineOp({
  name: 'server.create',
  input: Type.Object({ name: ServerName, serverGroupId: Type.Optional(Id), roles: Type.Optional(Roles), ip: Type.Optional(Ip) }, STRICT),
  async run(ctx, input): Promise<Server> {
    requireMasterWriter(ctx, 'servers')
    return ctx.store.write(async (trx) => {
      if (input.serverGroupId !== undefined) await requireGroup(trx, input.serverGroupId, 'serverGroupId')
      const now = nowIso(ctx.clock)
      const row: ServerRow = {
        id: newId(),
        name: input.name,
        name_key: nameKey(input.name),
        group_id: input.serverGroupId ?? null,
        roles: JSON.stringify(input.roles ?? [...SERVER_ROLES]),
        ip: ipOf(input.ip ?? ''),
        created_at: now,
        updated_at: now,
        version: 1,
      }
      await mapUnique(() => insertServer(trx, row), dupServer(input.name))
      return toServer(row)
    })
  },
})

/** Changes a server's name, group (`null` takes it out of its group) or roles. */
export const updateServer = defineOp({
  name: 'server.update',
  input: Type.Object(
    { id: Id, expectedVersion: Version, name: Type.Optional(ServerName), serverGroupId: Type.Optional(Type.Union([Id, Type.Null()])), roles: Type.Optional(Roles), ip: Type.Optional(Ip) },
    STRICT,
  ),
  async run(ctx, input): Promise<Server> {
    requireMasterWriter(ctx, 'servers')
    return ctx.store.write(async (trx) => {
      const row = await getServerRow(trx, input.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `server was changed since version ${input.expectedVersion}`)
      }
      if (input.serverGroupId != null) await requireGroup(trx, input.serverGroupId, 'serverGroupId')
      const next: ServerRow = {
        ...row,
        ...(input.name !== undefined ? { name: input.name, name_key: nameKey(input.name) } : {}),
        ...(input.serverGroupId !== undefined ? { group_id: input.serverGroupId } : {}),
        ...(input.roles !== undefined ? { roles: JSON.stringify(input.roles) } : {}),
        ...(input.ip !== undefined ? { ip: ipOf(input.ip) } : {}),
        updated_at: nowIso(ctx.clock),
        version: row.version + 1,
      }
      const { id: _id, ...set } = next
      await mapUnique(() => updateServerRow(trx, row.id, set), dupServer(next.name))
      return toServer(next)
    })
  },
})

/** Removes a server that no live plan or subscription names. */
export const deleteServer = defineOp({
  name: 'server.delete',
  input: Type.Object({ id: Id, expectedVersion: Version }, STRICT),
  async run(ctx, input): Promise<void> {
    requireMasterWriter(ctx, 'servers')
    await ctx.store.write(async (trx) => {
      const row = await getServerRow(trx, input.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `server was changed since version ${input.expectedVersion}`)
      }
      const used = await placementInUse(trx, 'any-server', row.id)
      if (used) throw new DomainError('failed_precondition', `server ${row.name} is used by ${used}`)
      await deleteServerRow(trx, row.id)
    })
  },
})

/** Lists every server group with its servers, by name. */
export const listServerGroups = defineOp({
  name: 'server_group.list',
  input: Type.Object({}, STRICT),
  async run(ctx): Promise<{ items: ServerGroup[]; total: number }> {
    const rows = await listServerGroupRows(ctx.store.db)
    return { items: await toServerGroups(ctx.store.db, rows), total: rows.length }
  },
})

/** Answers one server group with its servers. */
export const getServerGroup = defineOp({
  name: 'server_group.get',
  input: Type.Object({ id: Id }, STRICT),
  async run(ctx, input): Promise<ServerGroup> {
    return (await toServerGroups(ctx.store.db, [await getServerGroupRow(ctx.store.db, input.id)]))[0]!
  },
})

/** Adds a server group (master organisation only); its name is unique case-insensitively. */
export const createServerGroup = defineOp({
  name: 'server_group.create',
  input: Type.Object({ name: ServerName }, STRICT),
  async run(ctx, input): Promise<ServerGroup> {
    requireMasterWriter(ctx, 'server groups')
    return ctx.store.write(async (trx) => {
      const now = nowIso(ctx.clock)
      const row: ServerGroupRow = { id: newId(), name: input.name, name_key: nameKey(input.name), created_at: now, updated_at: now, version: 1 }
      await mapUnique(() => insertServerGroup(trx, row), dupGroup(input.name))
      return (await toServerGroups(trx, [row]))[0]!
    })
  },
})

/** Renames a server group. */
export const updateServerGroup = defineOp({
  name: 'server_group.update',
  input: Type.Object({ id: Id, expectedVersion: Version, name: Type.Optional(ServerName) }, STRICT),
  async run(ctx, input): Promise<ServerGroup> {
    requireMasterWriter(ctx, 'server groups')
    return ctx.store.write(async (trx) => {
      const row = await getServerGroupRow(trx, input.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `server group was changed since version ${input.expectedVersion}`)
      }
      const next = { ...row, ...(input.name !== undefined ? { name: input.name, name_key: nameKey(input.name) } : {}), updated_at: nowIso(ctx.clock), version: row.version + 1 }
      const { id: _id, ...set } = next
      await mapUnique(() => updateServerGroupRow(trx, row.id, set), dupGroup(next.name))
      return (await toServerGroups(trx, [next]))[0]!
    })
  },
})

/** Removes a server group that no live plan or subscription names; its servers leave it. */
export const deleteServerGroup = defineOp({
  name: 'server_group.delete',
  input: Type.Object({ id: Id, expectedVersion: Version }, STRICT),
  async run(ctx, input): Promise<void> {
    requireMasterWriter(ctx, 'server groups')
    await ctx.store.write(async (trx) => {
      const row = await getServerGroupRow(trx, input.id)
      if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
        throw new DomainError('version_mismatch', `server group was changed since version ${input.expectedVersion}`)
      }
      const used = await placementInUse(trx, 'server_group_id', row.id)
      if (used) throw new DomainError('failed_precondition', `server group ${row.name} is used by ${used}`)
      await ungroupServers(trx, row.id)
      await deleteServerGroupRow(trx, row.id)
    })
  },
})
