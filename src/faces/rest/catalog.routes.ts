/**
 * Native REST routes for the service catalogue: services with their packages, user plans and
 * properties, locations, and the whole catalogue as one document (`GET`/`PUT /catalog`).
 * Objects are addressed by name (case-insensitive, percent-encoded in the path). camelCase
 * JSON, like the rest of the native API; the wire shapes and their mapping live here.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Deps } from '../../ops/context.js'
import type { CatalogProperty, Location, Service, ServicePackage, ServiceProperty, UserPlan } from '../../core/catalog.js'
import { createService } from '../../ops/catalog/create-service.js'
import { listServices } from '../../ops/catalog/list-services.js'
import { getService } from '../../ops/catalog/get-service.js'
import { updateService } from '../../ops/catalog/update-service.js'
import { deleteService } from '../../ops/catalog/delete-service.js'
import { createPackage } from '../../ops/catalog/create-package.js'
import { listPackages } from '../../ops/catalog/list-packages.js'
import { getPackage } from '../../ops/catalog/get-package.js'
import { updatePackage } from '../../ops/catalog/update-package.js'
import { deletePackage } from '../../ops/catalog/delete-package.js'
import { createPlan } from '../../ops/catalog/create-plan.js'
import { listPlans } from '../../ops/catalog/list-plans.js'
import { getPlan } from '../../ops/catalog/get-plan.js'
import { updatePlan } from '../../ops/catalog/update-plan.js'
import { deletePlan } from '../../ops/catalog/delete-plan.js'
import { createProperty } from '../../ops/catalog/create-property.js'
import { listProperties } from '../../ops/catalog/list-properties.js'
import { getProperty } from '../../ops/catalog/get-property.js'
import { updateProperty } from '../../ops/catalog/update-property.js'
import { deleteProperty } from '../../ops/catalog/delete-property.js'
import { createLocation } from '../../ops/catalog/create-location.js'
import { listLocations } from '../../ops/catalog/list-locations.js'
import { getLocation } from '../../ops/catalog/get-location.js'
import { updateLocation } from '../../ops/catalog/update-location.js'
import { deleteLocation } from '../../ops/catalog/delete-location.js'
import { importCatalog } from '../../ops/catalog/import-catalog.js'
import { exportCatalog } from '../../ops/catalog/export-catalog.js'
import { CatalogDocumentInput, CatalogName, PropertyFilter } from '../../ops/catalog/schema.js'
import { ctxOf } from '../http.js'
import { testProvision } from '../../ops/provisioning/test-provision.js'
import { Uuid } from './wire.js'
import { errorResponses, STRICT } from './openapi.js'

const Time = Type.String({ format: 'date-time' })
const UserLimitWire = Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('Unlimited')], {
  description: 'Users the plan may be given to: a positive integer, or `Unlimited`',
})
const HIDDEN = 'Hidden properties are shown only with `filter=all`, and only to users of the master organisation.'
const SECRETS =
  'Secret settings (the webhook driver\'s `secret`) are stored encrypted and never shown again: reads answer `{"set": true}` in their place, ' +
  'and `{"set": true}` written back keeps the stored secret.'

export const ServiceWire = Type.Object({
  id: Uuid,
  name: Type.String({ description: 'The short name clients use (`HE`); unique, case-insensitively' }),
  displayName: Type.String(),
  version: Type.String(),
  description: Type.String(),
  driver: Type.String({ description: 'The provisioning driver (`noop`, `webhook`)' }),
  driverConfig: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: `The driver's settings; shown only to catalogue writers. ${SECRETS}` }),
  ),
  multipleUserPlans: Type.Boolean({ description: 'Whether a user may hold several of its user plans at once' }),
  createdAt: Time,
  updatedAt: Time,
})

/** Maps a Service to its native wire shape. */
export function serviceToWire(s: Service): Static<typeof ServiceWire> {
  return {
    id: s.id,
    name: s.name,
    displayName: s.displayName,
    version: s.version,
    description: s.description,
    driver: s.driver,
    ...(s.driverConfig ? { driverConfig: s.driverConfig } : {}),
    multipleUserPlans: s.multipleUserPlans,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }
}

export const PackageWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  displayName: Type.String(),
  description: Type.String(),
  createdAt: Time,
  updatedAt: Time,
})

/** Maps a ServicePackage to its native wire shape. */
export function packageToWire(p: ServicePackage): Static<typeof PackageWire> {
  return { id: p.id, name: p.name, displayName: p.displayName, description: p.description, createdAt: p.createdAt, updatedAt: p.updatedAt }
}

