/**
 * Domains and registrars on the native REST face (seed 000's registerDomain / unregisterDomain):
 *
 *   GET    /orgs/{org_id}/domains                      {items: [{name, unicodeName, registrar, status, createdAt}], total}
 *   POST   /orgs/{org_id}/domains                      {domain, username?, password?} → 201, 200 when already held
 *   POST   /orgs/{org_id}/domains/{domain}/unregister  {username?, password?} (or no body) → 204
 *   GET    /registrars                                 everyone; settings for catalogue writers only
 *   PUT    /registrars/{name}                          master organisation, catalogue writers
 *   DELETE /registrars/{name}                          refused (409) while domains use it
 *
 * Unregistering is a POST rather than a DELETE because it carries the customer's portal
 * credentials, which belong in a JSON body (never in a URL or a header that proxies log), and
 * a body on DELETE is dropped by many clients.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { listDomains, registerDomain, unregisterDomain } from '../../ops/domains/domains.js'
import { listRegistrars } from '../../ops/domains/list-registrars.js'
import { putRegistrar } from '../../ops/domains/put-registrar.js'
import { deleteRegistrar } from '../../ops/domains/delete-registrar.js'
import { Credential, DomainInput, RegistrarName } from '../../ops/domains/schema.js'

const Id = Type.String({ maxLength: 64 })
const CREDENTIALS =
  "The customer's portal username and password are passed to the registrar and never stored, logged or answered; " +
  'the built-in `local` registrar needs none.'

const DomainWire = Type.Object({
  name: Type.String({ description: 'The ASCII (punycode) form, lower case' }),
  unicodeName: Type.String(),
  registrar: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('registered'), Type.Literal('unregistering')]),
  createdAt: Type.String({ format: 'date-time' }),
})
const DomainChangeWire = Type.Object({
  domain: Type.String({ description: 'The ASCII (punycode) form, lower case' }),
  registrar: Type.String(),
  created: Type.Boolean({ description: 'false when the organisation already held it (the registrar was not asked again)' }),
})
const RegistrarWire = Type.Object({
  name: Type.String(),
  driver: Type.Union([Type.Literal('local'), Type.Literal('webhook')]),
  url: Type.Optional(Type.String()),
  timeoutSeconds: Type.Optional(Type.Number()),
  secret: Type.Optional(Type.Object({ set: Type.Literal(true) }, { description: 'The signing secret is never shown' })),
  tlds: Type.Array(Type.String()),
  isDefault: Type.Boolean(),
  builtIn: Type.Boolean(),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
  updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
})

/** A POST whose body may be left out: treated as `{}`. */
async function emptyBodyIsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {}
}

export function domainsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/orgs/:org_id/domains',
    {
      schema: {
        tags: ['domains'],
        summary: 'The domain names an organisation holds',
        params: Type.Object({ org_id: Id }),
        response: { 200: Type.Object({ items: Type.Array(DomainWire), total: Type.Integer() }), ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const items = await listDomains(ctxOf(deps, req), { orgId: req.params.org_id })
      return { items, total: items.length }
    },
  )

  r.post(
    '/orgs/:org_id/domains',
    {
      schema: {
        tags: ['domains'],
        summary: 'Register a domain name to an organisation',
        description:
          'Unicode names are converted to punycode. Answers 201 when registered now, 200 when the organisation already held it; ' +
          '409 `already_exists` when another customer holds it, 409 `failed_precondition` when the registrar refuses, 503 when it ' +
          'cannot be reached. ' +
          CREDENTIALS,
        params: Type.Object({ org_id: Id }),
        body: Type.Omit(registerDomain.input, ['orgId'], STRICT),
        response: { 200: DomainChangeWire, 201: DomainChangeWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const d = await registerDomain(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(d.created ? 201 : 200)
      return { domain: d.domain, registrar: d.registrar, created: d.created ?? false }
    },
  )

  r.post(
    '/orgs/:org_id/domains/:domain/unregister',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['domains'],
        summary: 'Unregister a domain name an organisation holds',
        description: `The body may be left out. 404 when the organisation does not hold the name. ${CREDENTIALS}`,
        params: Type.Object({ org_id: Id, domain: DomainInput }),
        body: Type.Object({ username: Type.Optional(Credential), password: Type.Optional(Credential) }, STRICT),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await unregisterDomain(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, domain: req.params.domain })
      reply.code(204)
    },
  )

  r.get(
    '/registrars',
    {
      schema: {
        tags: ['domains'],
        summary: 'List the registrars (the built-in `local` among them)',
        description: 'Settings (url, timeout) are shown to the master organisation\'s catalogue writers only; the secret to nobody.',
        response: { 200: Type.Object({ items: Type.Array(RegistrarWire), total: Type.Integer() }), ...errorResponses(401) },
      },
    },
    async (req) => {
      const items = await listRegistrars(ctxOf(deps, req), {})
      return { items, total: items.length }
    },
  )

  r.put(
    '/registrars/:name',
    {
      schema: {
        tags: ['domains'],
        summary: 'Create or replace a registrar (master organisation)',
        description:
          'A domain goes to the registrar listing its TLD, else to the default registrar (when it lists no TLDs), else to the built-in `local`. ' +
          'The webhook `secret` is stored encrypted and answered as `{"set": true}`; left out, or given as `{"set": true}`, it keeps the stored one.',
        params: Type.Object({ name: RegistrarName }),
        body: Type.Omit(putRegistrar.input, ['name'], STRICT),
        response: { 200: RegistrarWire, 201: RegistrarWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const out = await putRegistrar(ctxOf(deps, req), { ...req.body, name: req.params.name })
      reply.code(out.created ? 201 : 200)
      return out.registrar
    },
  )

  r.delete(
    '/registrars/:name',
    {
      schema: {
        tags: ['domains'],
        summary: 'Delete a registrar no domain uses',
        params: Type.Object({ name: RegistrarName }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await deleteRegistrar(ctxOf(deps, req), { name: req.params.name })
      reply.code(204)
    },
  )
}
