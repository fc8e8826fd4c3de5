/**
 * Servers and server groups (native REST; the master organisation manages them, everyone
 * authenticated reads them):
 *
 *   GET/POST /servers, GET/PATCH/DELETE /servers/{server_id}
 *   GET/POST /server-groups, GET/PATCH/DELETE /server-groups/{group_id}
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import {
  createServer,
  createServerGroup,
  deleteServer,
  deleteServerGroup,
  getServer,
  getServerGroup,
  listServerGroups,
  listServers,
  updateServer,
  updateServerGroup,
  SERVER_ROLES,
} from '../../ops/servers/servers.js'
import { ctxOf, etag, ifMatchVersion } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'

const ServerWire = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    ip: Type.String({ description: "Its IPv4 or IPv6 address, '' when not given" }),
    serverGroupId: Type.Optional(Type.String()),
    roles: Type.Array(Type.Enum(SERVER_ROLES)),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'Server' },
)
const ServerGroupWire = Type.Object(
  { id: Type.String(), name: Type.String(), serverIds: Type.Array(Type.String()), createdAt: Type.String(), updatedAt: Type.String(), version: Type.Integer() },
  { $id: 'ServerGroup' },
)
const ServerParams = Type.Object({ server_id: Type.String({ maxLength: 64 }) })
const GroupParams = Type.Object({ group_id: Type.String({ maxLength: 64 }) })

export function serversRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(ServerWire)
  app.addSchema(ServerGroupWire)
  const listing = (ref: string) => Type.Object({ items: Type.Array(Type.Ref(ref)), total: Type.Integer() })

  r.get('/servers', { schema: { tags: ['servers'], summary: 'List servers', response: { 200: listing('Server'), ...errorResponses(401) } } }, async (req) =>
    listServers(ctxOf(deps, req), {}),
  )
  r.post(
    '/servers',
    {
      schema: {
        tags: ['servers'],
        summary: 'Add a server (master organisation); roles default to all four',
        body: createServer.input,
        response: { 201: Type.Ref('Server'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const s = await createServer(ctxOf(deps, req), req.body)
      reply.code(201).header('location', `/servers/${s.id}`).header('etag', etag(s.version))
      return s
    },
  )
  r.get('/servers/:server_id', { schema: { tags: ['servers'], summary: 'Get a server', params: ServerParams, response: { 200: Type.Ref('Server'), ...errorResponses(401, 404) } } }, async (req, reply) => {
    const s = await getServer(ctxOf(deps, req), { id: req.params.server_id })
    reply.header('etag', etag(s.version))
    return s
  })
  r.patch(
    '/servers/:server_id',
    {
      schema: {
        tags: ['servers'],
        summary: 'Change a server (master organisation)',
        params: ServerParams,
        body: Type.Omit(updateServer.input, ['id', 'expectedVersion'], STRICT),
        response: { 200: Type.Ref('Server'), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const s = await updateServer(ctxOf(deps, req), { ...req.body, id: req.params.server_id, expectedVersion: ifMatchVersion(req) })
      reply.header('etag', etag(s.version))
      return s
    },
  )
  r.delete(
    '/servers/:server_id',
    {
      schema: {
        tags: ['servers'],
        summary: 'Remove a server no live plan or subscription names (master organisation)',
        params: ServerParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteServer(ctxOf(deps, req), { id: req.params.server_id, expectedVersion: ifMatchVersion(req) })
      reply.code(204)
    },
  )

  r.get('/server-groups', { schema: { tags: ['servers'], summary: 'List server groups', response: { 200: listing('ServerGroup'), ...errorResponses(401) } } }, async (req) =>
    listServerGroups(ctxOf(deps, req), {}),
  )
  r.post(
    '/server-groups',
    {
      schema: {
        tags: ['servers'],
        summary: 'Add a server group (master organisation)',
        body: createServerGroup.input,
        response: { 201: Type.Ref('ServerGroup'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const g = await createServerGroup(ctxOf(deps, req), req.body)
      reply.code(201).header('location', `/server-groups/${g.id}`).header('etag', etag(g.version))
      return g
    },
  )
  r.get(
    '/server-groups/:group_id',
    { schema: { tags: ['servers'], summary: 'Get a server group', params: GroupParams, response: { 200: Type.Ref('ServerGroup'), ...errorResponses(401, 404) } } },
    async (req, reply) => {
      const g = await getServerGroup(ctxOf(deps, req), { id: req.params.group_id })
      reply.header('etag', etag(g.version))
      return g
    },
  )
  r.patch(
    '/server-groups/:group_id',
    {
      schema: {
        tags: ['servers'],
        summary: 'Rename a server group (master organisation)',
        params: GroupParams,
        body: Type.Omit(updateServerGroup.input, ['id', 'expectedVersion'], STRICT),
        response: { 200: Type.Ref('ServerGroup'), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const g = await updateServerGroup(ctxOf(deps, req), { ...req.body, id: req.params.group_id, expectedVersion: ifMatchVersion(req) })
      reply.header('etag', etag(g.version))
      return g
    },
  )
  r.delete(
    '/server-groups/:group_id',
    {
      schema: {
        tags: ['servers'],
        summary: 'Remove a server group no live plan or subscription names (master organisation)',
        params: GroupParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteServerGroup(ctxOf(deps, req), { id: req.params.group_id, expectedVersion: ifMatchVersion(req) })
      reply.code(204)
    },
  )
}
