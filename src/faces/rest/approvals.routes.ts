/**
 * Workflow approvals (seed 004) on the native REST face:
 *
 *   GET    /orgs/{org_id}/approval-providers                 the customer's providers (org.write)
 *   PUT    /orgs/{org_id}/approval-providers                 merge providers and groups (org.write)
 *   DELETE /orgs/{org_id}/approval-providers/groups/{name}   delete a group (org.write)
 *   GET    /orgs/{org_id}/approvals[?status=]                the customer's approval requests (org.write)
 *   GET    /orgs/{org_id}/members/{member_id}/approvals      those addressed to a user (the user, or org.write)
 *   GET    /approvals[?status=]                              those addressed to the caller
 *   GET    /approvals/{id}                                   one, by a response's GUID
 *   POST   /approvals/{id}/decision                          answer it {status, reason} (its approver only)
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { getApprovalProviders } from '../../ops/approvals/get-approval-providers.js'
import { setApprovalProviders } from '../../ops/approvals/set-approval-providers.js'
import { deleteApprovalGroup } from '../../ops/approvals/delete-approval-group.js'
import { listApprovals, listUserApprovals } from '../../ops/approvals/list-approvals.js'
import { getApproval } from '../../ops/approvals/get-approval.js'
import { decideApproval } from '../../ops/approvals/decide-approval.js'

const Id = Type.String({ maxLength: 64 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Status = Type.Union([Type.Literal('Pending'), Type.Literal('Accepted'), Type.Literal('Rejected'), Type.Literal('TimedOut')])
const StatusQuery = Type.Object({ status: Type.Optional(Status) }, STRICT)

const SubWire = Type.Object({ name: Type.Union([Type.Literal('Provision'), Type.Literal('Deprovision')]), access: Type.Literal('Object') })
const LabelledWire = Type.Object({ label: Type.String(), subscriptions: Type.Array(SubWire) })
const SubscriptionsWire = Type.Object({
  users: Type.Array(SubWire),
  userServices: Type.Array(LabelledWire),
  services: Type.Array(LabelledWire),
  customers: Type.Array(Type.Object({ name: Type.Literal('Cancel'), access: Type.Literal('Object') }), { description: "`Cancel`: the customer's cancellation requests wait for approval" }),
})

const ProvidersWire = Type.Object(
  {
    orgId: Type.String(),
    managers: Nullable(
      Type.Object({
        name: Type.Literal('Workflow Managers'),
        configuration: Type.Object({ managers: Type.Integer(), timeoutDays: Type.Integer(), reminderDays: Type.Integer() }),
        subscriptions: SubscriptionsWire,
      }),
    ),
    groups: Type.Array(
      Type.Object({
        name: Type.String(),
        description: Type.String(),
        configuration: Type.Object({ membersToApprove: Type.Integer(), timeoutDays: Type.Integer(), reminderDays: Type.Integer() }),
        members: Type.Array(Type.Object({ userId: Type.String(), username: Type.String(), displayName: Type.String() })),
        subscriptions: SubscriptionsWire,
      }),
    ),
  },
  { $id: 'ApprovalProviders' },
)

const Person = Type.Object({ id: Type.String(), name: Type.String({ description: 'The username' }), fullname: Type.String(), email: Type.String() })
const ApprovalWire = Type.Object(
  {
    id: Type.String(),
    requestGuid: Nullable(Type.String({ description: 'The gated request: GET /jobs/{requestGuid}' })),
    description: Type.String({ description: 'E.g. `Provision User - Minnie Mouse`' }),
    event: Type.Object({
      object: Type.Union([Type.Literal('users'), Type.Literal('userservices'), Type.Literal('services'), Type.Literal('customers')]),
      action: Type.Union([Type.Literal('Provision'), Type.Literal('Deprovision'), Type.Literal('Cancel')]),
      label: Nullable(Type.String()),
    }),
    status: Status,
    requestDate: Type.String(),
    resolvedDate: Nullable(Type.String()),
    customer: Type.Object({ id: Type.String(), name: Type.String({ description: 'The short code' }), fullname: Type.String() }),
    requestedByUser: Nullable(Person),
    subscriptions: Type.Array(
      Type.Object({
        id: Type.String({ description: 'The GUID an approver answers (POST /approvals/{id}/decision)' }),
        provider: Type.String({ description: '`Workflow Managers` or the group' }),
        requestDate: Type.String(),
        resolvedDate: Nullable(Type.String()),
        status: Type.Union([Type.Literal('Pending'), Type.Literal('Accepted'), Type.Literal('Rejected'), Type.Literal('TimedOut'), Type.Literal('Closed')]),
        reason: Type.String(),
        user: Person,
      }),
    ),
  },
  { $id: 'Approval' },
)

const APPROVERS =
  'Approvers: a group\'s members (`membersToApprove` acceptances needed); for Workflow Managers, the chain of managers (`managerUserId` of users) of the user concerned — ' +
  'for user and user-service events that user, for customer-service events the requesting user when it belongs to the customer — up to `managers` levels, all of whom must accept; ' +
  "when that chain is empty, the customer's enabled owners and admins, one of whom suffices. Every subscribed provider and group must approve; one rejection or a timeout fails the request."

export function approvalsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(ProvidersWire)
  app.addSchema(ApprovalWire)
  const PW = Type.Ref('ApprovalProviders')
  const AW = Type.Ref('Approval')
  const Listing = Type.Object({ items: Type.Array(AW), total: Type.Integer() })

  r.get(
    '/orgs/:org_id/approval-providers',
    {
      schema: {
        tags: ['approvals'],
        summary: "A customer's approval providers (Workflow Managers, Workflow Groups)",
        description: 'Needs the write permission on the organisation (seed 004: the Update role permission).',
        params: Type.Object({ org_id: Id }),
        response: { 200: PW, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => getApprovalProviders(ctxOf(deps, req), { orgId: req.params.org_id }),
  )

  r.put(
    '/orgs/:org_id/approval-providers',
    {
      schema: {
        tags: ['approvals'],
        summary: "Merge a customer's approval providers",
        description:
          'Only the providers and groups named change, and in them only the values and subscription tags given (`access: None` removes a subscription); `members` (usernames of the customer\'s users) replaces a group\'s members; ' +
          '`action: delete` deletes a group. Events: Provision/Deprovision of `users`, of `userServices` and `services` per service label (name, display name, or `All`), and `Cancel` of `customers` (cancellation requests). ' +
          APPROVERS,
        params: Type.Object({ org_id: Id }),
        body: Type.Omit(setApprovalProviders.input, ['orgId'], STRICT),
        response: { 200: PW, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => setApprovalProviders(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id }),
  )

  r.delete(
    '/orgs/:org_id/approval-providers/groups/:name',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Delete a group of Workflow Groups',
        params: Type.Object({ org_id: Id, name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteApprovalGroup(ctxOf(deps, req), { orgId: req.params.org_id, name: req.params.name })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: "A customer's approval requests, newest first, with every approver's response",
        description: 'Needs the write permission on the organisation. ' + APPROVERS,
        params: Type.Object({ org_id: Id }),
        querystring: StatusQuery,
        response: { 200: Listing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const items = await listApprovals(ctxOf(deps, req), { orgId: req.params.org_id, ...req.query })
      return { items, total: items.length }
    },
  )

  r.get(
    '/orgs/:org_id/members/:member_id/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: "The approval requests addressed to a user, each with only that user's response",
        description: 'The user itself, or an actor with the write permission on its organisation.',
        params: Type.Object({ org_id: Id, member_id: Id }),
        querystring: StatusQuery,
        response: { 200: Listing, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const items = await listUserApprovals(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, ...req.query })
      return { items, total: items.length }
    },
  )

  r.get(
    '/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: "The approval requests addressed to the caller, each with only the caller's response",
        querystring: StatusQuery,
        response: { 200: Listing, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const items = await listUserApprovals(ctxOf(deps, req), { ...req.query })
      return { items, total: items.length }
    },
  )

  r.get(
    '/approvals/:id',
    {
      schema: {
        tags: ['approvals'],
        summary: "One approval request by a response's GUID (seed 004's GET <approval><id>)",
        description: "Its approver sees its own response; an actor with the write permission on the request's organisation sees them all; anyone else gets 404.",
        params: Type.Object({ id: Id }),
        response: { 200: AW, ...errorResponses(401, 404) },
      },
    },
    async (req) => getApproval(ctxOf(deps, req), { id: req.params.id }),
  )

  r.post(
    '/approvals/:id/decision',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Accept or reject an approval response (its approver only)',
        description:
          'One rejection fails the gated request with `rejected by <username>: <reason>` and puts its subject back; once every provider has its acceptances the work goes on. ' +
          '404 for anyone but the approver; 409 (`failed_precondition`) when the response was already answered or the request has ended. ' +
          APPROVERS,
        params: Type.Object({ id: Id }),
        body: Type.Omit(decideApproval.input, ['id', 'orgId', 'userId'], STRICT),
        response: { 200: AW, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => decideApproval(ctxOf(deps, req), { ...req.body, id: req.params.id }),
  )
}
