/**
 * Customer services and user services on the native REST face:
 *
 *   GET    /orgs/{org_id}/services[?all=true&filter=all]
 *   GET    /orgs/{org_id}/services/{service}[?filter=all]
 *   PUT    /orgs/{org_id}/services/{service}            provision, or change settings (202)
 *   DELETE /orgs/{org_id}/services/{service}            deprovision (202, or 200 when already NotProvisioned)
 *   GET    /orgs/{org_id}/services/{service}/instances
 *   GET    /orgs/{org_id}/members/{member_id}/services[?all=true]
 *   GET    /orgs/{org_id}/members/{member_id}/services/{service}
 *   PUT    /orgs/{org_id}/members/{member_id}/services/{service}   (202)
 *   DELETE /orgs/{org_id}/members/{member_id}/services/{service}   (202, or 200)
 *   GET    /provisioning-statuses
 *
 * A 202 carries the service as it now stands (`Requested`), `X-Job-Guid` and `Location:
 * /jobs/{guid}` of the request; the job's progress shows in the service's `status`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf, etag, ifMatchVersion } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { CatalogName, PropertyFilter } from '../../ops/catalog/schema.js'
import { PROVISIONING_COLOURS, PROVISIONING_STATUSES, provisioningInfo } from '../../core/provisioning.js'
import { provisionCustomerService } from '../../ops/services/provision-customer-service.js'
import { deprovisionCustomerService } from '../../ops/services/deprovision-customer-service.js'
import { getCustomerService, listCustomerServices } from '../../ops/services/get-customer-services.js'
import { provisionUserService } from '../../ops/services/provision-user-service.js'
import { deprovisionUserService } from '../../ops/services/deprovision-user-service.js'
import { getUserService, listUserServices } from '../../ops/services/get-user-services.js'
import type { CustomerServiceView, UserServiceView } from '../../ops/services/view.js'

const Id = Type.String({ maxLength: 64 })
const UserLimitWire = Type.Union([Type.Integer(), Type.Literal('Unlimited')], { description: 'A number of users, or `Unlimited`' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const StatusFields = {
  status: Type.Union(
    PROVISIONING_STATUSES.map((s) => Type.Literal(s)),
    { description: 'Provisioning status (seed 004): NotProvisioned → Requested → InProgress → Provisioned | Failed; Pending while a retry waits' },
  ),
  statusLabel: Type.String({ description: "The status as seed 004's UI names it" }),
  statusColour: Type.Union(
    PROVISIONING_COLOURS.map((c) => Type.Literal(c)),
    { description: "The status's colour in seed 004's UI" },
  ),
  desiredStatus: Type.Union([Type.Literal('Provisioned'), Type.Literal('NotProvisioned')], { description: 'Where the latest request takes it' }),
  error: Nullable(Type.String({ description: 'Why the last request failed (while Failed)' })),
  requestGuid: Nullable(Type.String({ description: 'The latest request that changed it: GET /jobs/{requestGuid}' })),
  approvalPending: Type.Boolean({ description: 'True while that request waits for approval (status Pending; see GET /orgs/{org_id}/approvals)' }),
}

const CustomerServiceWire = Type.Object(
  {
    id: Nullable(Type.String()),
    orgId: Type.String(),
    service: Type.String({ description: "The catalogue service's short name" }),
    fullname: Type.String(),
    version: Type.String({ description: "The catalogue service's version" }),
    location: Nullable(Type.String()),
    ...StatusFields,
    userLimit: UserLimitWire,
    usersCount: Type.Integer({ description: 'Users holding the service (their user services are not NotProvisioned)' }),
    isBilled: Type.Boolean(),
    multipleUserPlans: Type.Boolean(),
    packages: Type.Array(Type.Object({ name: Type.String(), fullname: Type.String(), enabled: Type.Boolean() })),
    userPlans: Type.Array(
      Type.Object({ name: Type.String(), fullname: Type.String(), userLimit: UserLimitWire, usersCount: Type.Integer(), used: Type.Boolean(), enabled: Type.Boolean() }),
    ),
    properties: Type.Array(Type.Object({ name: Type.String(), value: Type.String(), hidden: Type.Boolean() })),
    instances: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), properties: Type.Record(Type.String(), Type.String()) })),
    objectVersion: Type.Integer({ description: 'Changes with every request that changes it (0: never held); also the ETag' }),
    createdAt: Nullable(Type.String()),
    updatedAt: Nullable(Type.String()),
    provisionedAt: Nullable(Type.String()),
  },
  { $id: 'CustomerService' },
)

const UserServiceWire = Type.Object(
  {
    id: Nullable(Type.String()),
    orgId: Type.String(),
    userId: Type.String(),
    service: Type.String(),
    fullname: Type.String(),
    ...StatusFields,
    userPlans: Type.Array(Type.Object({ name: Type.String(), fullname: Type.String() })),
    instances: Type.Array(Type.String()),
    properties: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
    objectVersion: Type.Integer(),
    createdAt: Nullable(Type.String()),
    updatedAt: Nullable(Type.String()),
    provisionedAt: Nullable(Type.String()),
  },
  { $id: 'UserService' },
)

function customerToWire(v: CustomerServiceView) {
  const { etagVersion, ...rest } = v
  return { ...rest, objectVersion: etagVersion }
}
function userToWire(v: UserServiceView) {
  const { etagVersion, ...rest } = v
  return { ...rest, objectVersion: etagVersion }
}

const Listing = (item: ReturnType<typeof Type.Ref>) => Type.Object({ items: Type.Array(item), total: Type.Integer() })
const ListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean({ description: 'Include services not held (NotProvisioned)' })), filter: Type.Optional(PropertyFilter) },
  STRICT,
)
const OneQuery = Type.Object({ filter: Type.Optional(PropertyFilter) }, STRICT)
const ServiceParams = Type.Object({ org_id: Id, service: CatalogName })
const UserServiceParams = Type.Object({ org_id: Id, member_id: Id, service: CatalogName })

const ACCEPTED = '202: the request is queued; `X-Job-Guid` and `Location: /jobs/{guid}` follow it, and the answer is the service as it now stands.'

/** Answers 202 with the request's Location when a job was queued, 200 when nothing was to do. */
function accepted(reply: FastifyReply, jobGuid: string | null, version: number, requestGuid: string | null): void {
  reply.header('etag', etag(Math.max(version, 0)))
  if (jobGuid !== null) reply.code(202).header('location', `/jobs/${requestGuid}`)
}

