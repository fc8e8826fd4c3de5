/**
 * A customer's account on the native REST face (issue 13, seed 001's listRoles, getUsername,
 * changePassword, changePIN, changeEmail, createKey/getKeys by type and the key ACLs by id; the
 * rules are the operations', src/ops/account/README.md and src/ops/keys/keys.ts):
 *
 *   GET    /roles                               the roles users and keys may hold
 *   GET    /orgs/{org_id}/username              the customer's owner login
 *   PUT    /orgs/{org_id}/password              set the owner's password (204)
 *   PUT    /orgs/{org_id}/pin                   set the support PIN (204)
 *   POST   /orgs/{org_id}/pin/verify            staff above: does this PIN match?
 *   POST   /orgs/{org_id}/email-change          change the owner's address (confirmed by mail where configured)
 *   POST   /email-change/confirm                public: the mailed token makes the new address current
 *   GET    /orgs/{org_id}/api-keys?role=        the keys acting for the customer, by the role they act with
 *   POST   /orgs/{org_id}/api-keys              a key acting for the customer (201; the secret shown once)
 *   PATCH  /api-key-acls/{acl_id}               change an ACL entry by its id alone
 *   DELETE /api-key-acls/{acl_id}               remove it (204)
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { changeCustomerEmail, changeCustomerPassword, changeCustomerPin, confirmEmailChange, getCustomerUsername, listRoles, verifyCustomerPin } from '../../ops/account/index.js'
import { createApiKey, deleteApiKeyAcl, listOrgApiKeys, updateApiKeyAcl } from '../../ops/keys/keys.js'
import { ROLES } from '../../core/roles.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { aclToWire, ApiKeyAclWire, ApiKeyWire, keyToWire } from './wire.js'

const Org = Type.Object({ org_id: Type.String({ maxLength: 64 }) })
const AclParams = Type.Object({ acl_id: Type.Integer({ minimum: 1, maximum: 2147483647 }) })
const RoleWire = Type.Object({ id: Type.Enum(ROLES), name: Type.String(), permissions: Type.Array(Type.String()) })
const EmailChangeWire = Type.Object({
  current: Type.String({ description: 'The address in force now (the old one while a change waits for confirmation)' }),
  pending: Type.Union([Type.String(), Type.Null()], { description: 'The new address, while it waits for the mailed token' }),
  confirmationRequired: Type.Boolean({ description: 'True where mail is configured: the new address is current only once confirmed' }),
})
const NetworkWire = Type.Object({ id: Type.Integer(), address: Type.String(), mask: Type.Integer() })
const OrgKeyWire = Type.Object({ ...ApiKeyWire.properties, actsAs: Type.Enum(ROLES, { description: 'The role the key acts with now (seed 001’s key type)' }), acls: Type.Array(NetworkWire) })
const tags = ['account']

export function accountRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/roles',
    {
      schema: {
        tags,
        summary: 'The roles users and API keys may hold, with their permissions (seed 001 listRoles)',
        querystring: Type.Object({ orgId: Type.Optional(Type.String({ maxLength: 64 })) }, STRICT),
        response: { 200: Type.Object({ items: Type.Array(RoleWire) }), ...errorResponses(401, 404) },
      },
    },
    async (req) => ({ items: await listRoles(ctxOf(deps, req), req.query.orgId !== undefined ? { orgId: req.query.orgId } : {}) }),
  )

  r.get(
    '/orgs/:org_id/username',
    {
      schema: {
        tags,
        summary: "The customer's username: its owner's login (seed 001 getUsername)",
        params: Org,
        response: { 200: Type.Object({ username: Type.String(), userId: Type.String() }), ...errorResponses(401, 404) },
      },
    },
    async (req) => getCustomerUsername(ctxOf(deps, req), { orgId: req.params.org_id }),
  )

  r.put(
    '/orgs/:org_id/password',
    {
      schema: {
        tags,
        summary: "Set the customer owner's password (seed 001 changePassword); its sessions and cached credentials end",
        description: 'An administrator of a parent organisation, or the customer’s owner (giving currentPassword unless the call came with Basic credentials) or a superadmin of it.',
        params: Org,
        body: Type.Omit(changeCustomerPassword.input, ['orgId'], STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      await changeCustomerPassword(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(204)
    },
  )

  r.put(
    '/orgs/:org_id/pin',
    {
      schema: {
        tags,
        summary: "Set the customer's support PIN, 4 to 12 digits, stored hashed (seed 001 changePIN)",
        params: Org,
        body: Type.Omit(changeCustomerPin.input, ['orgId'], STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await changeCustomerPin(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(204)
    },
  )

  r.post(
    '/orgs/:org_id/pin/verify',
    {
      schema: {
        tags,
        summary: "Whether a PIN is the customer's support PIN, for support staff and administrators of a parent organisation",
        description: 'Throttled as password guesses are: past the limit the answer is 429 with Retry-After, without checking.',
        params: Org,
        body: Type.Omit(verifyCustomerPin.input, ['orgId'], STRICT),
        response: { 200: Type.Object({ match: Type.Boolean() }), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req) => verifyCustomerPin(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id }),
  )

  r.post(
    '/orgs/:org_id/email-change',
    {
      schema: {
        tags,
        summary: "Change the customer owner's e-mail address (seed 001 changeEmail)",
        description:
          'Where mail is configured the old address stays in force and a confirmation token is mailed to the new one (valid 24 hours, once): confirmationRequired is true. ' +
          'Where it is not, the address changes at once and confirmationRequired is false.',
        params: Org,
        body: Type.Omit(changeCustomerEmail.input, ['orgId'], STRICT),
        response: { 200: EmailChangeWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => changeCustomerEmail(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id }),
  )

  r.post(
    '/email-change/confirm',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Confirm an e-mail change with the mailed token; the new address becomes current (no credentials: the token is the credential)',
        body: Type.Object({ token: Type.String({ maxLength: 64 }) }, STRICT),
        response: { 200: EmailChangeWire, ...errorResponses(400) },
      },
    },
    async (req) => confirmEmailChange(deps, { token: req.body.token }),
  )

  r.get(
    '/orgs/:org_id/api-keys',
    {
      schema: {
        tags,
        summary: 'The API keys acting for the organisation that you may manage, with their ACL entries; role= keeps those acting with that role (seed 001 getKeys)',
        params: Org,
        querystring: Type.Object({ role: Type.Optional(Type.Enum(ROLES)) }, STRICT),
        response: { 200: Type.Object({ items: Type.Array(OrgKeyWire) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ({
      items: (await listOrgApiKeys(ctxOf(deps, req), { orgId: req.params.org_id, ...(req.query.role !== undefined ? { role: req.query.role } : {}) })).map((k) => ({
        ...keyToWire(k),
        actsAs: k.actsAs,
        acls: k.acls.map((a) => ({ id: a.id, address: a.address, mask: a.mask })),
      })),
    }),
  )

  r.post(
    '/orgs/:org_id/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key acting for the organisation, with at most `role` (seed 001 createKey); named after its role when no name is given; the secret is shown once',
        params: Org,
        body: Type.Omit(createApiKey.input, ['orgId'], STRICT),
        response: { 201: Type.Object({ ...ApiKeyWire.properties, secret: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const k = await createApiKey(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201).header('cache-control', 'no-store')
      return { ...keyToWire(k), secret: k.secret }
    },
  )

  r.patch(
    '/api-key-acls/:acl_id',
    {
      schema: {
        tags,
        summary: 'Change an IP ACL entry by its id: address, mask or both (seed 001 updateKeyACL)',
        params: AclParams,
        body: Type.Omit(updateApiKeyAcl.input, ['keyId', 'aclId'], STRICT),
        response: { 200: ApiKeyAclWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => aclToWire(await updateApiKeyAcl(ctxOf(deps, req), { ...req.body, aclId: req.params.acl_id })),
  )

  r.delete(
    '/api-key-acls/:acl_id',
    {
      schema: { tags, summary: 'Remove an IP ACL entry by its id (seed 001 deleteKeyACL)', params: AclParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
    },
    async (req, reply) => {
      await deleteApiKeyAcl(ctxOf(deps, req), { aclId: req.params.acl_id })
      reply.code(204)
    },
  )
}
