/**
 * The `/v3/admin` face of seed 002: customers of the caller's organisation and the cloud
 * providers allowed to them. Each route decodes the seed's snake_case, calls one operation and
 * encodes; errors stay `application/problem+json` (the shared error handler).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { createCustomer } from '../../ops/orgs/create-customer.js'
import { deleteOrg } from '../../ops/orgs/delete-org.js'
import { listSelfAndCustomers } from '../../ops/orgs/list-self-and-customers.js'
import { getCustomerWithUsage } from '../../ops/cloud/get-customer-with-usage.js'
import { updateCustomerWithUsage } from '../../ops/cloud/update-customer-with-usage.js'
import { listAllowedProviders } from '../../ops/cloud/list-allowed-providers.js'
import { ctxOf } from '../http.js'
import { errorResponses } from '../rest/openapi.js'
import { HTTP_STATUS, problem } from '../rest/problem.js'
import type { DomainError, ErrorCode } from '../../core/errors.js'
import {
  CloudProviderWire,
  CreateCustomerBody,
  CustomerCreated,
  CustomerListItem,
  CustomerShown,
  toCloudProvider,
  toCreated,
  toListItem,
  toShown,
  UpdateCustomerBody,
} from './wire.js'

const Id = Type.String({ maxLength: 64 })

/** The native names of the fields this face spells in snake_case, as operations name them in errors. */
const WIRE_NAMES: Record<string, string> = {
  externalId: 'external_id',
  externalMetadata: 'external_metadata',
  licensingEnabled: 'licensing_enabled',
  skinNames: 'skin_names',
}

/** Writes this face's errors as every REST face does, with the field named as this face spells it. */
function v3Errors(reply: FastifyReply, code: ErrorCode, message: string, err: DomainError): FastifyReply {
  const field = err.details?.field
  const wire = typeof field === 'string' ? WIRE_NAMES[field.split('.')[0]!] : undefined
  const details = wire && err.details ? { ...err.details, field: wire + (field as string).slice((field as string).split('.')[0]!.length) } : err.details
  const detail = wire ? message.replace(new RegExp(`^${(field as string).split('.')[0]}\\b`), wire) : message
  return reply
    .code(HTTP_STATUS[code])
    .type('application/problem+json')
    .send(problem(code, detail, code === 'internal' ? undefined : details))
}
const V3 = { errorWriter: v3Errors }
const TAGS = ['admin-v3']

export function adminV3Routes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/v3/admin/customers',
    {
      config: V3,
      schema: {
        tags: TAGS,
        summary: "List customers: the caller's own organisation (admin: true), then its direct customers",
        response: { 200: Type.Array(CustomerListItem), ...errorResponses(401) },
      },
    },
    async (req) => {
      const ctx = ctxOf(deps, req)
      const { self, customers } = await listSelfAndCustomers(ctx, {})
      return [self, ...customers].map((o) => toListItem(o, ctx.actor.orgId))
    },
  )

  r.post(
    '/v3/admin/customers',
    {
      config: V3,
      schema: {
        tags: TAGS,
        summary: "Create a customer of the caller's organisation",
        body: CreateCustomerBody,
        response: { 201: CustomerCreated, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(deps, req)
      const b = req.body
      const org = await createCustomer(ctx, {
        parentId: ctx.actor.orgId,
        name: b.name,
        skinNames: b.skin_names,
        externalId: b.external_id,
        licensingEnabled: b.licensing_enabled,
      })
      reply.code(201).header('location', `/v3/admin/customers/${org.id}`)
      // A customer has no cloud accounts until it is given some, so its usage starts empty.
      return toCreated(org, {}, ctx.actor.orgId)
    },
  )

  r.get(
    '/v3/admin/customers/:id',
    {
      config: V3,
      schema: {
        tags: TAGS,
        summary: 'Show a customer with its resource usage',
        params: Type.Object({ id: Id }),
        response: { 200: CustomerShown, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const ctx = ctxOf(deps, req)
      const out = await getCustomerWithUsage(ctx, { orgId: req.params.id })
      return toShown(out.org, out.resourceUsage, ctx.actor.orgId)
    },
  )

  r.put(
    '/v3/admin/customers/:id',
    {
      config: V3,
      schema: {
        tags: TAGS,
        summary: "Update a customer's name, external id and metadata, licensing flag or skin names",
        params: Type.Object({ id: Id }),
        body: UpdateCustomerBody,
        response: { 200: CustomerShown, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const ctx = ctxOf(deps, req)
      const b = req.body
      const out = await updateCustomerWithUsage(ctx, {
        orgId: req.params.id,
        name: b.name,
        externalId: b.external_id,
        externalMetadata: b.external_metadata,
        licensingEnabled: b.licensing_enabled,
        skinNames: b.skin_names,
      })
      return toShown(out.org, out.resourceUsage, ctx.actor.orgId)
    },
  )

  r.delete(
    '/v3/admin/customers/:id',
    {
      config: V3,
      schema: {
        tags: TAGS,
        summary: 'Delete a customer and all its resources (its own customers included)',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteOrg(ctxOf(deps, req), { orgId: req.params.id, cascade: true })
      reply.code(204)
    },
  )

  r.get(
    '/v3/admin/customers/:customer_id/cloud_providers',
    {
      config: V3,
      schema: {
        tags: TAGS,
        summary: 'List the cloud providers allowed to a customer',
        params: Type.Object({ customer_id: Id }),
        response: { 200: Type.Array(CloudProviderWire), ...errorResponses(401, 404) },
      },
    },
    async (req) => (await listAllowedProviders(ctxOf(deps, req), { orgId: req.params.customer_id })).map(toCloudProvider),
  )
}
