/**
 * Native REST routes for IP address pools (`/ip-pools`, master organisation's catalogue
 * writers) and customers' addresses (`/orgs/{org_id}/ip-addresses`). camelCase JSON; the wire
 * shapes are the core's `IpPool` and `IpAddressDetails`.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Deps } from '../../ops/context.js'
import type { IpAddressDetails, IpPool } from '../../core/network.js'
import { createPool } from '../../ops/network/create-pool.js'
import { listPools } from '../../ops/network/list-pools.js'
import { getPool } from '../../ops/network/get-pool.js'
import { updatePool } from '../../ops/network/update-pool.js'
import { deletePool } from '../../ops/network/delete-pool.js'
import { addAddress } from '../../ops/network/add-address.js'
import { freeAddress } from '../../ops/network/free-address.js'
import { listAddresses } from '../../ops/network/list-addresses.js'
import { ctxOf } from '../http.js'
import { OrgIdParams, Uuid } from './wire.js'
import { errorResponses, STRICT } from './openapi.js'

const Time = Type.String({ format: 'date-time' })
const Family = Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')])
const Netmask = Type.String({ description: 'IPv4: the dotted mask (`255.255.255.0`); IPv6: the prefix length as text (`64`)' })

export const IpPoolWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  family: Family,
  cidr: Type.String({ description: 'The range in CIDR notation' }),
  prefixLength: Type.Integer(),
  netmask: Netmask,
  gateway: Type.String({ description: 'Never given to a customer' }),
  location: Type.Union([Type.String(), Type.Null()], { description: "The catalogue location's name" }),
  allocated: Type.Integer({ description: 'Addresses customers hold from the pool' }),
  capacity: Type.String({ description: 'Addresses the pool can give (network, broadcast and gateway excluded), decimal' }),
  createdAt: Time,
  updatedAt: Time,
})

export const IpAddressWire = Type.Object({
  address: Type.String(),
  netmask: Netmask,
  prefixLength: Type.Integer(),
  gateway: Type.String(),
  pool: Type.String({ description: "The pool's name" }),
  family: Family,
  since: Time,
})

const poolToWire = (p: IpPool): Static<typeof IpPoolWire> => ({ ...p })
const addressToWire = (a: IpAddressDetails): Static<typeof IpAddressWire> => ({ ...a })
const listing = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), total: Type.Integer() })
const PoolParams = Type.Object({ id: Type.String({ maxLength: 200, description: "The pool's id (or its name)" }) })
const AddressParams = Type.Object({ org_id: Type.String({ maxLength: 64 }), address: Type.String({ maxLength: 64 }) })

export function networkRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const WRITERS = 'Master organisation only, with a role that may change the catalogue (superadmin, owner, admin).'
  const ALLOC =
    'A parent organisation (a reseller, for its subtree) gives and frees its customers\' addresses; a customer reads its own. ' +
    'An organisation outside the caller\'s subtree is 404.'

  r.post(
    '/ip-pools',
    {
      schema: {
        tags: ['network'],
        summary: 'Define an IP address pool (IPv4 /16–/30 or IPv6 /48–/126; overlapping pools are refused with 409)',
        description: WRITERS,
        body: createPool.input,
        response: { 201: IpPoolWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = await createPool(ctxOf(deps, req), req.body)
      reply.code(201).header('location', `/ip-pools/${p.id}`)
      return poolToWire(p)
    },
  )

  r.get(
    '/ip-pools',
    {
      schema: { tags: ['network'], summary: 'List the IP address pools', response: { 200: listing(IpPoolWire), ...errorResponses(401) } },
    },
    async (req) => {
      const items = (await listPools(ctxOf(deps, req), {})).map(poolToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/ip-pools/:id',
    {
      schema: { tags: ['network'], summary: 'Get an IP address pool', params: PoolParams, response: { 200: IpPoolWire, ...errorResponses(401, 404) } },
    },
    async (req) => poolToWire(await getPool(ctxOf(deps, req), { pool: req.params.id })),
  )

  r.patch(
    '/ip-pools/:id',
    {
      schema: {
        tags: ['network'],
        summary: "Change a pool's name, gateway or location (`null` removes it); the range never changes",
        description: WRITERS,
        params: PoolParams,
        body: Type.Omit(updatePool.input, ['pool'], STRICT),
        response: { 200: IpPoolWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => poolToWire(await updatePool(ctxOf(deps, req), { ...req.body, pool: req.params.id })),
  )

  r.delete(
    '/ip-pools/:id',
    {
      schema: {
        tags: ['network'],
        summary: 'Remove a pool (409 failed_precondition while customers hold addresses from it)',
        description: WRITERS,
        params: PoolParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await deletePool(ctxOf(deps, req), { pool: req.params.id })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/ip-addresses',
    {
      schema: {
        tags: ['network'],
        summary: "List a customer's IP addresses",
        description: ALLOC,
        params: OrgIdParams,
        response: { 200: listing(IpAddressWire), ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => {
      const items = (await listAddresses(ctxOf(deps, req), { orgId: req.params.org_id })).map(addressToWire)
      return { items, total: items.length }
    },
  )

  r.post(
    '/orgs/:org_id/ip-addresses',
    {
      schema: {
        tags: ['network'],
        summary: 'Give a customer an IP address: the one asked for, or the lowest free one of the pool (or of the first pool with one free)',
        description: `${ALLOC} A full pool is 409 (failed_precondition); an address already held is 409 (already_exists); the network, broadcast and gateway addresses are never given (400).`,
        params: OrgIdParams,
        body: Type.Omit(addAddress.input, ['orgId'], STRICT),
        response: { 201: IpAddressWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const a = await addAddress(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${req.params.org_id}/ip-addresses/${encodeURIComponent(a.address)}`)
      return addressToWire(a)
    },
  )

  r.delete(
    '/orgs/:org_id/ip-addresses/:address',
    {
      schema: {
        tags: ['network'],
        summary: 'Free an IP address a customer holds',
        description: ALLOC,
        params: AddressParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await freeAddress(ctxOf(deps, req), { orgId: req.params.org_id, address: req.params.address })
      reply.code(204)
    },
  )
}
