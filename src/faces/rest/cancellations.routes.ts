/**
 * Cancellation requests (seed 001's `requestCancellation`) on the native REST face:
 *
 *   POST /orgs/{org_id}/cancellations     ask for the customer's cancellation {reason} (org.write)
 *   GET  /orgs/{org_id}/cancellations     the customer's cancellation requests, newest first (org.read)
 *   GET  /cancellations/{id}              one (org.read on its customer)
 *   POST /cancellations/{id}/withdraw     withdraw it while requested or approved (org.write)
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { CANCELLATION_REASON_MAX, CANCELLATION_STATUSES } from '../../core/cancellations.js'
import { requestCancellation } from '../../ops/cancellations/request-cancellation.js'
import { withdrawCancellation } from '../../ops/cancellations/withdraw-cancellation.js'
import { getCancellation } from '../../ops/cancellations/get-cancellation.js'
import { listCancellations } from '../../ops/cancellations/list-cancellations.js'

const Id = Type.String({ maxLength: 64 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const CancellationWire = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String({ description: 'The customer to cancel' }),
    reason: Type.String(),
    status: Type.Enum([...CANCELLATION_STATUSES], {
      description: 'requested → approved → cancelled (at effectiveAt); requested → rejected (approval refused or timed out); requested or approved → withdrawn',
    }),
    approvalPending: Type.Boolean({ description: 'True while an approval decides it' }),
    approvalId: Nullable(Type.String({ description: 'The approval request deciding it' })),
    requestedBy: Nullable(Type.String({ description: 'The user who asked' })),
    requestGuid: Type.String({ description: 'The request that asked for it: GET /jobs/{requestGuid}' }),
    effectiveAt: Nullable(Type.String({ description: 'The end of the billing period (the calendar month, UTC) it was approved in; null until approved' })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    closedAt: Nullable(Type.String({ description: 'When it was cancelled, withdrawn or rejected' })),
  },
  { $id: 'Cancellation' },
)

const RULES =
  "Who: the customer's own owner or admin, or one of an ancestor (a customer cannot reach its parent). One open (requested or approved) cancellation per customer (409 otherwise). " +
  'When an approval provider of the customer subscribes to `customers` `Cancel` (PUT /orgs/{org_id}/approval-providers), it stays `requested` until the approval is decided; otherwise it is `approved` at once. ' +
  "At `effectiveAt` (the end of the billing period: the calendar month, UTC) it becomes `cancelled` and the customer's subscriptions end; the organisation and its users stay."

export function cancellationsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(CancellationWire)
  const CW = Type.Ref('Cancellation')

  r.post(
    '/orgs/:org_id/cancellations',
    {
      schema: {
        tags: ['cancellations'],
        summary: "Ask for a customer's cancellation",
        description: RULES,
        params: Type.Object({ org_id: Id }),
        body: Type.Object({ reason: Type.String({ maxLength: CANCELLATION_REASON_MAX, description: `Why (1 to ${CANCELLATION_REASON_MAX} characters, not blank)` }) }, STRICT),
        response: { 201: CW, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await requestCancellation(ctxOf(deps, req), { orgId: req.params.org_id, reason: req.body.reason })
      reply.code(201)
      return out
    },
  )

  r.get(
    '/orgs/:org_id/cancellations',
    {
      schema: {
        tags: ['cancellations'],
        summary: "A customer's cancellation requests, newest first",
        params: Type.Object({ org_id: Id }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, STRICT),
        response: { 200: Type.Object({ items: Type.Array(CW), total: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const items = await listCancellations(ctxOf(deps, req), { orgId: req.params.org_id, ...req.query })
      return { items, total: items.length }
    },
  )

  r.get(
    '/cancellations/:id',
    {
      schema: {
        tags: ['cancellations'],
        summary: 'One cancellation request',
        params: Type.Object({ id: Id }),
        response: { 200: CW, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => getCancellation(ctxOf(deps, req), { id: req.params.id }),
  )

  r.post(
    '/cancellations/:id/withdraw',
    {
      schema: {
        tags: ['cancellations'],
        summary: 'Withdraw a cancellation request while it is requested or approved',
        description: 'A cancellation still waiting for its approval ends that approval and its request fails (`withdrawn by <user>`). Once cancelled, withdrawn or rejected: 409.',
        params: Type.Object({ id: Id }),
        response: { 200: CW, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req) => withdrawCancellation(ctxOf(deps, req), { id: req.params.id }),
  )
}
