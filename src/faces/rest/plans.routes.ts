/**
 * Plans and the resource names they use, on the `/orgs` face (seed 003's shapes, camelCase):
 *
 *   GET    /orgs/{org_id}/plans                 {items, total}
 *   POST   /orgs/{org_id}/plans                 201 {id} (an integer)
 *   GET    /orgs/{org_id}/plans/{plan_id}
 *   PATCH  /orgs/{org_id}/plans/{plan_id}       204
 *   DELETE /orgs/{org_id}/plans/{plan_id}       204 (409 while it has live subscriptions)
 *   POST   /orgs/{org_id}/plans/{plan_id}/resources|allowances|selections   200 (a list to add)
 *   PUT    /orgs/{org_id}/plans/{plan_id}/resources|allowances|selections/{name}   200
 *   DELETE /orgs/{org_id}/plans/{plan_id}/allowances/{name}   204
 *   GET    /resource-names, POST /resource-names, DELETE /resource-names/{name}
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { createPlan } from '../../ops/plans/create-plan.js'
import { updatePlan } from '../../ops/plans/update-plan.js'
import { deletePlan } from '../../ops/plans/delete-plan.js'
import { getPlan, listPlans } from '../../ops/plans/get-plan.js'
import { createResourceName, deleteResourceName, listResourceNames } from '../../ops/plans/resource-names.js'
import { addPlanAllowances, addPlanResources, addPlanSelections, deletePlanAllowance, setPlanAllowance, setPlanResource, setPlanSelection } from '../../ops/plans/plan-parts.js'
import { ResourceInput, ResourcesInput } from '../../ops/plans/schema.js'
import { AllowanceInput, AllowancesInput, SelectionInput, SelectionsInput } from '../../ops/plans/hosting.js'
import { PlanWire, planToWire } from './plan-wire.js'
import { ctxOf, etag, ifMatchVersion } from '../http.js'
import { errorResponses, STRICT, PageLimit, pageLimit } from './openapi.js'

const Id = Type.String({ maxLength: 64 })
export const IntId = Type.Integer({ minimum: 1, maximum: 2147483647 })
export const NewResourceId = Type.Object({ id: Type.Integer() }, { $id: 'NewResourceId' })

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
        querystring: Type.Object(
          {
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
            limit: Type.Optional(PageLimit),
            sortBy: Type.Optional(Type.Enum(['name'] as const)),
            sortOrder: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
          },
          STRICT,
        ),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Plan')), total: Type.Integer() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const out = await listPlans(ctxOf(deps, req), { orgId: req.params.org_id, ...req.query, limit: pageLimit(req.query.limit) })
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

  // A plan's parts one at a time (seed 003): 200 with no body, as Enhance's document says; the ETag is the plan's new version.
  const PartParams = Type.Object({ org_id: Id, plan_id: IntId, name: Type.String({ minLength: 1, maxLength: 100 }) })
  const part = (summary: string, params: typeof PlanParams | typeof PartParams, body: unknown, status: 200 | 204) => ({
    schema: {
      tags: ['plans'],
      summary,
      params,
      ...(body ? { body } : {}),
      response: { [status]: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
    },
  })
  const done = (reply: { header: (k: string, v: string) => unknown; code: (n: number) => unknown }, version: number, status: 200 | 204) => {
    reply.header('etag', etag(version))
    reply.code(status)
  }

  r.post('/orgs/:org_id/plans/:plan_id/resources', part('Add resources to a plan (409 for one it has)', PlanParams, ResourcesInput, 200), async (req, reply) => {
    const p = await addPlanResources(ctxOf(deps, req), { orgId: req.params.org_id, planId: req.params.plan_id, resources: req.body as Static<typeof ResourcesInput> })
    done(reply, p.version, 200)
  })
  r.put('/orgs/:org_id/plans/:plan_id/resources/:name', part("Set a plan resource's total (absent: unlimited)", PartParams, ResourceInput, 200), async (req, reply) => {
    const { org_id, plan_id, name } = req.params as Static<typeof PartParams>
    const p = await setPlanResource(ctxOf(deps, req), { orgId: org_id, planId: plan_id, name, resource: req.body as Static<typeof ResourceInput> })
    done(reply, p.version, 200)
  })
  r.post('/orgs/:org_id/plans/:plan_id/allowances', part('Add allowances to a plan', PlanParams, AllowancesInput, 200), async (req, reply) => {
    const p = await addPlanAllowances(ctxOf(deps, req), { orgId: req.params.org_id, planId: req.params.plan_id, allowances: req.body as Static<typeof AllowancesInput> })
    done(reply, p.version, 200)
  })
  r.put('/orgs/:org_id/plans/:plan_id/allowances/:name', part("Rename a plan's allowance", PartParams, AllowanceInput, 200), async (req, reply) => {
    const { org_id, plan_id, name } = req.params as Static<typeof PartParams>
    const p = await setPlanAllowance(ctxOf(deps, req), { orgId: org_id, planId: plan_id, name, allowance: req.body as Static<typeof AllowanceInput> })
    done(reply, p.version, 200)
  })
  r.delete('/orgs/:org_id/plans/:plan_id/allowances/:name', part("Remove a plan's allowance", PartParams, undefined, 204), async (req, reply) => {
    const { org_id, plan_id, name } = req.params as Static<typeof PartParams>
    const p = await deletePlanAllowance(ctxOf(deps, req), { orgId: org_id, planId: plan_id, name })
    done(reply, p.version, 204)
  })
  r.post('/orgs/:org_id/plans/:plan_id/selections', part('Add selections to a plan, or set those it has', PlanParams, SelectionsInput, 200), async (req, reply) => {
    const p = await addPlanSelections(ctxOf(deps, req), { orgId: req.params.org_id, planId: req.params.plan_id, selections: req.body as Static<typeof SelectionsInput> })
    done(reply, p.version, 200)
  })
  r.put('/orgs/:org_id/plans/:plan_id/selections/:name', part("Set a plan's selection", PartParams, SelectionInput, 200), async (req, reply) => {
    const { org_id, plan_id, name } = req.params as Static<typeof PartParams>
    const p = await setPlanSelection(ctxOf(deps, req), { orgId: org_id, planId: plan_id, name, selection: req.body as Static<typeof SelectionInput> })
    done(reply, p.version, 200)
  })

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
