/**
 * The `/orgs` face of seed 003 (Enhance's orchd API): organisations, their customers, members
 * and groups. Query parameters are accepted in camelCase and in the Python client's snake_case.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { DomainError } from '../../core/errors.js'
import { ENHANCE_STATUSES } from '../../core/status.js'
import { createCustomer } from '../../ops/orgs/create-customer.js'
import { getOrg } from '../../ops/orgs/get-org.js'
import { updateOrg } from '../../ops/orgs/update-org.js'
import { deleteOrg } from '../../ops/orgs/delete-org.js'
import { CUSTOMER_SORT_KEYS, listCustomers } from '../../ops/orgs/list-customers.js'
import { ADDED_INTERVALS, getCustomersAdded } from '../../ops/orgs/get-customers-added.js'
import { listOrgTags } from '../../ops/orgs/list-org-tags.js'
import { createOrgTag } from '../../ops/orgs/create-org-tag.js'
import { ctxOf, etag, ifMatchVersion, sendJsonText } from '../http.js'
import { CustomersListing, NewResourceUuid, OrgIdParams, OrgWire, orgJson } from './wire.js'
import { errorResponses, STRICT, PageLimit, pageLimit } from './openapi.js'

/** Picks one of two spellings of a query parameter; both given and different is an error. */
export function either<T>(camel: T | undefined, snake: T | undefined, name: string): T | undefined {
  if (camel !== undefined && snake !== undefined && camel !== snake) {
    throw new DomainError('invalid_argument', `${name} is given twice with different values`, { field: name })
  }
  return camel ?? snake
}

const TimeInterval = Type.Enum(ADDED_INTERVALS)
const ResourceCountByInterval = Type.Object({ interval: Type.String({ format: 'date-time' }), resourceCount: Type.Integer() })
const TagWire = Type.Object({ id: Type.Integer(), tag: Type.String(), colorCode: Type.String() })
const SortBy = Type.Enum(CUSTOMER_SORT_KEYS)
const SortOrder = Type.Enum(['asc', 'desc'] as const)
const Depth = Type.Integer({ minimum: 1, maximum: 1000 })
const PlanIdQuery = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Only customers holding a live subscription to this plan' })

/** PATCH /orgs/{org_id}: the update's fields, and `status` also taking seed 003's `deleted`. */
const updateFields = Type.Omit(updateOrg.input, ['orgId', 'expectedVersion', 'status'])
const PatchOrgBody = Type.Object(
  { ...updateFields.properties, status: Type.Optional(Type.Enum(['active', 'configured', 'suspended', 'disabled', 'deleted'] as const)) },
  STRICT,
)

