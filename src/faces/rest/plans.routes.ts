/**
 * Plans and the resource names they use, on the `/orgs` face (seed 003's shapes, camelCase):
 *
 *   GET    /orgs/{org_id}/plans                 {items, total}
 *   POST   /orgs/{org_id}/plans                 201 {id} (an integer)
 *   GET    /orgs/{org_id}/plans/{plan_id}
 *   PATCH  /orgs/{org_id}/plans/{plan_id}       204
 *   DELETE /orgs/{org_id}/plans/{plan_id}       204 (409 while it has live subscriptions)
 *   GET    /resource-names, POST /resource-names, DELETE /resource-names/{name}
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import type { Plan } from '../../core/plans.js'
import { createPlan } from '../../ops/plans/create-plan.js'
import { updatePlan } from '../../ops/plans/update-plan.js'
import { deletePlan } from '../../ops/plans/delete-plan.js'
import { getPlan, listPlans } from '../../ops/plans/get-plan.js'
import { createResourceName, deleteResourceName, listResourceNames } from '../../ops/plans/resource-names.js'
import { ctxOf, etag, ifMatchVersion } from '../http.js'
import { errorResponses, STRICT, PageLimit, pageLimit } from './openapi.js'

const Id = Type.String({ maxLength: 64 })
export const IntId = Type.Integer({ minimum: 1, maximum: 2147483647 })
export const NewResourceId = Type.Object({ id: Type.Integer() }, { $id: 'NewResourceId' })

export const DedicatedServersWire = Type.Object(
  { appServerId: Type.Optional(Type.String()), backupServerId: Type.Optional(Type.String()), dbServerId: Type.Optional(Type.String()), emailServerId: Type.Optional(Type.String()) },
  { description: 'Servers by role' },
)

const PlanWire = Type.Object(
  {
    id: Type.Integer(),
    orgId: Type.String(),
    name: Type.String(),
    planType: Type.Enum(['hosting', 'reseller'] as const, { description: '`reseller` when its resources include `customers`' }),
    resources: Type.Array(Type.Object({ name: Type.String(), total: Type.Optional(Type.Integer({ description: 'Absent: unlimited' })) })),
    subscriptionsCount: Type.Integer({ description: 'Live (not deleted) subscriptions to the plan' }),
    serverGroupId: Type.Optional(Type.String()),
    dedicatedServers: Type.Optional(DedicatedServersWire),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'Plan' },
)

function planToWire(p: Plan) {
  return p
}

const PlanParams = Type.Object({ org_id: Id, plan_id: IntId })
const OrgParams = Type.Object({ org_id: Id })

export function plansRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(PlanWire)
  app.addSchema(NewResourceId)

  r.get(
    '/orgs/:org_id/plans',
    {
      schema: {
        tags: ['plans'],
        summary: "List an organisation's plans, by name",
        params: OrgParams,
        querystring: Type.Object({ offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })), limit: Type.Optional(PageLimit) }, STRICT),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Plan')), total: Type.Integer() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const out = await listPlans(ctxOf(deps, req), { orgId: req.params.org_id, offset: req.query.offset, limit: pageLimit(req.query.limit) })
      return { items: out.items.map(planToWire), total: out.total }
    },
  )

  r.post(
    '/orgs/:org_id/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Create a plan (the master organisation, or a reseller with an active reseller subscription)',
        params: OrgParams,
        body: Type.Omit(createPlan.input, ['orgId'], STRICT),
        response: { 201: Type.Ref('NewResourceId'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const plan = await createPlan(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${plan.orgId}/plans/${plan.id}`).header('etag', etag(plan.version))
      return { id: plan.id }
    },
  )

  r.get(
    '/orgs/:org_id/plans/:plan_id',
    { schema: { tags: ['plans'], summary: 'Get a plan', params: PlanParams, response: { 200: Type.Ref('Plan'), ...errorResponses(400, 401, 404) } } },
    async (req, reply) => {
      const plan = await getPlan(ctxOf(deps, req), { orgId: req.params.org_id, planId: req.params.plan_id })
      reply.header('etag', etag(plan.version))
      return planToWire(plan)
    },
  )

  r.patch(
    '/orgs/:org_id/plans/:plan_id',
    {
      schema: {
        tags: ['plans'],
        summary: 'Change a plan (If-Match for optimistic concurrency); subscriptions keep the resources they have',
        params: PlanParams,
        body: Type.Omit(updatePlan.input, ['orgId', 'planId', 'expectedVersion'], STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const plan = await updatePlan(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, planId: req.params.plan_id, expectedVersion: ifMatchVersion(req) })
      reply.header('etag', etag(plan.version)).code(204)
    },
  )

  r.delete(
    '/orgs/:org_id/plans/:plan_id',
    {
      schema: {
        tags: ['plans'],
        summary: 'Delete a plan (409 while it has live subscriptions)',
        params: PlanParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deletePlan(ctxOf(deps, req), { orgId: req.params.org_id, planId: req.params.plan_id, expectedVersion: ifMatchVersion(req) })
      reply.code(204)
    },
  )

  r.get(
    '/resource-names',
    {
      schema: {
        tags: ['plans'],
        summary: "The resource names plans may use (seed 003's set to begin with)",
        response: { 200: Type.Object({ items: Type.Array(Type.String()), total: Type.Integer() }), ...errorResponses(401) },
      },
    },
    async (req) => listResourceNames(ctxOf(deps, req), {}),
  )

  r.post(
    '/resource-names',
    {
      schema: {
        tags: ['plans'],
        summary: 'Add a resource name (master organisation)',
        body: createResourceName.input,
        response: { 201: Type.Object({ name: Type.String() }), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const out = await createResourceName(ctxOf(deps, req), req.body)
      reply.code(201).header('location', `/resource-names/${encodeURIComponent(out.name)}`)
      return out
    },
  )

  r.delete(
    '/resource-names/:name',
    {
      schema: {
        tags: ['plans'],
        summary: 'Remove a resource name no plan or subscription uses (master organisation)',
        params: Type.Object({ name: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await deleteResourceName(ctxOf(deps, req), { name: req.params.name })
      reply.code(204)
    },
  )
}
