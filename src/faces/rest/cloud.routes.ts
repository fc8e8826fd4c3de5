/**
 * Native REST routes for cloud providers (the catalogue the master organisation manages), the
 * providers allowed to each organisation, and organisations' cloud accounts. camelCase JSON,
 * like the rest of the native API; the wire shapes and their mapping live here.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Deps } from '../../ops/context.js'
import type { CloudAccount, CloudProvider } from '../../core/cloud.js'
import { createProvider } from '../../ops/cloud/create-provider.js'
import { listProviders } from '../../ops/cloud/list-providers.js'
import { getProvider } from '../../ops/cloud/get-provider.js'
import { updateProvider } from '../../ops/cloud/update-provider.js'
import { deleteProvider } from '../../ops/cloud/delete-provider.js'
import { allowProvider } from '../../ops/cloud/allow-provider.js'
import { disallowProvider } from '../../ops/cloud/disallow-provider.js'
import { listAllowedProviders } from '../../ops/cloud/list-allowed-providers.js'
import { createCloudAccount } from '../../ops/cloud/create-cloud-account.js'
import { listCloudAccounts } from '../../ops/cloud/list-cloud-accounts.js'
import { updateCloudAccount } from '../../ops/cloud/update-cloud-account.js'
import { deleteCloudAccount } from '../../ops/cloud/delete-cloud-account.js'
import { ctxOf } from '../http.js'
import { Uuid } from './wire.js'
import { errorResponses, STRICT } from './openapi.js'

const Id = Type.String({ maxLength: 64 })

export const CloudProviderWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  disambiguation: Type.String({ description: 'Continues the name to tell apart providers of the same name' }),
  requiredCredentials: Type.Array(Type.String(), { description: 'Credential parameters a cloud account of this provider needs' }),
  discoverable: Type.Boolean({ description: 'Whether the provider can discover cloud accounts' }),
  cseSyntax: Type.String({ description: 'Syntax used to deploy CSE deployments on this provider' }),
  standaloneIncompatible: Type.Boolean({ description: 'True when the provider cannot be used standalone' }),
  createdAt: Type.String({ format: 'date-time' }),
})

/** Maps a CloudProvider to its native wire shape. */
export function providerToWire(p: CloudProvider): Static<typeof CloudProviderWire> {
  return {
    id: p.id,
    name: p.name,
    disambiguation: p.disambiguation,
    requiredCredentials: p.requiredCredentials,
    discoverable: p.discoverable,
    cseSyntax: p.cseSyntax,
    standaloneIncompatible: p.standaloneIncompatible,
    createdAt: p.createdAt,
  }
}

export const CloudAccountWire = Type.Object({
  id: Uuid,
  orgId: Uuid,
  providerId: Uuid,
  name: Type.String(),
  servers: Type.Integer({ minimum: 0, description: 'Servers in use on this account' }),
  createdAt: Type.String({ format: 'date-time' }),
})

/** Maps a CloudAccount to its native wire shape. */
export function accountToWire(a: CloudAccount): Static<typeof CloudAccountWire> {
  return { id: a.id, orgId: a.orgId, providerId: a.providerId, name: a.name, servers: a.servers, createdAt: a.createdAt }
}

const ProvidersListing = Type.Object({ items: Type.Array(CloudProviderWire), total: Type.Integer() })
const AccountsListing = Type.Object({ items: Type.Array(CloudAccountWire), total: Type.Integer() })
const ProviderParams = Type.Object({ provider_id: Id })
const OrgParams = Type.Object({ org_id: Id })
const OrgProviderParams = Type.Object({ org_id: Id, provider_id: Id })
const OrgAccountParams = Type.Object({ org_id: Id, account_id: Id })