export const PlanWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  fullname: Type.String(),
  userlimit: UserLimitWire,
  createdAt: Time,
  updatedAt: Time,
})

/** Maps a UserPlan to its native wire shape. */
export function planToWire(p: UserPlan): Static<typeof PlanWire> {
  return { id: p.id, name: p.name, fullname: p.fullname, userlimit: p.userlimit, createdAt: p.createdAt, updatedAt: p.updatedAt }
}

export const PropertyWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  value: Type.String(),
  hidden: Type.Boolean({ description: 'Shown only with `filter=all`, to users of the master organisation' }),
  createdAt: Time,
  updatedAt: Time,
})

/** Maps a ServiceProperty to its native wire shape. */
export function propertyToWire(p: ServiceProperty): Static<typeof PropertyWire> {
  return { id: p.id, name: p.name, value: p.value, hidden: p.hidden, createdAt: p.createdAt, updatedAt: p.updatedAt }
}

const NamedValueWire = Type.Object({ name: Type.String(), value: Type.String(), hidden: Type.Boolean() })
const namedValues = (ps: CatalogProperty[]) => ps.map((p) => ({ name: p.name, value: p.value, hidden: p.hidden }))

export const LocationWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  services: Type.Array(Type.String(), { description: 'Names of the services offered here' }),
  customerProperties: Type.Array(NamedValueWire, { description: 'Properties of a customer in this location' }),
  userAdditionalProperties: Type.Array(NamedValueWire, { description: "Additional (Active Directory) properties of a user in this location" }),
  createdAt: Time,
  updatedAt: Time,
})

/** Maps a Location to its native wire shape. */
export function locationToWire(l: Location): Static<typeof LocationWire> {
  return {
    id: l.id,
    name: l.name,
    description: l.description,
    services: l.services,
    customerProperties: namedValues(l.customerProperties),
    userAdditionalProperties: namedValues(l.userAdditionalProperties),
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  }
}

/** The catalogue document as exported: every field given. */
const CatalogDocumentWire = Type.Object({
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      displayName: Type.String(),
      version: Type.String(),
      description: Type.String(),
      driver: Type.String(),
      driverConfig: Type.Record(Type.String(), Type.Unknown(), { description: SECRETS }),
      multipleUserPlans: Type.Boolean(),
      packages: Type.Array(Type.Object({ name: Type.String(), displayName: Type.String(), description: Type.String() })),
      plans: Type.Array(Type.Object({ name: Type.String(), fullname: Type.String(), userlimit: UserLimitWire })),
      properties: Type.Array(NamedValueWire),
    }),
  ),
  locations: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      services: Type.Array(Type.String()),
      customerProperties: Type.Array(NamedValueWire),
      userAdditionalProperties: Type.Array(NamedValueWire),
    }),
  ),
})

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), deleted: Type.Integer(), unchanged: Type.Integer() })
const ImportSummaryWire = Type.Object({ services: Counts, packages: Counts, plans: Counts, properties: Counts, locations: Counts })

const listing = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), total: Type.Integer() })
const Name = Type.String({ maxLength: 200 })
const ServiceParams = Type.Object({ service: Name })
const PackageParams = Type.Object({ service: Name, name: Name })
const LocationParams = Type.Object({ name: Name })
const FilterQuery = Type.Object({ filter: Type.Optional(PropertyFilter) }, STRICT)
const at = (...parts: string[]) => '/' + parts.map(encodeURIComponent).join('/')

