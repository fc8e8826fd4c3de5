/**
 * Subscriptions on the `/orgs` face (seed 003's `create_customer_subscription` and
 * `get_customer_subscriptions`, camelCase; query parameters in both spellings):
 *
 *   POST   /orgs/{org_id}/customers/{customer_org_id}/subscriptions                   201 {id}
 *   GET    /orgs/{org_id}/customers/{customer_org_id}/subscriptions                   {items, total}
 *   GET    /orgs/{org_id}/customers/{customer_org_id}/subscriptions/{subscription_id}
 *   PATCH  /orgs/{org_id}/customers/{customer_org_id}/subscriptions/{subscription_id} 204
 *   DELETE /orgs/{org_id}/customers/{customer_org_id}/subscriptions/{subscription_id} 204 (soft)
 *   GET    /orgs/{org_id}/subscriptions[/{subscription_id}]   the subscriptions an organisation holds
 *   PUT    /orgs/{org_id}/subscriptions/{subscription_id}/usage  what a hosting subscription uses (master organisation) 204
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import type { Subscription } from '../../core/plans.js'
import { createSubscription } from '../../ops/subscriptions/create-subscription.js'
import { updateSubscription } from '../../ops/subscriptions/update-subscription.js'
import { deleteSubscription } from '../../ops/subscriptions/delete-subscription.js'
import { getSubscription, listCustomerSubscriptions, listOwnSubscriptions, SUBSCRIPTION_SORT_KEYS } from '../../ops/subscriptions/list-subscriptions.js'
import { setSubscriptionUsage } from '../../ops/subscriptions/set-usage.js'
import { ctxOf, etag, ifMatchVersion } from '../http.js'
import { errorResponses, STRICT, PageLimit, pageLimit } from './openapi.js'
import { either } from './orgs.routes.js'
import { IntId } from './plans.routes.js'
import { SubscriptionWire, subscriptionToWire } from './plan-wire.js'

const Id = Type.String({ maxLength: 64 })

const SortBy = Type.Enum(SUBSCRIPTION_SORT_KEYS)
const SortOrder = Type.Enum(['asc', 'desc'] as const)
const PageQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    limit: Type.Optional(PageLimit),
    sortBy: Type.Optional(SortBy),
    sort_by: Type.Optional(SortBy),
    sortOrder: Type.Optional(SortOrder),
    sort_order: Type.Optional(SortOrder),
  },
  STRICT,
)
type PageQuery = { offset?: number; limit?: number; sortBy?: (typeof SUBSCRIPTION_SORT_KEYS)[number]; sort_by?: (typeof SUBSCRIPTION_SORT_KEYS)[number]; sortOrder?: 'asc' | 'desc'; sort_order?: 'asc' | 'desc' }
const page = (q: PageQuery) => ({
  offset: q.offset,
  limit: pageLimit(q.limit),
  sortBy: either(q.sortBy, q.sort_by, 'sortBy'),
  sortOrder: either(q.sortOrder, q.sort_order, 'sortOrder'),
})

const listing = (out: { items: Subscription[]; total: number }) => ({ items: out.items.map(subscriptionToWire), total: out.total })
/** Seed 003's `force` on a subscription's deletion: accepted; Clientele keeps the row, marked deleted, either way. */
const ForceQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, STRICT)

const CustomerParams = Type.Object({ org_id: Id, customer_org_id: Id })
const OneParams = Type.Object({ org_id: Id, customer_org_id: Id, subscription_id: IntId })

