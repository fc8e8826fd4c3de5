/**
 * Sites of seed 001's `CP_Wizard` on the native REST face:
 *
 *   POST /orgs/{org_id}/sites     the wizard: a site, its container, environments and DNS (202)
 *   GET  /orgs/{org_id}/sites     a customer's sites, by name
 *   GET  /sites/{id}              one site with its parts and their statuses
 *
 * The wizard's 202 carries `X-Job-Guid` and `Location: /jobs/{guid}`: its request, whose
 * children (`GET /jobs?parent={guid}`) are one provisioning job a part.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { CONTAINER_SIZES, CONTAINER_TYPES, MAX_DISK_MIB, OS_IMAGES } from '../../core/sites.js'
import { PROVISIONING_STATUSES } from '../../core/provisioning.js'
import { wizardSite } from '../../ops/sites/wizard-site.js'
import { listSites } from '../../ops/sites/list-sites.js'
import { getSite } from '../../ops/sites/get-site.js'

const Id = Type.String({ maxLength: 64 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Status = Type.Union(PROVISIONING_STATUSES.map((s) => Type.Literal(s)), { description: 'Provisioning status: Requested → InProgress → Provisioned | Failed' })
const Part = { id: Type.String(), name: Type.String(), status: Status, error: Nullable(Type.String()) }

const SiteSummaryWire = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String(),
    name: Type.String(),
    hostname: Type.String({ description: 'ASCII (punycode), lower case' }),
    status: Status,
    error: Nullable(Type.String({ description: "When Failed: the part that failed and why (`environment 'staging' failed: …`)" })),
    requestGuid: Nullable(Type.String({ description: "The wizard's request: GET /jobs/{guid}" })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'SiteSummary' },
)
const SiteWire = Type.Object(
  {
    ...SiteSummaryWire.properties,
    aliases: Type.Array(Type.String()),
    container: Nullable(Type.Object({ ...Part, type: Type.String(), os: Type.String(), diskMiB: Type.Integer(), size: Type.String() })),
    environments: Type.Array(Type.Object(Part)),
    dnsRecords: Type.Array(Type.Object({ ...Part, type: Type.Union([Type.Literal('A'), Type.Literal('AAAA'), Type.Literal('CNAME')]), value: Nullable(Type.String()) })),
  },
  { $id: 'Site' },
)
const WizardAnswer = Type.Object({
  requestGuid: Type.String({ description: "The wizard's request (seed 001's RequestId)" }),
  siteId: Type.String(),
  children: Type.Array(Type.Object({ part: Type.Union([Type.Literal('container'), Type.Literal('environment'), Type.Literal('dns')]), name: Type.String(), requestGuid: Type.String() })),
  site: Type.Ref('Site'),
})

const list = (xs: readonly { id: string }[]) => xs.map((x) => `\`${x.id}\``).join(', ')

export function sitesRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(SiteSummaryWire)
  app.addSchema(SiteWire)

  r.post(
    '/orgs/:org_id/sites',
    {
      schema: {
        tags: ['sites'],
        summary: 'Create a site with its container, environments and DNS records (the Control Panel wizard)',
        description:
          'Everything is checked before anything is written (400 names the field; nothing changes): `siteName` 1–100 characters, unique per customer whatever its case (409); `siteHostname` and each of `aliasNames` (at most 20, none twice, none the hostname) valid hostnames, IDN allowed, stored in ASCII; the hostname unique across the system (409); ' +
          `\`containerType\` one of ${list(CONTAINER_TYPES)}; \`containerOSId\` one of ${list(OS_IMAGES)}; \`containerSize\` one of ${list(CONTAINER_SIZES)}; \`containerDiskSpace\` 1–${MAX_DISK_MIB} MiB; ` +
          '`environmentNames` 1–10 names of `[A-Za-z0-9._-]`, none twice whatever the case. With `createDNS`, an A record for the hostname and a CNAME per alias. ' +
          "Answers 202: the site and its parts `Requested`, and the wizard's request, with one child request and provisioning job a part, run by the worker through the driver of the catalogue service `sites` (created with the `noop` driver when absent). The request and the site succeed when every part is provisioned; the first part that fails fails both, naming it. Needs org.write.",
        params: Type.Object({ org_id: Id }),
        body: Type.Omit(wizardSite.input, ['orgId'], STRICT),
        response: { 202: WizardAnswer, ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const out = await wizardSite(ctxOf(deps, req), { orgId: req.params.org_id, ...req.body })
      reply.code(202).header('location', `/jobs/${out.requestGuid}`)
      return out
    },
  )

  r.get(
    '/orgs/:org_id/sites',
    {
      schema: {
        tags: ['sites'],
        summary: "List a customer's sites (by name)",
        description: 'Any role of the customer (or of its providers) may read.',
        params: Type.Object({ org_id: Id }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('SiteSummary')), total: Type.Integer() }), ...errorResponses(401, 404) },
      },
    },
    async (req) => listSites(ctxOf(deps, req), { orgId: req.params.org_id }),
  )

  r.get(
    '/sites/:id',
    {
      schema: {
        tags: ['sites'],
        summary: 'Read a site with its aliases, container, environments and DNS records, and their statuses',
        description: 'A site outside the caller\'s subtree is 404, as an unknown id is.',
        params: Type.Object({ id: Id }),
        response: { 200: Type.Ref('Site'), ...errorResponses(401, 404) },
      },
    },
    async (req) => getSite(ctxOf(deps, req), { id: req.params.id }),
  )
}