export function catalogRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const WRITERS = 'Master organisation only, with a role that may change the catalogue (superadmin, owner, admin).'

  // ---- the whole catalogue ----

  r.get(
    '/catalog',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Export the whole catalogue as one document (the shape PUT /catalog takes)',
        description: `${HIDDEN} Driver settings are shown only to catalogue writers. ${SECRETS} A copy meant to be imported again must be exported with \`filter=all\` by a catalogue writer.`,
        querystring: FilterQuery,
        response: { 200: CatalogDocumentWire, ...errorResponses(400, 401) },
      },
    },
    async (req) => exportCatalog(ctxOf(deps, req), req.query),
  )

  r.put(
    '/catalog',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Import a catalogue document in one transaction; importing it again changes nothing',
        description:
          'Each service and location named is made exactly as written (fields left out take their defaults; a service’s ' +
          'packages, plans and properties are its complete lists). Those not named are kept, unless `prune=true`. ' +
          `Answers what changed. ${SECRETS} ${WRITERS}`,
        querystring: Type.Object({ prune: Type.Optional(Type.Boolean()) }, STRICT),
        body: CatalogDocumentInput,
        response: { 200: ImportSummaryWire, ...errorResponses(400, 401, 403, 409, 413) },
      },
    },
    async (req) => importCatalog(ctxOf(deps, req), { document: req.body, ...(req.query.prune !== undefined ? { prune: req.query.prune } : {}) }),
  )

  // ---- services ----

  r.post(
    '/services',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a service to the catalogue',
        description: WRITERS,
        body: createService.input,
        response: { 201: ServiceWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const s = await createService(ctxOf(deps, req), req.body)
      reply.code(201).header('location', at('services', s.name))
      return serviceToWire(s)
    },
  )

  r.post(
    '/services/:service/test-provision',
    {
      schema: {
        tags: ['catalog'],
        summary: "Queue a provisioning job through a service's driver (for operators and tests)",
        description: WRITERS + ' Answers 202 with the job\'s guid and its request\'s guid (`GET /jobs/{requestGuid}` follows it).',
        params: Type.Object({ service: CatalogName }),
        body: Type.Optional(
          Type.Object(
            {
              action: Type.Optional(Type.Union([Type.Literal('provision'), Type.Literal('deprovision')])),
              subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              payload: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { propertyNames: { maxLength: 200 } })),
            },
            STRICT,
          ),
        ),
        response: { 202: Type.Object({ jobGuid: Type.String(), requestGuid: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const out = await testProvision(ctxOf(deps, req), { service: req.params.service, ...(req.body ?? {}) })
      reply.code(202)
      return out
    },
  )

  r.get(
    '/services',
    {
      schema: { tags: ['catalog'], summary: 'List the services of the catalogue', response: { 200: listing(ServiceWire), ...errorResponses(401) } },
    },
    async (req) => {
      const items = (await listServices(ctxOf(deps, req), {})).map(serviceToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/services/:service',
    {
      schema: { tags: ['catalog'], summary: 'Get a service', params: ServiceParams, response: { 200: ServiceWire, ...errorResponses(401, 404) } },
    },
    async (req) => serviceToWire(await getService(ctxOf(deps, req), { service: req.params.service })),
  )

  r.patch(
    '/services/:service',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a service (fields left out keep their values)',
        description: WRITERS,
        params: ServiceParams,
        body: Type.Omit(updateService.input, ['service'], STRICT),
        response: { 200: ServiceWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => serviceToWire(await updateService(ctxOf(deps, req), { ...req.body, service: req.params.service })),
  )

  r.delete(
    '/services/:service',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Remove a service with its packages, plans and properties, from every location',
        description: WRITERS,
        params: ServiceParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteService(ctxOf(deps, req), { service: req.params.service })
      reply.code(204)
    },
  )

  // ---- packages ----

  r.post(
    '/services/:service/packages',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a package to a service',
        description: WRITERS,
        params: ServiceParams,
        body: Type.Omit(createPackage.input, ['service'], STRICT),
        response: { 201: PackageWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = await createPackage(ctxOf(deps, req), { ...req.body, service: req.params.service })
      reply.code(201).header('location', at('services', req.params.service, 'packages', p.name))
      return packageToWire(p)
    },
  )

  r.get(
    '/services/:service/packages',
    {
      schema: {
        tags: ['catalog'],
        summary: "List a service's packages",
        params: ServiceParams,
        response: { 200: listing(PackageWire), ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const items = (await listPackages(ctxOf(deps, req), { service: req.params.service })).map(packageToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/services/:service/packages/:name',
    {
      schema: { tags: ['catalog'], summary: 'Get a package', params: PackageParams, response: { 200: PackageWire, ...errorResponses(401, 404) } },
    },
    async (req) => packageToWire(await getPackage(ctxOf(deps, req), { service: req.params.service, package: req.params.name })),
  )

  r.patch(
    '/services/:service/packages/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a package',
        description: WRITERS,
        params: PackageParams,
        body: Type.Omit(updatePackage.input, ['service', 'package'], STRICT),
        response: { 200: PackageWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => packageToWire(await updatePackage(ctxOf(deps, req), { ...req.body, service: req.params.service, package: req.params.name })),
  )

  r.delete(
    '/services/:service/packages/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Remove a package',
        description: WRITERS,
        params: PackageParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deletePackage(ctxOf(deps, req), { service: req.params.service, package: req.params.name })
      reply.code(204)
    },
  )

  // ---- user plans ----

  r.post(
    '/services/:service/plans',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a user plan to a service',
        description: WRITERS,
        params: ServiceParams,
        body: Type.Omit(createPlan.input, ['service'], STRICT),
        response: { 201: PlanWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = await createPlan(ctxOf(deps, req), { ...req.body, service: req.params.service })
      reply.code(201).header('location', at('services', req.params.service, 'plans', p.name))
      return planToWire(p)
    },
  )

  r.get(
    '/services/:service/plans',
    {
      schema: {
        tags: ['catalog'],
        summary: "List a service's user plans",
        params: ServiceParams,
        response: { 200: listing(PlanWire), ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const items = (await listPlans(ctxOf(deps, req), { service: req.params.service })).map(planToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/services/:service/plans/:name',
    {
      schema: { tags: ['catalog'], summary: 'Get a user plan', params: PackageParams, response: { 200: PlanWire, ...errorResponses(401, 404) } },
    },
    async (req) => planToWire(await getPlan(ctxOf(deps, req), { service: req.params.service, plan: req.params.name })),
  )

  r.patch(
    '/services/:service/plans/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a user plan',
        description: WRITERS,
        params: PackageParams,
        body: Type.Omit(updatePlan.input, ['service', 'plan'], STRICT),
        response: { 200: PlanWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => planToWire(await updatePlan(ctxOf(deps, req), { ...req.body, service: req.params.service, plan: req.params.name })),
  )

  r.delete(
    '/services/:service/plans/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Remove a user plan',
        description: WRITERS,
        params: PackageParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deletePlan(ctxOf(deps, req), { service: req.params.service, plan: req.params.name })
      reply.code(204)
    },
  )

  // ---- properties ----

  r.post(
    '/services/:service/properties',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a property to a service',
        description: WRITERS,
        params: ServiceParams,
        body: Type.Omit(createProperty.input, ['service'], STRICT),
        response: { 201: PropertyWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = await createProperty(ctxOf(deps, req), { ...req.body, service: req.params.service })
      reply.code(201).header('location', at('services', req.params.service, 'properties', p.name))
      return propertyToWire(p)
    },
  )

  r.get(
    '/services/:service/properties',
    {
      schema: {
        tags: ['catalog'],
        summary: "List a service's properties",
        description: HIDDEN,
        params: ServiceParams,
        querystring: FilterQuery,
        response: { 200: listing(PropertyWire), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const items = (await listProperties(ctxOf(deps, req), { ...req.query, service: req.params.service })).map(propertyToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/services/:service/properties/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Get a property',
        description: `${HIDDEN} A hidden property is not found otherwise.`,
        params: PackageParams,
        querystring: FilterQuery,
        response: { 200: PropertyWire, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) =>
      propertyToWire(await getProperty(ctxOf(deps, req), { ...req.query, service: req.params.service, property: req.params.name })),
  )

  r.patch(
    '/services/:service/properties/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a property (its name, value or hidden flag)',
        description: WRITERS,
        params: PackageParams,
        body: Type.Omit(updateProperty.input, ['service', 'property'], STRICT),
        response: { 200: PropertyWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      propertyToWire(await updateProperty(ctxOf(deps, req), { ...req.body, service: req.params.service, property: req.params.name })),
  )

  r.delete(
    '/services/:service/properties/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Remove a property',
        description: WRITERS,
        params: PackageParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteProperty(ctxOf(deps, req), { service: req.params.service, property: req.params.name })
      reply.code(204)
    },
  )

  // ---- locations ----

  r.post(
    '/locations',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a location, with the services offered there',
        description: WRITERS,
        body: createLocation.input,
        response: { 201: LocationWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const l = await createLocation(ctxOf(deps, req), req.body)
      reply.code(201).header('location', at('locations', l.name))
      return locationToWire(l)
    },
  )

  r.get(
    '/locations',
    {
      schema: {
        tags: ['catalog'],
        summary: 'List the locations (with `service`, those offering that service)',
        description: HIDDEN,
        querystring: listLocations.input,
        response: { 200: listing(LocationWire), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const items = (await listLocations(ctxOf(deps, req), req.query)).map(locationToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/locations/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Get a location',
        description: HIDDEN,
        params: LocationParams,
        querystring: FilterQuery,
        response: { 200: LocationWire, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => locationToWire(await getLocation(ctxOf(deps, req), { ...req.query, location: req.params.name })),
  )

  r.patch(
    '/locations/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a location (each list given replaces the old one whole)',
        description: WRITERS,
        params: LocationParams,
        body: Type.Omit(updateLocation.input, ['location'], STRICT),
        response: { 200: LocationWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => locationToWire(await updateLocation(ctxOf(deps, req), { ...req.body, location: req.params.name })),
  )

  r.delete(
    '/locations/:name',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Remove a location (its services stay in the catalogue)',
        description: WRITERS,
        params: LocationParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteLocation(ctxOf(deps, req), { location: req.params.name })
      reply.code(204)
    },
  )
}
