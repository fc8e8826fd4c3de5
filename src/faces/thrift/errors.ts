/**
 * The Thrift face's one table of errors. A `DomainError` becomes the declared exception
 * `InvalidArguments {message, field, code}` — every code but `unauthenticated`, which is the
 * transport's business: HTTP 401, or on the TCP port a TApplicationException and the
 * connection closed. The table is a `Record` over `ErrorCode`, so a new domain code does not
 * compile until it is placed here. `showMessage: false` hides a message that could carry our
 * own internals (the caller reads `internal error`); those are logged.
 */
import type { ErrorCode } from '../../core/errors.js'

export type ThriftAnswer = 'InvalidArguments' | 'authentication'

export const THRIFT_ERRORS: Record<ErrorCode, { answer: ThriftAnswer; showMessage: boolean }> = {
  invalid_argument: { answer: 'InvalidArguments', showMessage: true },
  unauthenticated: { answer: 'authentication', showMessage: true },
  forbidden: { answer: 'InvalidArguments', showMessage: true },
  not_found: { answer: 'InvalidArguments', showMessage: true },
  already_exists: { answer: 'InvalidArguments', showMessage: true },
  conflict: { answer: 'InvalidArguments', showMessage: true },
  failed_precondition: { answer: 'InvalidArguments', showMessage: true },
  version_mismatch: { answer: 'InvalidArguments', showMessage: true },
  idempotency_mismatch: { answer: 'InvalidArguments', showMessage: true },
  quota_exceeded: { answer: 'InvalidArguments', showMessage: true },
  too_many_attempts: { answer: 'InvalidArguments', showMessage: true },
  deadline_exceeded: { answer: 'InvalidArguments', showMessage: true },
  payload_too_large: { answer: 'InvalidArguments', showMessage: true },
  unsupported_media_type: { answer: 'InvalidArguments', showMessage: true },
  unavailable: { answer: 'InvalidArguments', showMessage: true },
  internal: { answer: 'InvalidArguments', showMessage: false },
}
