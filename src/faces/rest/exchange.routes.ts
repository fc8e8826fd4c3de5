/**
 * Distribution groups and contacts of a customer's service (seed 004's `<distributiongroups>`
 * and `<contacts>`) on the native REST face:
 *
 *   GET    /orgs/{org_id}/services/{service}/distribution-groups[?displayNameFilter&emailFilter&pageIndex&pageSize&members=true]
 *   POST   /orgs/{org_id}/services/{service}/distribution-groups        create or change (merge): 201 or 200
 *   GET    /orgs/{org_id}/services/{service}/distribution-groups/{group_id}[?members=true]
 *   DELETE /orgs/{org_id}/services/{service}/distribution-groups/{group_id}
 *   GET    /orgs/{org_id}/members/{member_id}/services/{service}/distribution-groups
 *   POST   /orgs/{org_id}/members/{member_id}/services/{service}/distribution-groups   {groups: [{path|displayName|…, selected}]}
 *   GET    /orgs/{org_id}/services/{service}/contacts[?displayNameFilter&syncFilter&pageIndex&pageSize]
 *   POST   /orgs/{org_id}/services/{service}/contacts                   create or change (merge): 201 or 200
 *   GET    /orgs/{org_id}/services/{service}/contacts/{contact_id}
 *   DELETE /orgs/{org_id}/services/{service}/contacts/{contact_id}
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { CatalogName } from '../../ops/catalog/schema.js'
import { CONTACT_TEXT_FIELDS, MAX_PAGE_SIZE } from '../../core/exchange.js'
import { listDistributionGroups } from '../../ops/exchange/list-distribution-groups.js'
import { getDistributionGroup } from '../../ops/exchange/get-distribution-group.js'
import { GroupInput, setDistributionGroup } from '../../ops/exchange/set-distribution-group.js'
import { deleteDistributionGroup } from '../../ops/exchange/delete-distribution-group.js'
import { listUserDistributionGroups } from '../../ops/exchange/list-user-distribution-groups.js'
import { selectUserDistributionGroups } from '../../ops/exchange/select-user-distribution-groups.js'
import { listContacts } from '../../ops/exchange/list-contacts.js'
import { getContact } from '../../ops/exchange/get-contact.js'
import { ContactInput, setContact } from '../../ops/exchange/set-contact.js'
import { deleteContact } from '../../ops/exchange/delete-contact.js'

const Id = Type.String({ maxLength: 64 })
const MemberWire = Type.Object({
  displayName: Type.String(),
  syncObjectId: Type.String(),
  path: Type.String(),
  email: Type.String(),
  enabled: Type.Boolean(),
  userId: Type.Union([Type.String(), Type.Null()], { description: "The customer's user this entry is, or null" }),
})
const List = Type.Optional(Type.Array(MemberWire))
const GroupWire = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    syncObjectId: Type.String(),
    enabled: Type.Boolean(),
    path: Type.String(),
    email: Type.String(),
    emailAlias: Type.String(),
    mailTip: Type.String(),
    groupType: Type.String(),
    hideFromAddressLists: Type.Boolean(),
    requireSenderAuthentication: Type.Boolean(),
    memberJoinRestriction: Type.String(),
    memberDepartRestriction: Type.String(),
    sendModerationNotifications: Type.String(),
    emailAddresses: Type.Array(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    owners: List,
    members: List,
    sendAsMembers: List,
    sendRestrictionAcceptedMembers: List,
    sendRestrictionRejectedMembers: List,
  },
  { $id: 'DistributionGroup', description: 'The lists (owners, members, …) are present only when asked for (`members=true`)' },
)
const ContactWire = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    syncObjectId: Type.String(),
    enabled: Type.Boolean(),
    path: Type.String(),
    hideFromAddressLists: Type.Boolean(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    ...Object.fromEntries(CONTACT_TEXT_FIELDS.map((f) => [f, Type.String()])),
  },
  { $id: 'ExchangeContact' },
)
const Page = (item: ReturnType<typeof Type.Ref>) => Type.Object({ items: Type.Array(item), total: Type.Integer(), pageIndex: Type.Integer(), pageSize: Type.Integer() })
const PageQuery = {
  pageIndex: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: '1-based' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `At most ${MAX_PAGE_SIZE}; default 100` })),
}
const Filter = (what: string) => Type.Optional(Type.String({ maxLength: 256, description: `A case-insensitive prefix of the ${what}` }))
const ServiceParams = Type.Object({ org_id: Id, service: CatalogName })
const HELD = ' 404 (`resource` `service`) when the customer does not hold the service.'

export function exchangeRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(GroupWire)
  app.addSchema(ContactWire)
  const G = Type.Ref('DistributionGroup')
  const C = Type.Ref('ExchangeContact')

  r.get(
    '/orgs/:org_id/services/:service/distribution-groups',
    {
      schema: {
        tags: ['exchange'],
        summary: "List the distribution groups of a customer's service, by display name",
        description: 'Lists come only with `members=true`.' + HELD,
        params: ServiceParams,
        querystring: Type.Object({ displayNameFilter: Filter('display name'), emailFilter: Filter('primary e-mail address'), ...PageQuery, members: Type.Optional(Type.Boolean()) }, STRICT),
        response: { 200: Page(G), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const { members, ...q } = req.query
      return listDistributionGroups(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, ...q, ...(members !== undefined ? { withMembers: members } : {}) })
    },
  )

  r.post(
    '/orgs/:org_id/services/:service/distribution-groups',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Create or change a distribution group (merge)',
        description:
          'The group with the `id`, `syncObjectId`, `path` or `displayName` given (in that order) is changed: fields given replace, lists given replace that list, the rest is kept; otherwise a new group is made (201; it needs `displayName`). Needs org.write.' +
          HELD,
        params: ServiceParams,
        body: GroupInput,
        response: { 200: G, 201: G, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await setDistributionGroup(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, group: req.body })
      if (out.created) reply.code(201)
      return out.group
    },
  )

  r.get(
    '/orgs/:org_id/services/:service/distribution-groups/:group_id',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Get a distribution group (its lists with `members=true`)',
        params: Type.Object({ org_id: Id, service: CatalogName, group_id: Id }),
        querystring: Type.Object({ members: Type.Optional(Type.Boolean()) }, STRICT),
        response: { 200: G, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) =>
      getDistributionGroup(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, id: req.params.group_id, withMembers: req.query.members === true }),
  )

  r.delete(
    '/orgs/:org_id/services/:service/distribution-groups/:group_id',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Delete a distribution group',
        params: Type.Object({ org_id: Id, service: CatalogName, group_id: Id }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteDistributionGroup(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, id: req.params.group_id })
      reply.code(204)
    },
  )

  const UserServiceParams = Type.Object({ org_id: Id, member_id: Id, service: CatalogName })

  r.get(
    '/orgs/:org_id/members/:member_id/services/:service/distribution-groups',
    {
      schema: {
        tags: ['exchange'],
        summary: 'The distribution groups a user is a member of',
        description: '404 (`resource` `service`) when the user does not hold the service.',
        params: UserServiceParams,
        response: { 200: Type.Object({ items: Type.Array(G), total: Type.Integer() }), ...errorResponses(401, 404) },
      },
    },
    async (req) => listUserDistributionGroups(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, service: req.params.service }),
  )

  r.post(
    '/orgs/:org_id/members/:member_id/services/:service/distribution-groups',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Select a user into distribution groups, or out of them',
        description:
          'Each entry names a group (`id`, `syncObjectId`, `path` or `displayName`) and `selected`; all or nothing. Answers the user\'s groups afterwards. Needs member.write.',
        params: UserServiceParams,
        body: Type.Omit(selectUserDistributionGroups.input, ['orgId', 'userId', 'service'], STRICT),
        response: { 200: Type.Object({ items: Type.Array(G), total: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      selectUserDistributionGroups(ctxOf(deps, req), { orgId: req.params.org_id, userId: req.params.member_id, service: req.params.service, groups: req.body.groups }),
  )

  r.get(
    '/orgs/:org_id/services/:service/contacts',
    {
      schema: {
        tags: ['exchange'],
        summary: "List the contacts of a customer's service, by display name",
        description: HELD.trim(),
        params: ServiceParams,
        querystring: Type.Object({ displayNameFilter: Filter('display name'), syncFilter: Filter('sync object id'), ...PageQuery }, STRICT),
        response: { 200: Page(C), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => listContacts(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, ...req.query }),
  )

  r.post(
    '/orgs/:org_id/services/:service/contacts',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Create or change a contact (merge)',
        description:
          'The contact with the `id`, `syncObjectId`, `path` or `displayName` given (in that order) is changed (fields given replace); otherwise a new one is made (201; it needs `displayName`). Needs org.write.' + HELD,
        params: ServiceParams,
        body: ContactInput,
        response: { 200: C, 201: C, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await setContact(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, contact: req.body })
      if (out.created) reply.code(201)
      return out.contact
    },
  )

  r.get(
    '/orgs/:org_id/services/:service/contacts/:contact_id',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Get a contact',
        params: Type.Object({ org_id: Id, service: CatalogName, contact_id: Id }),
        response: { 200: C, ...errorResponses(401, 404) },
      },
    },
    async (req) => getContact(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, id: req.params.contact_id }),
  )

  r.delete(
    '/orgs/:org_id/services/:service/contacts/:contact_id',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Delete a contact',
        params: Type.Object({ org_id: Id, service: CatalogName, contact_id: Id }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteContact(ctxOf(deps, req), { orgId: req.params.org_id, service: req.params.service, id: req.params.contact_id })
      reply.code(204)
    },
  )
}
