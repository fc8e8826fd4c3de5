/**
 * The XML action API's one error map: the seed's table of error numbers (0–38) and how every
 * domain error code becomes one of them with an HTTP status. `DOMAIN_ERRORS` is a
 * `Record<ErrorCode, …>`, so adding a domain code fails to compile until it is mapped here.
 *
 * HTTP status (the seed's table): 200 success; 400 where resending will always fail; 401 for
 * credentials (11) and authorization (12); 500 only where resending may work later.
 */
import type { DomainError, ErrorCode } from '../../core/errors.js'

/** Every error of the seed's table, by number. */
export const SEED_ERRORS = {
  0: 'Unknown',
  1: 'CustomerError',
  2: 'TemplateNotFound',
  3: 'InvalidXmlFormat',
  4: 'InvalidObject',
  5: 'InvalidAction',
  6: 'InvalidNewCustomer',
  7: 'InvalidUnlimited',
  8: 'InvalidNumericDelta',
  9: 'InvalidNumericType',
  10: 'InvalidService',
  11: 'NotAuthenticated',
  12: 'NotAuthorized',
  13: 'ReportError',
  14: 'ReportNotFound',
  15: 'InvalidUser',
  16: 'UserNotFound',
  17: 'InvalidStatus',
  18: 'InvalidReference',
  19: 'InvalidProperty',
  20: 'LocationNotFound',
  21: 'ServiceNotFound',
  22: 'RoleNotFound',
  23: 'CitrixItemNotFound',
  24: 'CitrixItemInUse',
  25: 'CitrixCollectionNotFound',
  26: 'CitrixCollectionInvalid',
  27: 'LocationError',
  28: 'TokenNotFound',
  29: 'BrandTypeNotFound',
  30: 'BrandNameNotFound',
  31: 'HMCNotValid',
  32: 'InvalidBoolean',
  33: 'InvalidKey',
  34: 'CustomerNotFound',
  35: 'PasswordNeverExpiredNotAllowed',
  36: 'InvalidAccountExpiration',
  37: 'InvalidPasswordExpiration',
  38: 'InvalidInteger',
} as const

export type SeedCode = keyof typeof SEED_ERRORS

/** Named seed codes, for reading the face's code. */
export const E = {
  Unknown: 0,
  CustomerError: 1,
  InvalidXmlFormat: 3,
  InvalidAction: 5,
  InvalidNewCustomer: 6,
  InvalidUnlimited: 7,
  InvalidService: 10,
  NotAuthenticated: 11,
  NotAuthorized: 12,
  ReportError: 13,
  ReportNotFound: 14,
  InvalidUser: 15,
  UserNotFound: 16,
  InvalidStatus: 17,
  InvalidReference: 18,
  InvalidProperty: 19,
  LocationNotFound: 20,
  ServiceNotFound: 21,
  InvalidBoolean: 32,
  CustomerNotFound: 34,
  PasswordNeverExpiredNotAllowed: 35,
  InvalidAccountExpiration: 36,
  InvalidPasswordExpiration: 37,
  InvalidInteger: 38,
} as const satisfies Record<string, SeedCode>

/** What the face was working on when an error arose: decides the seed code where the domain's is generic. */
export type Entity = 'customer' | 'user' | 'service' | 'location' | 'request' | 'report' | 'approval' | 'identity' | 'global' | 'document'

/** An error of this face's own (the document, a value), with its seed code; the message is safe to show. */
export class XmlApiError extends Error {
  override name = 'XmlApiError'
  constructor(
    readonly code: SeedCode,
    message: string,
  ) {
    super(message)
  }
}

/** A face-level error as answered: seed code, message, HTTP status, and Retry-After when known. */
export interface WireError {
  code: SeedCode
  message: string
  http: 200 | 400 | 401 | 500
  retryAfterSeconds?: number
}

/** The HTTP status of a face-level seed code: 401 for credentials and authorization, else 400. */
export function httpOf(code: SeedCode): 400 | 401 {
  return code === E.NotAuthenticated || code === E.NotAuthorized ? 401 : 400
}

/** The seed's "error in a … request" code of each entity. */
const ENTITY_ERROR: Record<Entity, SeedCode> = {
  customer: E.CustomerError,
  user: E.InvalidUser,
  service: E.InvalidService,
  location: E.Unknown,
  request: E.Unknown,
  report: E.ReportError,
  // An approval response already answered, or an approval already ended: 0 with the reason.
  approval: E.Unknown,
  identity: E.Unknown,
  global: E.Unknown,
  document: E.Unknown,
}

