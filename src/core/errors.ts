/**
 * The one error type of the domain. Operations throw it; each face maps its `code` to its own
 * wire error through one exhaustive table, so adding a code fails to compile until every face
 * maps it.
 */

/**
 * Every error code, with what it means. Keep this list closed and documented.
 *
 * - `invalid_argument`: the input is malformed or breaks a field rule (type, length, format).
 * - `unauthenticated`: no credentials, bad credentials, an expired key, or a key ACL refusal.
 * - `forbidden`: the actor may see the target but its role does not allow the action.
 * - `not_found`: no such object, or one outside the actor's subtree (never distinguished);
 *   `details.resource` names what was not found where a face needs it (see `notFound`).
 * - `already_exists`: a uniqueness rule was broken (sibling name, username, code, ...).
 * - `conflict`: the request conflicts with the current state (an idempotency key in flight).
 * - `failed_precondition`: a business rule refuses the change in this state (deleting the last
 *   user of an organisation, deleting an organisation with live customers without cascade).
 * - `version_mismatch`: an `If-Match` version is stale (optimistic concurrency).
 * - `idempotency_mismatch`: an idempotency key was reused with a different request body.
 * - `quota_exceeded`: the change would take a quota past its total.
 * - `too_many_attempts`: authentication is throttled for this account; retry later.
 * - `deadline_exceeded`: the work ran past the caller's `maxduration` and was stopped.
 * - `payload_too_large`: the request body exceeds the configured limit.
 * - `unsupported_media_type`: the request body's content type is not accepted.
 * - `unavailable`: a dependency (the database) does not answer.
 * - `internal`: a bug; the message is logged and never shown to the caller.
 */
export const ERROR_CODES = [
  'invalid_argument',
  'unauthenticated',
  'forbidden',
  'not_found',
  'already_exists',
  'conflict',
  'failed_precondition',
  'version_mismatch',
  'idempotency_mismatch',
  'quota_exceeded',
  'too_many_attempts',
  'deadline_exceeded',
  'payload_too_large',
  'unsupported_media_type',
  'unavailable',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** Details a face may show beside the message (field names, a resource, a retry delay). */
export interface ErrorDetails {
  field?: string
  resource?: string
  retryAfterSeconds?: number
  [key: string]: unknown
}

/** An expected failure of an operation, with a stable code and a message fit for the caller. */
export class DomainError extends Error {
  readonly code: ErrorCode
  readonly details: ErrorDetails | undefined

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message)
    this.name = 'DomainError'
    this.code = code
    this.details = details
  }
}

/** True when `e` is a DomainError (of the given code, when one is given). */
export function isDomainError(e: unknown, code?: ErrorCode): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code)
}

/**
 * Throws `not_found` for an object of the given kind. `resource` names the kind in
 * `details.resource` for faces that answer it with their own code (seed 004's XML API:
 * `customer`, `user`, `service`, `location`, `request`, `package`, `userplan`, `property`,
 * `report`).
 */
export function notFound(kind: string, resource?: string): never {
  throw new DomainError('not_found', `${kind} not found`, resource ? { resource } : undefined)
}