export function subscriptionsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(SubscriptionWire)
  const Listing = Type.Object({ items: Type.Array(Type.Ref('Subscription')), total: Type.Integer() })

  r.post(
    '/orgs/:org_id/customers/:customer_org_id/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "Subscribe a customer to one of the organisation's plans (a reseller's sale draws from its reseller subscription)",
        params: CustomerParams,
        body: Type.Omit(createSubscription.input, ['orgId', 'customerOrgId'], STRICT),
        response: { 201: Type.Ref('NewResourceId'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await createSubscription(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, customerOrgId: req.params.customer_org_id })
      reply.code(201).header('location', `/orgs/${req.params.org_id}/customers/${req.params.customer_org_id}/subscriptions/${out.id}`)
      return out
    },
  )

  r.get(
    '/orgs/:org_id/customers/:customer_org_id/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "List a customer's subscriptions to the organisation's plans",
        params: CustomerParams,
        querystring: PageQuery,
        response: { 200: Listing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => listing(await listCustomerSubscriptions(ctxOf(deps, req), { orgId: req.params.org_id, customerOrgId: req.params.customer_org_id, ...page(req.query) })),
  )

  r.get(
    '/orgs/:org_id/customers/:customer_org_id/subscriptions/:subscription_id',
    { schema: { tags: ['subscriptions'], summary: 'Get a subscription sold to a customer', params: OneParams, response: { 200: Type.Ref('Subscription'), ...errorResponses(400, 401, 404) } } },
    async (req, reply) => {
      const s = await getSubscription(ctxOf(deps, req), { orgId: req.params.org_id, customerOrgId: req.params.customer_org_id, subscriptionId: req.params.subscription_id })
      reply.header('etag', etag(s.version))
      return subscriptionToWire(s)
    },
  )

  r.patch(
    '/orgs/:org_id/customers/:customer_org_id/subscriptions/:subscription_id',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Change a subscription: status, isSuspended, planId, friendlyName (If-Match for optimistic concurrency)',
        params: OneParams,
        body: Type.Omit(updateSubscription.input, ['orgId', 'customerOrgId', 'subscriptionId', 'expectedVersion'], STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await updateSubscription(ctxOf(deps, req), {
        ...req.body,
        orgId: req.params.org_id,
        customerOrgId: req.params.customer_org_id,
        subscriptionId: req.params.subscription_id,
        expectedVersion: ifMatchVersion(req),
      })
      reply.header('etag', etag(out.version)).code(204)
    },
  )

  r.delete(
    '/orgs/:org_id/customers/:customer_org_id/subscriptions/:subscription_id',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Delete a subscription (soft); its amounts go back to the reseller\'s quota',
        params: OneParams,
        querystring: ForceQuery,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteSubscription(ctxOf(deps, req), {
        orgId: req.params.org_id,
        customerOrgId: req.params.customer_org_id,
        subscriptionId: req.params.subscription_id,
        expectedVersion: ifMatchVersion(req),
      })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'List the subscriptions an organisation holds (a reseller sees its reseller subscription and its usage here)',
        params: Type.Object({ org_id: Id }),
        querystring: PageQuery,
        response: { 200: Listing, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => listing(await listOwnSubscriptions(ctxOf(deps, req), { orgId: req.params.org_id, ...page(req.query) })),
  )

  r.put(
    '/orgs/:org_id/subscriptions/:subscription_id/usage',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Record what a hosting subscription uses, within its totals (master organisation; websites usage is the subscriber\'s websitesCount)',
        params: Type.Object({ org_id: Id, subscription_id: IntId }),
        body: Type.Omit(setSubscriptionUsage.input, ['orgId', 'subscriptionId'], STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await setSubscriptionUsage(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, subscriptionId: req.params.subscription_id })
      reply.code(204)
    },
  )

  const HeldParams = Type.Object({ org_id: Id, subscription_id: IntId })

  r.patch(
    '/orgs/:org_id/subscriptions/:subscription_id',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "Seed 003's updateSubscription: change a subscription the organisation holds (by its seller; If-Match for optimistic concurrency)",
        params: HeldParams,
        body: Type.Omit(updateSubscription.input, ['orgId', 'customerOrgId', 'subscriptionId', 'expectedVersion'], STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await updateSubscription(ctxOf(deps, req), {
        ...req.body,
        orgId: req.params.org_id,
        subscriptionId: req.params.subscription_id,
        expectedVersion: ifMatchVersion(req),
      })
      reply.header('etag', etag(out.version)).code(204)
    },
  )

  r.delete(
    '/orgs/:org_id/subscriptions/:subscription_id',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "Seed 003's deleteSubscription: delete a subscription the organisation holds (by its seller; soft, its amounts go back to the seller's quota)",
        params: HeldParams,
        querystring: ForceQuery,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await deleteSubscription(ctxOf(deps, req), { orgId: req.params.org_id, subscriptionId: req.params.subscription_id, expectedVersion: ifMatchVersion(req) })
      reply.code(204)
    },
  )

  // Seed 003's calculateResourceUsage and getSubscriptionBandwidthUsage. Usage is what the
  // hosting platform reports (PUT …/usage); Clientele measures nothing itself, so "calculate"
  // answers the figures as they stand, and the bandwidth is the `transfer` resource's usage.
  r.put(
    '/orgs/:org_id/subscriptions/:subscription_id/calculate-resource-usage',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "Seed 003's calculateResourceUsage: a held subscription's resources with their usage as last reported",
        params: HeldParams,
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ name: Type.String(), total: Type.Optional(Type.Integer()), usage: Type.Integer() })) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ({ items: (await getSubscription(ctxOf(deps, req), { orgId: req.params.org_id, subscriptionId: req.params.subscription_id })).resources }),
  )

  r.get(
    '/orgs/:org_id/subscriptions/:subscription_id/bandwidth',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "Seed 003's getSubscriptionBandwidthUsage: the `transfer` usage last reported for a held subscription (0 without one)",
        params: HeldParams,
        querystring: Type.Object({ refreshCache: Type.Optional(Type.Boolean()) }, STRICT),
        response: { 200: Type.Integer(), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => (await getSubscription(ctxOf(deps, req), { orgId: req.params.org_id, subscriptionId: req.params.subscription_id })).resources.find((r) => r.name === 'transfer')?.usage ?? 0,
  )

  r.get(
    '/orgs/:org_id/subscriptions/:subscription_id',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Get a subscription the organisation holds',
        params: Type.Object({ org_id: Id, subscription_id: IntId }),
        response: { 200: Type.Ref('Subscription'), ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const s = await getSubscription(ctxOf(deps, req), { orgId: req.params.org_id, subscriptionId: req.params.subscription_id })
      reply.header('etag', etag(s.version))
      return subscriptionToWire(s)
    },
  )
}