export function cloudRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.post(
    '/cloud-providers',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'Add a cloud provider to the catalogue (master organisation only)',
        body: createProvider.input,
        response: { 201: CloudProviderWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const p = await createProvider(ctxOf(deps, req), req.body)
      reply.code(201).header('location', `/cloud-providers/${p.id}`)
      return providerToWire(p)
    },
  )

  r.get(
    '/cloud-providers',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'List the cloud provider catalogue',
        response: { 200: ProvidersListing, ...errorResponses(401) },
      },
    },
    async (req) => {
      const items = (await listProviders(ctxOf(deps, req), {})).map(providerToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/cloud-providers/:provider_id',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'Get a cloud provider',
        params: ProviderParams,
        response: { 200: CloudProviderWire, ...errorResponses(401, 404) },
      },
    },
    async (req) => providerToWire(await getProvider(ctxOf(deps, req), { providerId: req.params.provider_id })),
  )

  r.patch(
    '/cloud-providers/:provider_id',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'Change a cloud provider (master organisation only)',
        params: ProviderParams,
        body: Type.Omit(updateProvider.input, ['providerId'], STRICT),
        response: { 200: CloudProviderWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => providerToWire(await updateProvider(ctxOf(deps, req), { ...req.body, providerId: req.params.provider_id })),
  )

  r.delete(
    '/cloud-providers/:provider_id',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'Remove a cloud provider and its allowances (master organisation only; refused while cloud accounts use it)',
        params: ProviderParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await deleteProvider(ctxOf(deps, req), { providerId: req.params.provider_id })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/cloud-providers',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'List the cloud providers allowed to an organisation (all of them for the master organisation)',
        params: OrgParams,
        response: { 200: ProvidersListing, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const items = (await listAllowedProviders(ctxOf(deps, req), { orgId: req.params.org_id })).map(providerToWire)
      return { items, total: items.length }
    },
  )

  r.post(
    '/orgs/:org_id/cloud-providers',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: "Allow a cloud provider to a customer (from an ancestor; the provider must be allowed to the customer's parent)",
        description: 'Answers 201 when the provider is newly allowed, 200 when it already was.',
        params: OrgParams,
        body: Type.Omit(allowProvider.input, ['orgId'], STRICT),
        response: { 200: CloudProviderWire, 201: CloudProviderWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const out = await allowProvider(ctxOf(deps, req), { orgId: req.params.org_id, providerId: req.body.providerId })
      if (out.created) reply.code(201).header('location', `/orgs/${req.params.org_id}/cloud-providers/${out.provider.id}`)
      return providerToWire(out.provider)
    },
  )

  r.delete(
    '/orgs/:org_id/cloud-providers/:provider_id',
    {
      schema: {
        tags: ['cloud-providers'],
        summary: 'Withdraw a cloud provider from a customer and its whole subtree (refused while cloud accounts there use it)',
        params: OrgProviderParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await disallowProvider(ctxOf(deps, req), { orgId: req.params.org_id, providerId: req.params.provider_id })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/cloud-accounts',
    {
      schema: {
        tags: ['cloud-accounts'],
        summary: "List an organisation's cloud accounts",
        params: OrgParams,
        querystring: Type.Omit(listCloudAccounts.input, ['orgId'], STRICT),
        response: { 200: AccountsListing, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const out = await listCloudAccounts(ctxOf(deps, req), { ...req.query, orgId: req.params.org_id })
      return { items: out.items.map(accountToWire), total: out.total }
    },
  )

  r.post(
    '/orgs/:org_id/cloud-accounts',
    {
      schema: {
        tags: ['cloud-accounts'],
        summary: 'Create a cloud account on a provider allowed to the organisation',
        params: OrgParams,
        body: Type.Omit(createCloudAccount.input, ['orgId'], STRICT),
        response: { 201: CloudAccountWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const a = await createCloudAccount(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${a.orgId}/cloud-accounts/${a.id}`)
      return accountToWire(a)
    },
  )

  r.patch(
    '/orgs/:org_id/cloud-accounts/:account_id',
    {
      schema: {
        tags: ['cloud-accounts'],
        summary: "Change a cloud account's name or servers counter",
        params: OrgAccountParams,
        body: Type.Omit(updateCloudAccount.input, ['orgId', 'accountId'], STRICT),
        response: { 200: CloudAccountWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const a = await updateCloudAccount(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, accountId: req.params.account_id })
      return accountToWire(a)
    },
  )

  r.delete(
    '/orgs/:org_id/cloud-accounts/:account_id',
    {
      schema: {
        tags: ['cloud-accounts'],
        summary: 'Delete a cloud account',
        params: OrgAccountParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteCloudAccount(ctxOf(deps, req), { orgId: req.params.org_id, accountId: req.params.account_id })
      reply.code(204)
    },
  )
}
