/** Members (users), the owner and groups of an organisation, in the `/orgs` face's style (seed 003's members and owner). */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { createUser } from '../../ops/users/create-user.js'
import { getUser } from '../../ops/users/get-user.js'
import { listUsers } from '../../ops/users/list-users.js'
import { updateUser } from '../../ops/users/update-user.js'
import { deleteUser } from '../../ops/users/delete-user.js'
import { addMember } from '../../ops/users/add-member.js'
import { updateMember } from '../../ops/users/update-member.js'
import { deleteOwner, setOwner } from '../../ops/users/owner.js'
import { ENHANCE_ROLES, roleFromEnhance, roleFromEnhanceList } from '../../core/roles.js'
import { createGroup } from '../../ops/groups/create-group.js'
import { listGroups } from '../../ops/groups/list-groups.js'
import { deleteGroup } from '../../ops/groups/delete-group.js'
import { addGroupMember, listGroupMembers, removeGroupMember } from '../../ops/groups/group-members.js'
import { absoluteUrl, ctxOf, etag, ifMatchVersion, mutatingCtxOf, sendJsonText } from '../http.js'
import { createLoginLink } from '../../ops/users/create-login-link.js'
import { GroupWire, groupToWire, MembersListing, MemberWire, NewResourceUuid, userToWire } from './wire.js'
import { errorResponses, STRICT, PageLimit, pageLimit } from './openapi.js'

const Id = Type.String({ maxLength: 64 })
const MemberParams = Type.Object({ org_id: Id, member_id: Id })
const GroupParams = Type.Object({ org_id: Id, group_id: Id })
const EnhanceRole = Type.Enum(ENHANCE_ROLES)
const MembersQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    limit: Type.Optional(PageLimit),
    sortBy: Type.Optional(Type.Enum(['status', 'joinedAt'] as const)),
    sortOrder: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
    role: Type.Optional(EnhanceRole),
    siteAccess: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)
/** Answers 200 with no content, as seed 003's document gives its member and owner updates. */
function emptyOk(reply: FastifyReply): void {
  reply.code(200).send()
}

