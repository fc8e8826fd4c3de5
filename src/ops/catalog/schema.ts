/**
 * Input fields of the service catalogue, shared by the operations that create and change it
 * and by the catalogue document (`importCatalog`, `exportCatalog`).
 *
 * Limits: names 1–100 characters without `/` or control characters and without surrounding
 * spaces (they are path segments of the REST face); display names and full names 200;
 * versions 50; descriptions 2000; property values 4000; driver names 1–50 of `a–z 0–9 _ -`
 * starting with a letter; driver settings a JSON object of at most 16 KiB; user limits
 * 1–1,000,000,000 or `Unlimited` (any case on input).
 */
import { Type } from 'typebox'
import { DomainError } from '../../core/errors.js'
import { catalogKey, type CatalogProperty, type UserLimit } from '../../store/catalog.repo.js'

const STRICT = { additionalProperties: false } as const
const text = (max: number) => Type.String({ maxLength: max })

/** A catalogue name: a service's short name (`HE`), a package, plan, property or location name. */
export const CatalogName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\s/\\x00-\\x1f\\x7f](?:[^/\\x00-\\x1f\\x7f]*[^\\s/\\x00-\\x1f\\x7f])?$',
})

/** A provisioning driver's name (`noop`, `webhook`). */
export const DriverName = Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z][a-z0-9_-]*$' })

/** The largest driver settings object accepted, serialised. */
export const MAX_DRIVER_CONFIG_BYTES = 16 * 1024

/** A user limit on input: a positive integer, or `Unlimited` in any case. */
export const UserLimitInput = Type.Union([
  Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
  Type.String({ pattern: '^[Uu][Nn][Ll][Ii][Mm][Ii][Tt][Ee][Dd]$' }),
])

/** What `?filter=` accepts: `all` asks for hidden properties too (the seed's `filter="all"`). */
export const PropertyFilter = Type.Enum(['all'] as const)

/** A property given whole (in a location's lists and in the catalogue document). */
export const PropertyInput = Type.Object(
  { name: CatalogName, value: Type.Optional(text(4000)), hidden: Type.Optional(Type.Boolean()) },
  STRICT,
)

/** The optional fields of a service (all but its name). */
export const ServiceFields = {
  displayName: Type.Optional(text(200)),
  version: Type.Optional(text(50)),
  description: Type.Optional(text(2000)),
  driver: Type.Optional(DriverName),
  driverConfig: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { propertyNames: { maxLength: 200 } })),
  multipleUserPlans: Type.Optional(Type.Boolean()),
}

/** The optional fields of a package. */
export const PackageFields = {
  displayName: Type.Optional(text(200)),
  description: Type.Optional(text(2000)),
}

/** The optional fields of a user plan. */
export const PlanFields = {
  fullname: Type.Optional(text(200)),
  userlimit: Type.Optional(UserLimitInput),
}

/** The optional fields of a service property. */
export const PropertyFields = {
  value: Type.Optional(text(4000)),
  hidden: Type.Optional(Type.Boolean()),
}

const PropertyList = Type.Array(PropertyInput, { maxItems: 500 })

/** The optional fields of a location; each list is given whole. */
export const LocationFields = {
  description: Type.Optional(text(2000)),
  services: Type.Optional(Type.Array(CatalogName, { maxItems: 1000 })),
  customerProperties: Type.Optional(PropertyList),
  userAdditionalProperties: Type.Optional(PropertyList),
}

/** A service as the catalogue document gives it, with its packages, user plans and properties. */
export const ServiceEntry = Type.Object(
  {
    name: CatalogName,
    ...ServiceFields,
    packages: Type.Optional(Type.Array(Type.Object({ name: CatalogName, ...PackageFields }, STRICT), { maxItems: 1000 })),
    plans: Type.Optional(Type.Array(Type.Object({ name: CatalogName, ...PlanFields }, STRICT), { maxItems: 1000 })),
    properties: Type.Optional(PropertyList),
  },
  STRICT,
)

/** A location as the catalogue document gives it. */
export const LocationEntry = Type.Object({ name: CatalogName, ...LocationFields }, STRICT)

/** The catalogue document `importCatalog` takes (JSON on REST, YAML on the command line). */
export const CatalogDocumentInput = Type.Object(
  {
    services: Type.Optional(Type.Array(ServiceEntry, { maxItems: 1000 })),
    locations: Type.Optional(Type.Array(LocationEntry, { maxItems: 1000 })),
  },
  STRICT,
)

/** The catalogue document as `exportCatalog` answers it: every field given, lists by name. */
export interface CatalogDocument {
  services: {
    name: string
    displayName: string
    version: string
    description: string
    driver: string
    driverConfig: Record<string, unknown>
    multipleUserPlans: boolean
    packages: { name: string; displayName: string; description: string }[]
    plans: { name: string; fullname: string; userlimit: UserLimit }[]
    properties: CatalogProperty[]
  }[]
  locations: {
    name: string
    description: string
    services: string[]
    customerProperties: CatalogProperty[]
    userAdditionalProperties: CatalogProperty[]
  }[]
}

/** The core form of a user limit given on input (`unlimited` in any case is `Unlimited`). */
export function userLimitOf(v: number | string): UserLimit {
  return typeof v === 'number' ? v : 'Unlimited'
}

/** The driver settings as stored, or `invalid_argument` when they are too large. */
export function driverConfigText(config: Record<string, unknown>, field = 'driverConfig'): string {
  const t = JSON.stringify(config)
  if (Buffer.byteLength(t) > MAX_DRIVER_CONFIG_BYTES) {
    throw new DomainError('invalid_argument', `${field} exceeds ${MAX_DRIVER_CONFIG_BYTES} bytes`, { field })
  }
  return t
}

/** Throws `invalid_argument` when two names of `names` are the same case-insensitively. */
export function requireDistinctNames(names: readonly string[], field: string): void {
  const seen = new Map<string, string>()
  for (const n of names) {
    const k = catalogKey(n)
    const prev = seen.get(k)
    if (prev !== undefined) throw new DomainError('invalid_argument', `${field} names ${JSON.stringify(n)} twice`, { field })
    seen.set(k, n)
  }
}

/** A property list given on input, complete (`value` '' and `hidden` false by default) and checked for repeated names. */
export function propertyList(list: readonly { name: string; value?: string; hidden?: boolean }[], field: string): CatalogProperty[] {
  requireDistinctNames(
    list.map((p) => p.name),
    field,
  )
  return list.map((p) => ({ name: p.name, value: p.value ?? '', hidden: p.hidden ?? false }))
}
