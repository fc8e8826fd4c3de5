/**
 * The XML-RPC face's one table of fault codes. Protocol faults use the codes of the XML-RPC
 * fault-code interoperability convention (-32xxx); a `DomainError` answers the fault code of its
 * error code below. The table is exhaustive over `ErrorCode`, so a new code does not compile
 * until it has a fault code here. Documented in README.md beside this file.
 */
import type { ErrorCode } from '../../core/errors.js'

/** Faults the face raises before any operation runs. */
export const PROTOCOL_FAULTS = {
  /** The body is not well-formed XML, breaks a parser limit, or is not a methodCall. */
  parse_error: -32700,
  /** No such method. */
  method_not_found: -32601,
  /** Too many or too few parameters, or a parameter of the wrong type. */
  invalid_params: -32602,
} as const

/** The fault code of each domain error code. */
export const FAULT_CODES: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  conflict: 4090,
  failed_precondition: 412,
  version_mismatch: 4120,
  idempotency_mismatch: 4220,
  quota_exceeded: 4290,
  too_many_attempts: 429,
  deadline_exceeded: 504,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
}
