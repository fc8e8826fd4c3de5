/**
 * A customer's whole root object on the native REST face (seed 000's `customer.getObject`,
 * `getYAML`, `getXML`, `getXMLSchema`):
 *
 *   GET /orgs/{org_id}/export[?format=json|yaml|xml]   application/json (default), application/yaml, application/xml
 *   GET /schemas/customer.xsd                          the XML Schema of the XML export (public)
 *
 * Any role that may read the organisation may export it; another customer's organisation, or a
 * deleted one, is 404. The XSD is public, like `/openapi.json`: it describes shapes, not data.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { exportOrg } from '../../ops/orgs/export-org.js'
import { ROLES } from '../../core/roles.js'
import { PROVISIONING_COLOURS, PROVISIONING_STATUSES } from '../../core/provisioning.js'
import { ROOT_OBJECT_NAMESPACE, ROOT_OBJECT_XSD, rootObjectJson, rootObjectXml, rootObjectYaml } from '../root-object/index.js'

const Id = Type.String({ maxLength: 64 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description?: string) =>
  Type.Union([t, Type.Null()], description ? { description } : {})
const Time = Type.String({ format: 'date-time' })
const UserLimit = Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('Unlimited')], { description: 'A number of users, or `Unlimited`' })
const Property = Type.Object({ name: Type.String(), value: Type.String() })
const CapacityEntry = Type.Object({ amount: Type.Integer(), capacityunittype: Type.String({ description: 'The unit type code' }), name: Type.String(), description: Type.String() })

/** The root object's JSON shape (the `RootObject` of ops/orgs/export-org.ts). */
export const RootObjectWire = Type.Object(
  {
    guid: Type.String({ format: 'uuid', description: "The organisation's id" }),
    code: Type.String(),
    name: Type.String(),
    description: Type.String(),
    address: Type.String(),
    city: Type.String(),
    country: Type.String(),
    status: Type.Enum(['active', 'configured', 'suspended', 'disabled'] as const, { description: 'The core lifecycle status' }),
    contactName: Type.String(),
    contactEmail: Type.String(),
    primaryDomain: Type.String(),
    billingId: Type.String(),
    externalId: Type.String(),
    locale: Type.String(),
    isReseller: Type.Boolean(),
    retentionPolicyGuid: Nullable(Type.String(), 'The retention policy applied to the organisation, or null'),
    createdAt: Time,
    updatedAt: Time,
    version: Type.Integer(),
    users: Type.Array(
      Type.Object({
        id: Type.String(),
        username: Type.String(),
        email: Type.String(),
        firstName: Type.String(),
        lastName: Type.String(),
        role: Type.Enum(ROLES),
        enabled: Type.Boolean(),
        createdAt: Time,
      }),
      { description: 'Its users, by username; never a password, hash or key' },
    ),
    groups: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        description: Type.String(),
        createdAt: Time,
        memberIds: Type.Array(Type.String(), { description: "Members' user ids, by username" }),
      }),
    ),
    capacity: Type.Object({ available: Type.Array(CapacityEntry), consumed: Type.Array(CapacityEntry) }),
    domains: Type.Array(
      Type.Object({ name: Type.String({ description: 'ASCII (punycode)' }), unicodeName: Type.String(), registrar: Type.String(), createdAt: Time }),
      { description: 'Registered domains only' },
    ),
    services: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String({ description: "The catalogue service's short name" }),
        fullname: Type.String(),
        version: Type.String({ description: "The catalogue service's version" }),
        location: Nullable(Type.String()),
        status: Type.Enum(PROVISIONING_STATUSES),
        statusLabel: Type.String(),
        statusColour: Type.Enum(PROVISIONING_COLOURS),
        desiredStatus: Type.Enum(['Provisioned', 'NotProvisioned'] as const),
        error: Nullable(Type.String()),
        requestGuid: Nullable(Type.String()),
        userLimit: UserLimit,
        usersCount: Type.Integer(),
        isBilled: Type.Boolean(),
        approvalPending: Type.Boolean(),
        multipleUserPlans: Type.Boolean(),
        packages: Type.Array(Type.Object({ name: Type.String(), fullname: Type.String(), enabled: Type.Boolean() })),
        userPlans: Type.Array(
          Type.Object({ name: Type.String(), fullname: Type.String(), userLimit: UserLimit, usersCount: Type.Integer(), used: Type.Boolean(), enabled: Type.Boolean() }),
        ),
        properties: Type.Array(Type.Object({ name: Type.String(), value: Type.String(), hidden: Type.Boolean() }), { description: 'Hidden properties are never exported' }),
        instances: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), properties: Type.Array(Property) })),
        objectVersion: Type.Integer(),
        createdAt: Time,
        updatedAt: Time,
        provisionedAt: Nullable(Time),
      }),
      { description: 'The services it holds or held, as GET /orgs/{org_id}/services shows them' },
    ),
    cloudAccounts: Type.Array(
      Type.Object({ id: Type.String(), name: Type.String(), providerId: Type.String(), providerName: Type.String(), servers: Type.Integer(), createdAt: Time }),
    ),
    subscriptions: Type.Array(
      Type.Object({
        id: Type.Integer(),
        planId: Type.Integer(),
        planName: Type.String(),
        planType: Type.Enum(['hosting', 'reseller'] as const),
        vendorId: Type.String(),
        friendlyName: Type.String(),
        status: Type.Enum(['active', 'cancelled'] as const),
        isSuspended: Type.Boolean(),
        resources: Type.Array(Type.Object({ name: Type.String(), total: Nullable(Type.Integer(), 'null: unlimited'), usage: Type.Integer() })),
        createdAt: Time,
        updatedAt: Time,
        version: Type.Integer(),
      }),
      { description: 'The subscriptions it holds (not deleted)' },
    ),
  },
  { $id: 'RootObject', additionalProperties: false },
)