/** The seed's "not found" code of each kind of resource. */
const NOT_FOUND: Record<string, SeedCode> = {
  customer: E.CustomerNotFound,
  organisation: E.CustomerNotFound,
  user: E.UserNotFound,
  service: E.ServiceNotFound,
  location: E.LocationNotFound,
  report: E.ReportNotFound,
  request: E.InvalidReference,
  // An approval response (GUID) unknown, or not addressed to the caller.
  approval: E.InvalidReference,
  package: E.InvalidService,
  plan: E.InvalidService,
  property: E.InvalidProperty,
  // A distribution group or contact named by reference that is not there.
  distributiongroup: E.InvalidReference,
  contact: E.InvalidReference,
}

/** The seed code of an entity-level error, refined by the error's field. */
function entityError(e: DomainError, where: Entity): SeedCode {
  const field = e.details?.field ?? ''
  if (/^propert(y|ies)\b/.test(field)) return E.InvalidProperty
  if (field === 'password.expires') return E.InvalidPasswordExpiration
  if (field === 'accountExpires') return E.InvalidAccountExpiration
  if (field === 'userLimit' || /\.userLimit$/.test(field)) return E.InvalidUnlimited
  return ENTITY_ERROR[where]
}

/** Where the resource is not named by the operation, the one the face was looking for. */
function notFound(e: DomainError, where: Entity): SeedCode {
  const r = e.details?.resource
  if (typeof r === 'string' && r in NOT_FOUND) return NOT_FOUND[r]!
  // The core's messages name the kind ("organisation not found", "service not found").
  const m = /^(organisation|customer|user|service|location|report|request|package|plan|property)\b/i.exec(e.message)
  if (m) return NOT_FOUND[m[1]!.toLowerCase()]!
  return NOT_FOUND[where] ?? E.Unknown
}

/** How each domain error code is answered: its seed code (given what was being worked on) and HTTP status. */
export const DOMAIN_ERRORS: Record<ErrorCode, { code: (e: DomainError, where: Entity) => SeedCode; http: 400 | 401 | 500 }> = {
  invalid_argument: { code: entityError, http: 400 },
  unauthenticated: { code: () => E.NotAuthenticated, http: 401 },
  forbidden: { code: () => E.NotAuthorized, http: 401 },
  not_found: { code: notFound, http: 400 },
  already_exists: { code: entityError, http: 400 },
  conflict: { code: entityError, http: 400 },
  failed_precondition: {
    code: (e, where) => (e.details?.field === 'password.expires' ? E.PasswordNeverExpiredNotAllowed : entityError(e, where)),
    http: 400,
  },
  version_mismatch: { code: entityError, http: 400 },
  idempotency_mismatch: { code: () => E.Unknown, http: 400 },
  quota_exceeded: { code: entityError, http: 400 },
  // Throttled logins: resending later may work.
  too_many_attempts: { code: () => E.NotAuthenticated, http: 500 },
  // A report past its timeout is a report's error (13); resending (with a longer timeout, or later) may work.
  deadline_exceeded: { code: (_e, where) => (where === 'report' ? E.ReportError : E.Unknown), http: 500 },
  payload_too_large: { code: () => E.InvalidXmlFormat, http: 400 },
  unsupported_media_type: { code: () => E.InvalidXmlFormat, http: 400 },
  unavailable: { code: () => E.Unknown, http: 500 },
  internal: { code: () => E.Unknown, http: 500 },
}

/** Messages the seed words itself, by the domain's reason. */
const SEED_MESSAGES: Record<string, string> = {
  last_user: 'Unable to delete the last user from the customer',
}

/** A domain error as this face answers it; `internal` never shows its message. */
export function fromDomainError(e: DomainError, where: Entity): WireError {
  const m = DOMAIN_ERRORS[e.code]
  const reason = e.details?.reason
  const message = e.code === 'internal' ? 'internal error' : typeof reason === 'string' && reason in SEED_MESSAGES ? SEED_MESSAGES[reason]! : e.message
  const out: WireError = { code: m.code(e, where), message, http: m.http }
  if (typeof e.details?.retryAfterSeconds === 'number') out.retryAfterSeconds = e.details.retryAfterSeconds
  return out
}
