/**
 * How the REST faces answer errors: RFC 9457 `application/problem+json` with a stable `code`
 * member. One exhaustive table maps each domain code to its HTTP status.
 */
import type { ErrorCode, ErrorDetails } from '../../core/errors.js'

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  failed_precondition: 409,
  version_mismatch: 412,
  idempotency_mismatch: 422,
  quota_exceeded: 409,
  too_many_attempts: 429,
  deadline_exceeded: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
}

const TITLES: Record<ErrorCode, string> = {
  invalid_argument: 'Invalid input',
  unauthenticated: 'Authentication required',
  forbidden: 'Insufficient privileges',
  not_found: 'Not found',
  already_exists: 'Already exists',
  conflict: 'Conflict',
  failed_precondition: 'Not allowed in this state',
  version_mismatch: 'Version mismatch',
  idempotency_mismatch: 'Idempotency key reused',
  quota_exceeded: 'Quota exceeded',
  too_many_attempts: 'Too many attempts',
  deadline_exceeded: 'Ran past maxduration',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
}

/** A problem document. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  [extra: string]: unknown
}

/** Builds the problem document for a domain code. */
export function problem(code: ErrorCode, detail: string, details?: ErrorDetails): Problem {
  const extra: Record<string, unknown> = {}
  if (details) for (const [k, v] of Object.entries(details)) if (v !== undefined) extra[k] = v
  return { type: `urn:clientele:problem:${code}`, title: TITLES[code], status: HTTP_STATUS[code], detail, code, ...extra }
}