export function orgsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/orgs/:org_id',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Get an organisation',
        params: OrgIdParams,
        response: { 200: OrgWire, ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => {
      const org = await getOrg(ctxOf(deps, req), { orgId: req.params.org_id })
      reply.header('etag', etag(org.version))
      sendJsonText(reply, orgJson(org))
      return reply
    },
  )

  r.patch(
    '/orgs/:org_id',
    {
      schema: {
        tags: ['orgs'],
        summary: "Change an organisation (If-Match for optimistic concurrency); seed 003's `status: deleted` deletes it as DELETE does",
        params: OrgIdParams,
        body: PatchOrgBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const { status, ...rest } = req.body
      if (status === 'deleted') {
        if (Object.values(rest).some((v) => v !== undefined)) {
          throw new DomainError('invalid_argument', 'deleting an organisation (status: deleted) takes no other change', { field: 'status' })
        }
        await deleteOrg(ctxOf(deps, req), { orgId: req.params.org_id, cascade: true, expectedVersion: ifMatchVersion(req) })
        reply.code(204)
        return
      }
      const org = await updateOrg(ctxOf(deps, req), { ...rest, ...(status !== undefined ? { status } : {}), orgId: req.params.org_id, expectedVersion: ifMatchVersion(req) })
      reply.header('etag', etag(org.version)).code(204)
    },
  )

  r.delete(
    '/orgs/:org_id',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Delete an organisation (soft) with its live customers, as seed 003 does; `cascade=false` refuses (409) while it has any. `force` (seed 003: wipe data) is accepted; Clientele always keeps the rows, marked deleted',
        params: OrgIdParams,
        querystring: Type.Object(
          { cascade: Type.Optional(Type.Boolean()), force: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteOrg(ctxOf(deps, req), {
        orgId: req.params.org_id,
        cascade: req.query.cascade !== false,
        expectedVersion: ifMatchVersion(req),
      })
      reply.code(204)
    },
  )

  r.post(
    '/orgs/:org_id/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Create a customer organisation',
        params: OrgIdParams,
        body: Type.Omit(createCustomer.input, ['parentId'], STRICT),
        response: { 201: NewResourceUuid, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const org = await createCustomer(ctxOf(deps, req), { ...req.body, parentId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${org.id}`).header('etag', etag(org.version))
      return { id: org.id }
    },
  )

  r.get(
    '/orgs/:org_id/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'List an organisation\'s customers (recursively with `recursive`, bounded by `maxDepth`)',
        params: OrgIdParams,
        querystring: Type.Object(
          {
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
            limit: Type.Optional(PageLimit),
            sortBy: Type.Optional(SortBy),
            sort_by: Type.Optional(SortBy),
            sortOrder: Type.Optional(SortOrder),
            sort_order: Type.Optional(SortOrder),
            recursive: Type.Optional(Type.Boolean()),
            maxDepth: Type.Optional(Depth),
            max_depth: Type.Optional(Depth),
            status: Type.Optional(Type.Enum(ENHANCE_STATUSES)),
            planId: Type.Optional(PlanIdQuery),
            plan_id: Type.Optional(PlanIdQuery),
            q: Type.Optional(
              Type.String({
                maxLength: 200,
                description: 'A search: customers whose name starts with it (ASCII letters in any case), whose short code is it (any case) or whose external id is it',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CustomersListing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const q = req.query
      const out = await listCustomers(ctxOf(deps, req), {
        orgId: req.params.org_id,
        offset: q.offset,
        limit: pageLimit(q.limit),
        sortBy: either(q.sortBy, q.sort_by, 'sortBy'),
        sortOrder: either(q.sortOrder, q.sort_order, 'sortOrder'),
        recursive: q.recursive,
        maxDepth: either(q.maxDepth, q.max_depth, 'maxDepth'),
        status: q.status,
        planId: either(q.planId, q.plan_id, 'planId'),
        q: q.q,
      })
      sendJsonText(reply, `{"items":[${out.items.map(orgJson).join(',')}],"total":${out.total}}`)
      return reply
    },
  )

  r.get(
    '/orgs/:org_id/stats/customers/added',
    {
      schema: {
        tags: ['orgs'],
        summary:
          "How many customers the organisation added per interval (seed 003's getCustomersAdded): the last 24 hours, 30 days (default) or 12 months in UTC, oldest first. Direct customers; every descendant with `recursion=true` (a Clientele extra, named as seed 003's getWebsitesAdded names it)",
        params: OrgIdParams,
        querystring: Type.Object(
          {
            timeInterval: Type.Optional(TimeInterval),
            time_interval: Type.Optional(TimeInterval),
            recursion: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ResourceCountByInterval), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const q = req.query
      const counts = await getCustomersAdded(ctxOf(deps, req), {
        orgId: req.params.org_id,
        timeInterval: either(q.timeInterval, q.time_interval, 'timeInterval'),
        recursive: q.recursion,
      })
      return counts.map((c) => ({ interval: c.interval, resourceCount: c.count }))
    },
  )

  r.get(
    '/orgs/:org_id/tags',
    {
      schema: {
        tags: ['orgs'],
        summary: "List the organisation's tags, by name",
        params: OrgIdParams,
        response: { 200: Type.Object({ items: Type.Array(TagWire) }), ...errorResponses(401, 404) },
      },
    },
    async (req) => ({ items: await listOrgTags(ctxOf(deps, req), { orgId: req.params.org_id }) }),
  )

  r.post(
    '/orgs/:org_id/tags',
    {
      schema: {
        tags: ['orgs'],
        summary: "Create a tag of the organisation (a name it already has answers that tag's id, its colour changed when one is given)",
        params: OrgIdParams,
        body: Type.Omit(createOrgTag.input, ['orgId'], STRICT),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await createOrgTag(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201)
      return { id: out.id }
    },
  )
}
