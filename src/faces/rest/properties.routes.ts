/**
 * Seed 004's customer and user extras on the native REST face:
 *
 *   GET   /orgs/{org_id}/customer-properties                     a customer's properties
 *   PATCH /orgs/{org_id}/customer-properties                     merge (`''` removes a name)
 *   GET   /orgs/{org_id}/members/{member_id}/additional-properties   a user's additional (AD) properties
 *   PATCH /orgs/{org_id}/members/{member_id}/additional-properties   merge
 *   POST  /orgs/{org_id}/provisioning                            {status: Provisioned|NotProvisioned}
 *   GET   /orgs/{org_id}/services/{service}/resource-configuration
 *   PATCH /orgs/{org_id}/services/{service}/resource-configuration   merge
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf, etag } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { OrgWire, orgToWire } from './wire.js'
import { getOrg } from '../../ops/orgs/get-org.js'
import { updateOrg } from '../../ops/orgs/update-org.js'
import { getUser } from '../../ops/users/get-user.js'
import { updateUser } from '../../ops/users/update-user.js'
import { setCustomerProvisioning } from '../../ops/orgs/set-customer-provisioning.js'
import { getResourceConfiguration } from '../../ops/services/get-resource-configuration.js'
import { setResourceConfiguration } from '../../ops/services/set-resource-configuration.js'
import { CatalogName } from '../../ops/catalog/schema.js'

const Id = Type.String({ maxLength: 64 })
const PropertyMapWire = Type.Record(Type.String(), Type.String())
const Properties = Type.Object({ properties: PropertyMapWire })
const PropertiesBody = Type.Object(
  {
    properties: Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 4000 }), {
      maxProperties: 200,
      description: 'Names to set; a value of `""` removes the name; names not given are kept. At most 100 names of 1-64 characters [A-Za-z0-9_.-], values up to 1000 characters',
    }),
  },
  STRICT,
)
const MERGE = "Merges as seed 004's SET does: names given get their value, `\"\"` removes a name, the rest are kept. A refused name answers 400 with `field` `property.<name>`."

export function propertiesRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/orgs/:org_id/customer-properties',
    {
      schema: {
        tags: ['orgs'],
        summary: "A customer's properties (seed 004's `<customerproperties/>`)",
        params: Type.Object({ org_id: Id }),
        response: { 200: Properties, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const o = await getOrg(ctxOf(deps, req), { orgId: req.params.org_id, withProperties: true })
      return { properties: o.customerProperties ?? {} }
    },
  )

  r.patch(
    '/orgs/:org_id/customer-properties',
    {
      schema: {
        tags: ['orgs'],
        summary: "Change a customer's properties",
        description: MERGE + ' Needs org.write.',
        params: Type.Object({ org_id: Id }),
        body: PropertiesBody,
        response: { 200: Properties, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const o = await updateOrg(ctxOf(deps, req), { orgId: req.params.org_id, customerProperties: req.body.properties })
      reply.header('etag', etag(o.version))
      return { properties: o.customerProperties ?? {} }
    },
  )

  r.get(
    '/orgs/:org_id/members/:member_id/additional-properties',
    {
      schema: {
        tags: ['members'],
        summary: "A user's additional (Active Directory) properties (seed 004's `<additionalproperties/>`)",
        params: Type.Object({ org_id: Id, member_id: Id }),
        response: { 200: Properties, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const u = await getUser(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, withProperties: true })
      return { properties: u.additionalProperties ?? {} }
    },
  )

  r.patch(
    '/orgs/:org_id/members/:member_id/additional-properties',
    {
      schema: {
        tags: ['members'],
        summary: "Change a user's additional properties",
        description: MERGE + ' Needs member.write.',
        params: Type.Object({ org_id: Id, member_id: Id }),
        body: PropertiesBody,
        response: { 200: Properties, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const u = await updateUser(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, additionalProperties: req.body.properties })
      reply.header('etag', etag(u.version))
      return { properties: u.additionalProperties ?? {} }
    },
  )

  r.post(
    '/orgs/:org_id/provisioning',
    {
      schema: {
        tags: ['orgs'],
        summary: "Set a customer's provisioning status (seed 004's `<customer><status>`)",
        description:
          '`NotProvisioned` deprovisions every service the customer and its users hold, as jobs of one request (202, `X-Job-Guid`, `Location: /jobs/{guid}`); the customer is NotProvisioned at once and each service shows its own progress. ' +
          '`Provisioned` marks it Provisioned again and provisions nothing (200). Any other status answers 400 with `field` `status`; 409 while a service of the customer has a request under way. Only its provider may.',
        params: Type.Object({ org_id: Id }),
        body: Type.Object({ status: Type.String({ maxLength: 64, description: 'Provisioned or NotProvisioned (any case)' }) }, STRICT),
        response: {
          200: Type.Object({ org: OrgWire, jobGuids: Type.Array(Type.String()) }),
          202: Type.Object({ org: OrgWire, jobGuids: Type.Array(Type.String()) }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const out = await setCustomerProvisioning(ctxOf(deps, req), { orgId: req.params.org_id, status: req.body.status })
      reply.header('etag', etag(out.org.version))
      if (out.jobGuids.length > 0) reply.code(202).header('location', `/jobs/${out.requestGuid}`)
      return { org: orgToWire(out.org), jobGuids: out.jobGuids }
    },
  )

  const ServiceParams = Type.Object({ org_id: Id, service: CatalogName })

  r.get(
    '/orgs/:org_id/services/:service/resource-configuration',
    {
      schema: {
        tags: ['services'],
        summary: "The resource configuration of a customer's service (seed 004's `<resourceconfiguration/>`)",
        params: ServiceParams,
        response: { 200: Properties, ...errorResponses(401, 404) },
      },
    },
    async (req) => ({ properties: await getResourceConfiguration(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service }) }),
  )

  r.patch(
    '/orgs/:org_id/services/:service/resource-configuration',
    {
      schema: {
        tags: ['services'],
        summary: "Change the resource configuration of a customer's service",
        description: MERGE + ' Needs org.write; 404 when the customer does not hold the service.',
        params: ServiceParams,
        body: PropertiesBody,
        response: { 200: Properties, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({
      properties: await setResourceConfiguration(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, values: req.body.properties }),
    }),
  )
}
