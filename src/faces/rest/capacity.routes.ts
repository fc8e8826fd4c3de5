/**
 * Capacity on the native REST face (seed 000's capacity units):
 *
 *   GET    /capacity-unit-types                  everyone
 *   POST   /capacity-unit-types                  master organisation, catalogue writers
 *   DELETE /capacity-unit-types/{code}           (refused while entries use it)
 *   GET    /orgs/{org_id}/capacity               {customerguid, capacityavailable, capacityconsumed}
 *   POST   /orgs/{org_id}/capacity/{kind}        kind: available | consumed
 *   DELETE /orgs/{org_id}/capacity/{kind}/{type} removes every entry of that type
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { createCapacityUnitType, deleteCapacityUnitType, listCapacityUnitTypes } from '../../ops/capacity/unit-types.js'
import { addCapacity, listCapacity, removeCapacity } from '../../ops/capacity/capacity.js'
import { CapacityKind, UnitTypeCode } from '../../ops/capacity/schema.js'

const Id = Type.String({ maxLength: 64 })
const UnitTypeWire = Type.Object({ code: Type.String(), description: Type.String() })
const EntryWire = Type.Object({
  amount: Type.Integer(),
  capacityunittype: Type.String({ description: 'The unit type code' }),
  name: Type.String(),
  description: Type.String(),
})
const CapacityWire = Type.Object({
  customerguid: Type.String({ description: 'The organisation id' }),
  capacityavailable: Type.Array(EntryWire),
  capacityconsumed: Type.Array(EntryWire),
})

export function capacityRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/capacity-unit-types',
    { schema: { tags: ['capacity'], summary: 'List the capacity unit types', response: { 200: Type.Object({ items: Type.Array(UnitTypeWire), total: Type.Integer() }), ...errorResponses(401) } } },
    async (req) => {
      const items = await listCapacityUnitTypes(ctxOf(deps, req), {})
      return { items, total: items.length }
    },
  )

  r.post(
    '/capacity-unit-types',
    {
      schema: {
        tags: ['capacity'],
        summary: 'Add a capacity unit type (master organisation; codes are kept upper case)',
        body: createCapacityUnitType.input,
        response: { 201: UnitTypeWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const t = await createCapacityUnitType(ctxOf(deps, req), req.body)
      reply.code(201).header('location', `/capacity-unit-types/${t.code}`)
      return t
    },
  )

  r.delete(
    '/capacity-unit-types/:code',
    {
      schema: {
        tags: ['capacity'],
        summary: 'Remove a capacity unit type no entry uses',
        params: Type.Object({ code: UnitTypeCode }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await deleteCapacityUnitType(ctxOf(deps, req), { code: req.params.code })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/capacity',
    { schema: { tags: ['capacity'], summary: "An organisation's available and consumed capacity", params: Type.Object({ org_id: Id }), response: { 200: CapacityWire, ...errorResponses(401, 404) } } },
    async (req) => listCapacity(ctxOf(deps, req), { orgId: req.params.org_id }),
  )

  r.post(
    '/orgs/:org_id/capacity/:kind',
    {
      schema: {
        tags: ['capacity'],
        summary: 'Add an entry of available or consumed capacity',
        description: 'An unknown unit type is refused with 400.',
        params: Type.Object({ org_id: Id, kind: CapacityKind }),
        body: Type.Omit(addCapacity.input, ['orgId', 'kind'], STRICT),
        response: { 201: EntryWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const e = await addCapacity(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, kind: req.params.kind })
      reply.code(201)
      return e
    },
  )

  r.delete(
    '/orgs/:org_id/capacity/:kind/:type',
    {
      schema: {
        tags: ['capacity'],
        summary: 'Remove every entry of one unit type from available or consumed capacity',
        params: Type.Object({ org_id: Id, kind: CapacityKind, type: UnitTypeCode }),
        response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => removeCapacity(ctxOf(deps, req), { orgId: req.params.org_id, kind: req.params.kind, capacityunittype: req.params.type }),
  )
}
