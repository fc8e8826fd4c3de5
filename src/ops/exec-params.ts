/**
 * Seed 000's `jobguid` and `executionparams`, as every face passes them to operations.
 * `executionparams` takes `maxduration` (seconds, > 0) and `userErrormsg` (the text answered
 * instead of the error's own when the request fails, at once or later on a worker: the request
 * keeps it, see record-request.ts); other keys are refused.
 */
import type { ExecParams } from './context.js'
import { DomainError } from '../core/errors.js'
import { isUuid } from '../core/ids.js'
import { unknownFieldMessage } from '../core/field-names.js'

/** Builds ExecParams from a jobguid (empty = none) and an executionparams object (or undefined). */
export function execParams(jobguid: string | undefined, params: unknown): ExecParams {
  const out: ExecParams = {}
  if (jobguid !== undefined && jobguid !== '') {
    if (!isUuid(jobguid)) throw new DomainError('invalid_argument', 'jobguid must be a request guid', { field: 'jobguid' })
    out.parentGuid = jobguid.toLowerCase()
  }
  if (params === undefined || params === null || params === '') return out
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new DomainError('invalid_argument', 'executionparams must be an object', { field: 'executionparams' })
  }
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (k === 'maxduration') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 7 * 24 * 3600) {
        throw new DomainError('invalid_argument', 'executionparams.maxduration must be a number of seconds above 0', { field: 'executionparams.maxduration' })
      }
      out.maxDurationMs = Math.round(v * 1000)
    } else if (k === 'userErrormsg') {
      if (typeof v !== 'string' || v.length > 1000) {
        throw new DomainError('invalid_argument', 'executionparams.userErrormsg must be a string of at most 1000 characters', { field: 'executionparams.userErrormsg' })
      }
      if (v !== '') out.userErrorMessage = v
    } else {
      // The unknown name is not repeated: it may be a secret put in the wrong place.
      throw new DomainError('invalid_argument', unknownFieldMessage('parameter', 'executionparams', ['maxduration', 'userErrormsg']), { field: 'executionparams' })
    }
  }
  return out
}
