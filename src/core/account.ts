/**
 * Seed 004's account options of a user (password expiry, account expiry) and the bounded
 * name → value maps kept on users, customers and customer services. Pure: no I/O.
 */
import { DomainError } from './errors.js'

/** The shape of a day: `YYYY-MM-DD`. */
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True when `s` is a real calendar day written `YYYY-MM-DD` (years 1900–9999). */
export function isDay(s: string): boolean {
  const m = DAY_RE.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false
  const t = new Date(Date.UTC(y, mo - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
}

/**
 * The instant (ms since the epoch) an expiry day takes effect: 00:00 UTC of that day. A password
 * or an account that "expires on D" is refused from the start of D.
 */
export function expiryInstant(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`)
}

/** True when the expiry `day` (null: never) has come at `now`. */
export function hasExpired(day: string | null | undefined, now: number): boolean {
  return day != null && now >= expiryInstant(day)
}

/** The longest text a day input may be (a `YYYY-MM-DD` day, or `NEVER`, with room for spaces). */
export const MAX_DAY_INPUT = 32

/**
 * Reads a password-expiry input: `NEVER` (any case) or `''` is null (never), otherwise a
 * `YYYY-MM-DD` day; anything else is `invalid_argument` on `password.expires` (seed 004's 37).
 */
export function parsePasswordExpiry(v: string): string | null {
  const t = v.trim()
  if (t === '' || t.toUpperCase() === 'NEVER') return null
  if (!isDay(t)) throw new DomainError('invalid_argument', `password expiry ${JSON.stringify(v.slice(0, MAX_DAY_INPUT))} is not a day (YYYY-MM-DD) or NEVER`, { field: 'password.expires' })
  return t
}

/**
 * Reads an account-expiry input: `NEVER` or `''` is null (never), otherwise a `YYYY-MM-DD`
 * day; anything else is `invalid_argument` on `accountExpires` (seed 004's 36).
 */
export function parseAccountExpiry(v: string): string | null {
  const t = v.trim()
  if (t === '' || t.toUpperCase() === 'NEVER') return null
  if (!isDay(t)) throw new DomainError('invalid_argument', `account expiry ${JSON.stringify(v.slice(0, MAX_DAY_INPUT))} is not a day (YYYY-MM-DD) or NEVER`, { field: 'accountExpires' })
  return t
}

/** The refusal when a password is set never to expire where its customer does not allow it (seed 004's 35). */
export function passwordsMustExpire(): DomainError {
  return new DomainError('failed_precondition', 'passwords of this customer must expire', { field: 'password.expires' })
}

/** At most this many names in one map (a user's additional properties, a customer's properties, a resource configuration). */
export const MAX_PROPERTIES = 100
/** A property name: 1–64 characters of `[A-Za-z0-9_.-]`. */
export const PROPERTY_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/
/** The longest property value. */
export const MAX_PROPERTY_VALUE = 1000

/** A name → value map as stored and answered. */
export type PropertyMap = Record<string, string>

/**
 * Checks a change to a name → value map (SET semantics: a name given gets its value, an empty
 * value removes it, names not given are kept) and answers the map it makes of `current`.
 * Refuses (`invalid_argument`, field `<fieldPrefix>.<name>` or `fieldPrefix`) a bad name, a
 * value too long, a name not in `allowed` (when given), or a result past `MAX_PROPERTIES`.
 */
export function mergeProperties(current: PropertyMap, change: PropertyMap, fieldPrefix: string, allowed?: ReadonlySet<string>): PropertyMap {
  const out: PropertyMap = { ...current }
  for (const [name, value] of Object.entries(change)) {
    if (!PROPERTY_NAME_RE.test(name)) {
      throw new DomainError('invalid_argument', `property names are 1-64 characters of A-Z a-z 0-9 _ . -`, { field: fieldPrefix })
    }
    if (typeof value !== 'string' || value.length > MAX_PROPERTY_VALUE) {
      throw new DomainError('invalid_argument', `the value of property ${name} is longer than ${MAX_PROPERTY_VALUE} characters`, { field: `${fieldPrefix}.${name}` })
    }
    if (allowed && !allowed.has(name)) {
      throw new DomainError('invalid_argument', `property ${name} is not defined here`, { field: `${fieldPrefix}.${name}` })
    }
    if (value === '') delete out[name]
    else out[name] = value
  }
  if (Object.keys(out).length > MAX_PROPERTIES) {
    throw new DomainError('invalid_argument', `at most ${MAX_PROPERTIES} properties`, { field: fieldPrefix })
  }
  return out
}