const FORMATS = ['json', 'yaml', 'xml'] as const
type Format = (typeof FORMATS)[number]

const TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  yaml: 'application/yaml; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
}

const XML_TEXT = Type.String({ description: `An XML document valid against GET /schemas/customer.xsd (namespace ${ROOT_OBJECT_NAMESPACE})` })

export function exportRoutes(app: FastifyInstance, deps: Deps): void {
  app.addSchema(RootObjectWire)
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/orgs/:org_id/export',
    {
      schema: {
        tags: ['export'],
        summary: "Export a customer's whole root object as JSON, YAML or XML",
        description:
          'The organisation with its users (never a password, hash or key), groups with their members, capacity, registered domains, ' +
          'services, cloud accounts and the subscriptions it holds, read from one consistent view. `format=yaml` answers the same ' +
          'object as YAML; `format=xml` answers XML that validates against `GET /schemas/customer.xsd`. Any role that may read the ' +
          'organisation may export it.',
        params: Type.Object({ org_id: Id }),
        querystring: Type.Object({ format: Type.Optional(Type.Enum(FORMATS, { description: 'json (default), yaml or xml' })) }, STRICT),
        response: {
          200: {
            description: 'The root object',
            content: {
              'application/json': { schema: Type.Ref('RootObject') },
              'application/yaml': { schema: Type.String({ description: 'The same object as YAML 1.2' }) },
              'application/xml': { schema: XML_TEXT },
            },
          },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (req, reply) => {
      const root = await exportOrg(ctxOf(deps, req), { orgId: req.params.org_id })
      const format: Format = req.query.format ?? 'json'
      const text = format === 'xml' ? rootObjectXml(root) : format === 'yaml' ? rootObjectYaml(root) : rootObjectJson(root)
      return reply.type(TYPES[format]).send(text)
    },
  )

  r.get(
    '/schemas/customer.xsd',
    {
      config: { public: true },
      schema: {
        tags: ['export'],
        summary: 'The XML Schema of the XML root object (public)',
        security: [],
        response: { 200: { description: 'An XML Schema (XSD 1.0)', content: { 'application/xml': { schema: Type.String() } } } },
      },
    },
    async (_req, reply) => reply.type('application/xml; charset=utf-8').send(ROOT_OBJECT_XSD),
  )
}