export function servicesRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(CustomerServiceWire)
  app.addSchema(UserServiceWire)
  const CS = Type.Ref('CustomerService')
  const US = Type.Ref('UserService')

  r.get(
    '/provisioning-statuses',
    {
      schema: {
        tags: ['services'],
        summary: 'The provisioning statuses with their labels and colours (seed 004)',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ status: Type.String(), label: Type.String(), colour: Type.String() })), total: Type.Integer() }) },
      },
    },
    async () => {
      const items = PROVISIONING_STATUSES.map((s) => provisioningInfo(s))
      return { items, total: items.length }
    },
  )

  r.get(
    '/orgs/:org_id/services',
    {
      schema: {
        tags: ['services'],
        summary: "List a customer's services",
        description: 'Those it holds or held; `all=true` adds every catalogue service it never held, as NotProvisioned. `filter=all` shows hidden properties (master organisation only).',
        params: Type.Object({ org_id: Id }),
        querystring: ListQuery,
        response: { 200: Listing(CS), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const items = (await listCustomerServices(ctxOf(deps, req), { orgId: req.params.org_id, ...req.query })).map(customerToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/orgs/:org_id/services/:service',
    {
      schema: {
        tags: ['services'],
        summary: "Get a customer's service (NotProvisioned when not held)",
        params: ServiceParams,
        querystring: OneQuery,
        response: { 200: CS, ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const v = await getCustomerService(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, ...req.query })
      reply.header('etag', etag(v.etagVersion))
      return customerToWire(v)
    },
  )

  r.put(
    '/orgs/:org_id/services/:service',
    {
      schema: {
        tags: ['services'],
        summary: 'Provision a service to a customer, or change its settings',
        description:
          "Settings merge as seed 004's SET does: packages and user plans named get the `enabled` given, instances named are added or changed (`removeInstances` removes), properties named get their value; the rest is kept. On the first provisioning with no user plan named, every plan is enabled. Only the customer's provider (or the master organisation for itself) may. " +
          ACCEPTED +
          ' 409 while a request of the service is under way, or when a user limit would fall below the users holding it. If-Match: the ETag of a GET.',
        params: ServiceParams,
        body: Type.Omit(provisionCustomerService.input, ['orgId', 'service', 'expectedVersion'], STRICT),
        response: { 202: CS, ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await provisionCustomerService(ctxOf(deps, req), {
        ...req.body,
        orgId: req.params.org_id,
        service: req.params.service,
        ...versionOf(ifMatchVersion(req)),
      })
      accepted(reply, out.jobGuid, out.service.etagVersion, out.service.requestGuid)
      return customerToWire(out.service)
    },
  )

  r.delete(
    '/orgs/:org_id/services/:service',
    {
      schema: {
        tags: ['services'],
        summary: "Deprovision a customer's service (and its users')",
        description: ACCEPTED + ' 200 when it is already NotProvisioned (nothing is queued). 409 while a request of the service or of one of its users is under way.',
        params: ServiceParams,
        response: { 200: CS, 202: CS, ...errorResponses(401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await deprovisionCustomerService(ctxOf(deps, req), {
        orgId: req.params.org_id,
        service: req.params.service,
        ...versionOf(ifMatchVersion(req)),
      })
      accepted(reply, out.jobGuid, out.service.etagVersion, out.service.requestGuid)
      return customerToWire(out.service)
    },
  )

  r.get(
    '/orgs/:org_id/services/:service/instances',
    {
      schema: {
        tags: ['services'],
        summary: "The instances of a customer's service (sites, databases, …)",
        params: ServiceParams,
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), properties: Type.Record(Type.String(), Type.String()) })), total: Type.Integer() }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (req) => {
      const v = await getCustomerService(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service })
      return { items: v.instances, total: v.instances.length }
    },
  )

  r.get(
    '/orgs/:org_id/members/:member_id/services',
    {
      schema: {
        tags: ['services'],
        summary: "List a user's services",
        description: 'Those the user holds or held; `all=true` adds every service the customer holds (available to the user, NotProvisioned).',
        params: Type.Object({ org_id: Id, member_id: Id }),
        querystring: ListQuery,
        response: { 200: Listing(US), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const items = (await listUserServices(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, ...req.query })).map(userToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/orgs/:org_id/members/:member_id/services/:service',
    {
      schema: {
        tags: ['services'],
        summary: "Get a user's service (NotProvisioned when not held)",
        params: UserServiceParams,
        querystring: OneQuery,
        response: { 200: US, ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const v = await getUserService(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, service: req.params.service, ...req.query })
      reply.header('etag', etag(v.etagVersion))
      return userToWire(v)
    },
  )

  r.put(
    '/orgs/:org_id/members/:member_id/services/:service',
    {
      schema: {
        tags: ['services'],
        summary: "Provision a customer's service to a user, or change the user's plans",
        description:
          "`userPlans` names all of the user's plans (several only where the service allows it). The customer must hold the service Provisioned. Past the customer's user limit, or a plan's, the request is refused with 409 `quota_exceeded`. " +
          ACCEPTED,
        params: UserServiceParams,
        body: Type.Omit(provisionUserService.input, ['orgId', 'userId', 'service', 'expectedVersion'], STRICT),
        response: { 202: US, ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await provisionUserService(ctxOf(deps, req), {
        ...req.body,
        orgId: req.params.org_id,
        userId: req.params.member_id,
        service: req.params.service,
        ...versionOf(ifMatchVersion(req)),
      })
      accepted(reply, out.jobGuid, out.service.etagVersion, out.service.requestGuid)
      return userToWire(out.service)
    },
  )

  r.delete(
    '/orgs/:org_id/members/:member_id/services/:service',
    {
      schema: {
        tags: ['services'],
        summary: "Deprovision a user's service",
        description: ACCEPTED + " 200 when it is already NotProvisioned. The user's place under the user limits is free once the deprovisioning has finished.",
        params: UserServiceParams,
        response: { 200: US, 202: US, ...errorResponses(401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await deprovisionUserService(ctxOf(deps, req), {
        orgId: req.params.org_id,
        userId: req.params.member_id,
        service: req.params.service,
        ...versionOf(ifMatchVersion(req)),
      })
      accepted(reply, out.jobGuid, out.service.etagVersion, out.service.requestGuid)
      return userToWire(out.service)
    },
  )
}

function versionOf(v: number | undefined): { expectedVersion?: number } {
  return v === undefined ? {} : { expectedVersion: v }
}
