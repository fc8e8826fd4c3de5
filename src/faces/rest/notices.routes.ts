/**
 * Notices, contacts and contact methods on the native REST face (issue 13; the rules are the
 * operations', src/ops/notices/README.md):
 *
 *   GET    /contact-methods                                  the catalogue (email, sms, webhook)
 *   GET    /contact-notice-types                             the notice types
 *   POST   /notices                                          write a notice (201)   master or a reseller
 *   GET    /orgs/{org_id}/notices?since=                      the notices the organisation sees
 *   POST   /orgs/{org_id}/notices/{noticeId}/acknowledge      acknowledge one
 *   GET    /orgs/{org_id}/contacts                            contacts with methods and subscriptions
 *   POST   /orgs/{org_id}/contacts                            add a contact (201)
 *   PATCH  /orgs/{org_id}/contacts/{contactId}                change it
 *   DELETE /orgs/{org_id}/contacts/{contactId}                remove it (204)
 *   POST   /orgs/{org_id}/contacts/{contactId}/methods        add a contact method (201; a webhook's secret shown once)
 *   DELETE /orgs/{org_id}/contacts/{contactId}/methods/{methodId}            remove it (204)
 *   POST   /orgs/{org_id}/contacts/{contactId}/methods/{methodId}/notices    subscribe it to a notice type (201)
 *   DELETE /orgs/{org_id}/contacts/{contactId}/methods/{methodId}/notices/{subscriptionId}  (204)
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { createNotice } from '../../ops/notices/create-notice.js'
import { listNotices } from '../../ops/notices/list-notices.js'
import { acknowledgeNotice } from '../../ops/notices/acknowledge-notice.js'
import { listContactMethods, listContactNoticeTypes } from '../../ops/notices/list-catalogues.js'
import {
  addContactMethod,
  createContact,
  deleteContact,
  listContacts,
  removeContactMethod,
  subscribeContactMethod,
  unsubscribeContactMethod,
  updateContact,
} from '../../ops/notices/contacts.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'

const Time = Type.String({ format: 'date-time' })
const Id = Type.Integer({ minimum: 1, maximum: 2147483647 })
const StringMap = Type.Record(Type.String(), Type.String())
const Entry = Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() })

const NoticeWire = Type.Object({
  id: Type.Integer(),
  orgId: Type.Union([Type.String(), Type.Null()], { description: 'The customer it concerns; null for a subtree-wide (global) notice' }),
  global: Type.Boolean(),
  authorOrgId: Type.String(),
  noticeTypeId: Type.Integer(),
  noticeType: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  createdAt: Time,
  updatedAt: Time,
  acknowledged: Type.Boolean({ description: 'Whether the organisation asked about acknowledged it' }),
  acknowledgedAt: Type.Union([Time, Type.Null()]),
})

const SubscriptionWire = Type.Object({ id: Type.Integer(), noticeTypeId: Type.Integer(), noticeType: Type.String(), options: StringMap })
const MethodWire = Type.Object({
  id: Type.Integer(),
  contactId: Type.Integer(),
  methodId: Type.Integer(),
  method: Type.String(),
  address: Type.String(),
  options: StringMap,
  createdAt: Time,
  notices: Type.Array(SubscriptionWire),
})
const NewMethodWire = Type.Object({
  ...MethodWire.properties,
  secret: Type.Optional(Type.String({ description: 'A webhook’s signing secret, shown this once: deliveries carry X-Clientele-Timestamp and X-Clientele-Signature: sha256=HMAC(secret, timestamp + "." + body)' })),
})
const ContactWire = Type.Object({
  id: Type.Integer(),
  orgId: Type.String(),
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time,
  updatedAt: Time,
  methods: Type.Array(MethodWire),
})

const Org = Type.Object({ org_id: Type.String({ maxLength: 64 }) })
const OrgContact = Type.Object({ org_id: Type.String({ maxLength: 64 }), contactId: Id })
const OrgMethod = Type.Object({ org_id: Type.String({ maxLength: 64 }), contactId: Id, methodId: Id })
const tags = ['notices']

export function noticesRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get('/contact-methods', { schema: { tags, summary: 'The contact method catalogue (seed 001 listContactMethods)', response: { 200: Type.Object({ items: Type.Array(Entry) }), ...errorResponses(401) } } }, async (req) => ({
    items: await listContactMethods(ctxOf(deps, req), {}),
  }))

  r.get('/contact-notice-types', { schema: { tags, summary: 'The notice types (seed 001 listContactNoticeTypes)', response: { 200: Type.Object({ items: Type.Array(Entry) }), ...errorResponses(401) } } }, async (req) => ({
    items: await listContactNoticeTypes(ctxOf(deps, req), {}),
  }))

  r.post(
    '/notices',
    {
      schema: {
        tags,
        summary: 'Write a notice to one customer (orgId) or to the whole of the author’s subtree (no orgId)',
        description:
          'The master organisation or a reseller, with a role that may change organisations. A notice without orgId reaches every organisation under the author (the master’s: everyone). ' +
          'Every contact method subscribed to the notice type of every organisation it reaches receives it through the job queue (e-mail outbox, signed webhook POST; SMS is recorded undeliverable).',
        body: createNotice.input,
        response: { 201: NoticeWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const out = await createNotice(ctxOf(deps, req), req.body)
      reply.code(201)
      return out
    },
  )

  r.get(
    '/orgs/:org_id/notices',
    {
      schema: {
        tags,
        summary: 'The notices the organisation sees (seed 001 listNotices): its own, and the subtree-wide notices of the master and of the resellers above it',
        params: Org,
        querystring: Type.Object({ since: Type.Optional(Type.String({ maxLength: 40, description: 'Unix seconds or ISO 8601: notices created or updated before it are left out' })) }, STRICT),
        response: { 200: Type.Object({ items: Type.Array(NoticeWire) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ({ items: await listNotices(ctxOf(deps, req), { orgId: req.params.org_id, ...(req.query.since !== undefined ? { since: req.query.since } : {}) }) }),
  )

  r.post(
    '/orgs/:org_id/notices/:noticeId/acknowledge',
    {
      schema: {
        tags,
        summary: 'Acknowledge a notice for the organisation (seed 001 acknowledgeNotice)',
        params: Type.Object({ org_id: Type.String({ maxLength: 64 }), noticeId: Id }),
        response: { 200: Type.Object({ noticeId: Type.Integer(), acknowledged: Type.Boolean() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => acknowledgeNotice(ctxOf(deps, req), { orgId: req.params.org_id, noticeId: req.params.noticeId }),
  )

  r.get(
    '/orgs/:org_id/contacts',
    { schema: { tags, summary: 'The organisation’s contacts with their contact methods and subscriptions (seed 001 listContacts)', params: Org, response: { 200: Type.Object({ items: Type.Array(ContactWire) }), ...errorResponses(401, 404) } } },
    async (req) => ({ items: await listContacts(ctxOf(deps, req), { orgId: req.params.org_id }) }),
  )

  r.post(
    '/orgs/:org_id/contacts',
    {
      schema: {
        tags,
        summary: 'Add a contact (seed 001 createContact)',
        params: Org,
        body: Type.Omit(createContact.input, ['orgId'], STRICT),
        response: { 201: ContactWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const out = await createContact(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201)
      return out
    },
  )

  r.patch(
    '/orgs/:org_id/contacts/:contactId',
    {
      schema: {
        tags,
        summary: 'Change a contact (null clears e-mail or phone)',
        params: OrgContact,
        body: Type.Omit(updateContact.input, ['orgId', 'contactId'], STRICT),
        response: { 200: ContactWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => updateContact(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, contactId: req.params.contactId }),
  )

  r.delete(
    '/orgs/:org_id/contacts/:contactId',
    { schema: { tags, summary: 'Remove a contact, its contact methods and subscriptions (seed 001 destroyContact)', params: OrgContact, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (req, reply) => {
      await deleteContact(ctxOf(deps, req), { orgId: req.params.org_id, contactId: req.params.contactId })
      reply.code(204)
    },
  )

  r.post(
    '/orgs/:org_id/contacts/:contactId/methods',
    {
      schema: {
        tags,
        summary: 'Give a contact a contact method (seed 001 createContactMethod)',
        description: 'methodId (or method: email, sms, webhook) and the address: an e-mail address, an E.164 phone number, or an https URL (http for a loopback host only). A webhook’s signing secret is answered here once.',
        params: OrgContact,
        body: Type.Omit(addContactMethod.input, ['orgId', 'contactId'], STRICT),
        response: { 201: NewMethodWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const out = await addContactMethod(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, contactId: req.params.contactId })
      reply.code(201)
      return out
    },
  )

  r.delete(
    '/orgs/:org_id/contacts/:contactId/methods/:methodId',
    { schema: { tags, summary: 'Remove a contact method and its subscriptions (seed 001 destroyContactMethod)', params: OrgMethod, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (req, reply) => {
      await removeContactMethod(ctxOf(deps, req), { orgId: req.params.org_id, contactId: req.params.contactId, contactMethodId: req.params.methodId })
      reply.code(204)
    },
  )

  r.post(
    '/orgs/:org_id/contacts/:contactId/methods/:methodId/notices',
    {
      schema: {
        tags,
        summary: 'Subscribe a contact method to a notice type (seed 001 createContactMethodNotice)',
        params: OrgMethod,
        body: Type.Object({ noticeTypeId: Id, options: Type.Optional(subscribeContactMethod.input.properties.options) }, STRICT),
        response: { 201: Type.Object({ id: Type.Integer(), contactMethodId: Type.Integer(), noticeTypeId: Type.Integer(), noticeType: Type.String(), options: StringMap }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await subscribeContactMethod(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, contactId: req.params.contactId, contactMethodId: req.params.methodId })
      reply.code(201)
      return out
    },
  )

  r.delete(
    '/orgs/:org_id/contacts/:contactId/methods/:methodId/notices/:subscriptionId',
    {
      schema: {
        tags,
        summary: 'End a subscription (seed 001 destroyContactMethodNotice)',
        params: Type.Object({ org_id: Type.String({ maxLength: 64 }), contactId: Id, methodId: Id, subscriptionId: Id }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await unsubscribeContactMethod(ctxOf(deps, req), { orgId: req.params.org_id, contactId: req.params.contactId, contactMethodId: req.params.methodId, subscriptionId: req.params.subscriptionId })
      reply.code(204)
    },
  )
}
