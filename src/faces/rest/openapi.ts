/** Pieces of the OpenAPI document shared by the REST faces. */
import { Type } from 'typebox'

const descriptions: Record<number, string> = {
  400: 'Invalid input',
  401: 'Invalid session or credentials',
  403: 'Insufficient privileges',
  404: 'Not found',
  409: 'Already exists, or not allowed in this state',
  412: 'If-Match names a stale version',
  413: 'Body too large',
  422: 'Idempotency-Key reused with a different request',
  429: 'Too many failed attempts',
}

/** Problem+json responses for the given statuses, for a route's `response` schema. */
export function errorResponses(...codes: number[]): Record<number, ReturnType<typeof Type.Ref>> {
  const out: Record<number, ReturnType<typeof Type.Ref>> = {}
  for (const c of codes) out[c] = Type.Ref('Problem', { description: descriptions[c] ?? 'Error' })
  return out
}

/**
 * Options for bodies derived with `Type.Omit`, which drops the source's options: every derived
 * body says again that unknown fields are refused, so the OpenAPI document says so too.
 */
export const STRICT = { additionalProperties: false } as const

/** The most items one page answers. */
export const MAX_PAGE = 1000

/**
 * A page's `limit`: seed 003's document sets no maximum, so any positive integer is taken and
 * larger values are answered as `MAX_PAGE` items (see `pageLimit`), never refused.
 */
export const PageLimit = Type.Integer({ minimum: 1, maximum: 2147483647, description: `Items per page; values above ${MAX_PAGE} are answered as ${MAX_PAGE}` })

/** Clamps a page's `limit` to `MAX_PAGE`. */
export function pageLimit(limit: number | undefined): number | undefined {
  return limit === undefined ? undefined : Math.min(limit, MAX_PAGE)
}