/** Seed 003's member sort keys, in the user listing's words. */
const MEMBER_SORT = { status: 'enabled', joinedAt: 'createdAt' } as const
/** Seed 003's `NewMember`. */
const NewMember = Type.Object({ loginId: Type.String({ maxLength: 64 }), roles: Type.Array(EnhanceRole, { maxItems: 6 }) }, { additionalProperties: false })
/** Seed 003's `UpdateMember`. */
const UpdateMember = Type.Object(
  {
    roles: Type.Optional(Type.Array(EnhanceRole, { maxItems: 6 })),
    siteAccesses: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
    notifications: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
)

export function membersRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/orgs/:org_id/members',
    {
      schema: {
        tags: ['members'],
        summary: "List the users of an organisation (seed 003's getMembers)",
        params: Type.Object({ org_id: Id }),
        querystring: MembersQuery,
        response: { 200: MembersListing, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const q = req.query
      const out = await listUsers(ctxOf(deps, req), {
        orgId: req.params.org_id,
        ...(q.offset !== undefined ? { offset: q.offset } : {}),
        ...(q.limit !== undefined ? { limit: pageLimit(q.limit)! } : {}),
        ...(q.sortBy !== undefined ? { sortBy: MEMBER_SORT[q.sortBy] } : {}),
        ...(q.sortOrder !== undefined ? { sortOrder: q.sortOrder } : {}),
        ...(q.role !== undefined ? { roles: [roleFromEnhance(q.role)] } : {}),
        ...(q.siteAccess !== undefined ? { siteAccess: q.siteAccess } : {}),
      })
      return { items: out.items.map(userToWire), total: out.total }
    },
  )

  r.post(
    '/orgs/:org_id/members',
    {
      schema: {
        tags: ['members'],
        summary: "Make a login a member with roles (seed 003's createMember `{loginId, roles}`), or create a user (Clientele's body)",
        params: Type.Object({ org_id: Id }),
        body: Type.Union([NewMember, Type.Omit(createUser.input, ['orgId'], STRICT)]),
        response: { 201: NewResourceUuid, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(deps, req)
      const b = req.body
      const u =
        'loginId' in b
          ? await addMember(ctx, { orgId: req.params.org_id, loginId: b.loginId, role: roleFromEnhanceList(b.roles) })
          : await createUser(ctx, { ...b, orgId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${u.orgId}/members/${u.id}`).header('etag', etag(u.version))
      return { id: u.id }
    },
  )

  r.get(
    '/orgs/:org_id/members/:member_id',
    { schema: { tags: ['members'], summary: 'Get a user', params: MemberParams, response: { 200: MemberWire, ...errorResponses(401, 404) } } },
    async (req, reply) => {
      const u = await getUser(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id })
      reply.header('etag', etag(u.version))
      return userToWire(u)
    },
  )

  r.get(
    '/orgs/:org_id/members/:member_id/sso',
    {
      schema: {
        tags: ['members'],
        summary:
          "Seed 003's getOrgMemberLogin: a one-time link (an absolute URL of `GET /login/sessions/sso?otp=…`) that opens the member's session once, within 60 s; " +
          'needs member.write and a role that may grant the member\'s. Recorded as a request (X-Job-Guid)',
        params: MemberParams,
        response: { 201: Type.String({ format: 'uri' }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      // The host is checked before anything is made, so a refused link leaves no live password behind.
      const url = absoluteUrl(req, '/login/sessions/sso')
      const link = await createLoginLink(mutatingCtxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id })
      url.searchParams.set('otp', link.otp)
      if (req.exec?.guid) reply.header('x-job-guid', req.exec.guid)
      // The document's answer is a JSON string; Fastify would send a returned string as text.
      sendJsonText(reply.code(201).header('cache-control', 'no-store'), JSON.stringify(url.toString()))
    },
  )

  r.put(
    '/orgs/:org_id/members/:member_id',
    {
      schema: {
        tags: ['members'],
        summary: "Change a member's roles (seed 003's updateMember); answers 200 with no content",
        params: MemberParams,
        body: UpdateMember,
        response: { 200: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const b = req.body
      await updateMember(ctxOf(deps, req), {
        orgId: req.params.org_id,
        userId: req.params.member_id,
        ...(b.roles !== undefined ? { role: roleFromEnhanceList(b.roles) } : {}),
        ...(b.siteAccesses !== undefined ? { siteAccesses: b.siteAccesses } : {}),
        ...(b.notifications !== undefined ? { notifications: b.notifications } : {}),
      })
      emptyOk(reply)
    },
  )

  r.put(
    '/orgs/:org_id/owner',
    {
      schema: {
        tags: ['members'],
        summary: "Make a member the organisation's owner (seed 003's updateOwner); previous owners become admin",
        params: Type.Object({ org_id: Id }),
        body: Type.Object({ memberId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await setOwner(ctxOf(deps, req), { orgId: req.params.org_id, memberId: req.body.memberId })
      emptyOk(reply)
    },
  )

  r.delete(
    '/orgs/:org_id/owner',
    {
      schema: {
        tags: ['members'],
        summary: "Leave the organisation without an owner (seed 003's deleteOwner); its owners become admin",
        params: Type.Object({ org_id: Id }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteOwner(ctxOf(deps, req), { orgId: req.params.org_id })
      reply.code(204)
    },
  )

  r.patch(
    '/orgs/:org_id/members/:member_id',
    {
      schema: {
        tags: ['members'],
        summary: 'Change a user (If-Match for optimistic concurrency)',
        params: MemberParams,
        body: Type.Omit(updateUser.input, ['orgId', 'userId', 'expectedVersion', 'authMethod'], STRICT),
        response: { 200: MemberWire, ...errorResponses(400, 401, 403, 404, 412) },
      },
    },
    async (req, reply) => {
      const u = await updateUser(ctxOf(deps, req), {
        ...req.body,
        orgId: req.params.org_id,
        userId: req.params.member_id,
        expectedVersion: ifMatchVersion(req),
      })
      reply.header('etag', etag(u.version))
      return userToWire(u)
    },
  )

  r.delete(
    '/orgs/:org_id/members/:member_id',
    {
      schema: {
        tags: ['members'],
        summary: "Delete a user (never an organisation's last)",
        description:
          '204 when deleted. 202 when an approval provider subscribes to `users` Deprovision: the request (`X-Job-Guid`, `Location: /jobs/{guid}`) waits `pending` ' +
          'until the approvers decide (GET /orgs/{org_id}/approvals); acceptance deletes the user.',
        params: MemberParams,
        response: { 202: Type.Object({ approvalPending: Type.Boolean() }), 204: Type.Null(), ...errorResponses(401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await deleteUser(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, expectedVersion: ifMatchVersion(req) })
      if (out.approvalPending) {
        if (req.exec?.guid) reply.header('location', `/jobs/${req.exec.guid}`)
        return reply.code(202).send({ approvalPending: true })
      }
      reply.code(204)
    },
  )

  r.post(
    '/orgs/:org_id/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Create a group of users',
        params: Type.Object({ org_id: Id }),
        body: Type.Omit(createGroup.input, ['orgId'], STRICT),
        response: { 201: NewResourceUuid, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const g = await createGroup(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${g.orgId}/groups/${g.id}`)
      return { id: g.id }
    },
  )

  r.get(
    '/orgs/:org_id/groups',
    { schema: { tags: ['groups'], summary: 'List the groups of an organisation', params: Type.Object({ org_id: Id }), response: { 200: Type.Object({ items: Type.Array(GroupWire), total: Type.Integer() }), ...errorResponses(401, 404) } } },
    async (req) => {
      const items = (await listGroups(ctxOf(deps, req), { orgId: req.params.org_id })).map(groupToWire)
      return { items, total: items.length }
    },
  )

  r.delete(
    '/orgs/:org_id/groups/:group_id',
    { schema: { tags: ['groups'], summary: 'Delete a group', params: GroupParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (req, reply) => {
      await deleteGroup(ctxOf(deps, req), { orgId: req.params.org_id, groupId: req.params.group_id })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/groups/:group_id/members',
    { schema: { tags: ['groups'], summary: 'List a group\'s members', params: GroupParams, response: { 200: MembersListing, ...errorResponses(401, 404) } } },
    async (req) => {
      const items = (await listGroupMembers(ctxOf(deps, req), { orgId: req.params.org_id, groupId: req.params.group_id })).map(userToWire)
      return { items, total: items.length }
    },
  )

  r.post(
    '/orgs/:org_id/groups/:group_id/members',
    {
      schema: {
        tags: ['groups'],
        summary: 'Add a user to a group',
        params: GroupParams,
        body: Type.Object({ userId: Id }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await addGroupMember(ctxOf(deps, req), { orgId: req.params.org_id, groupId: req.params.group_id, userId: req.body.userId })
      reply.code(204)
    },
  )

  r.delete(
    '/orgs/:org_id/groups/:group_id/members/:user_id',
    { schema: { tags: ['groups'], summary: 'Remove a user from a group', params: Type.Object({ org_id: Id, group_id: Id, user_id: Id }), response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (req, reply) => {
      await removeGroupMember(ctxOf(deps, req), { orgId: req.params.org_id, groupId: req.params.group_id, userId: req.params.user_id })
      reply.code(204)
    },
  )
}
