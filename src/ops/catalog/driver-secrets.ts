/**
 * The secret settings of a service's driver (the keys its driver declares in `secretFields`,
 * the webhook's `secret`) at rest and on the wire: sealed (core/sealed.ts) on every write,
 * answered as `{"set": true}` on every read, opened only by the worker and the callback check
 * (`openDriverConfig` in jobs/drivers).
 *
 * `{"set": true}` given back on a write keeps the stored secret, so that a service or a
 * catalogue read, edited and written back keeps its secrets.
 */
import { DomainError } from '../../core/errors.js'
import { isSealed, sealedKeyId, type Keyring } from '../../core/sealed.js'
import { driverConfigAad, secretFieldsOf } from '../../jobs/drivers/index.js'

/** What a read answers in place of a secret: it is set, and not shown. */
export const REDACTED: Readonly<{ set: true }> = Object.freeze({ set: true })

/** True when `v` is the redacted form `{"set": true}`. */
export function isRedacted(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && (v as { set?: unknown }).set === true
}

/** Nothing to hide: an empty or null setting is stored and shown as it is. */
const isEmpty = (v: unknown) => v === null || v === ''

/**
 * The driver settings stored as `text`, as a reader sees them: every sealed value, and every
 * secret key of `driver` still in clear, answered as `{"set": true}`.
 */
export function redactDriverConfig(driver: string, text: string): Record<string, unknown> {
  const secret = new Set(secretFieldsOf(driver))
  const config = JSON.parse(text) as Record<string, unknown>
  for (const [k, v] of Object.entries(config)) {
    if (isSealed(v) || (secret.has(k) && !isEmpty(v))) config[k] = { ...REDACTED }
  }
  return config
}

export interface SealInput {
  serviceId: string
  /** The driver that will run the settings: its `secretFields` are sealed. */
  driver: string
  /** The settings as given (secrets in clear, or `{"set": true}` to keep the stored one). */
  config: Record<string, unknown>
  /** The settings stored now, when the service exists. */
  stored: string | undefined
  /** The input's field, for errors (`driverConfig`, `services.3.driverConfig`). */
  field: string
  /** Re-seal values sealed under an older key of the keyring under its first key. */
  rotate?: boolean
}

/**
 * The text to store for driver settings: each secret key sealed, bound to the service and key.
 * A secret equal to the one stored keeps its sealed text, so writing the same settings again
 * changes nothing; `{"set": true}` keeps the stored secret (sealing it if it was still in clear).
 *
 * Throws `invalid_argument` for `{"set": true}` where nothing is stored, and for a value in the
 * sealed format (only the secret itself is accepted).
 */
export function sealDriverConfig(keys: Keyring, input: SealInput): string {
  const secret = new Set(secretFieldsOf(input.driver))
  const stored = input.stored === undefined ? {} : (JSON.parse(input.stored) as Record<string, unknown>)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input.config)) {
    const field = `${input.field}.${k}`
    const aad = driverConfigAad(input.serviceId, k)
    const prev = stored[k]
    if (isRedacted(v)) {
      if (isSealed(prev)) out[k] = input.rotate ? rotated(keys, prev, aad) : prev
      else if (secret.has(k) && prev !== undefined && !isEmpty(prev)) out[k] = keys.seal(prev, aad)
      else {
        throw new DomainError('invalid_argument', `${field} is {"set": true}, which keeps the stored secret, but none is stored: give the secret itself`, {
          field,
        })
      }
      continue
    }
    if (isSealed(v)) throw new DomainError('invalid_argument', `${field} is a sealed value: give the secret itself`, { field })
    if (!secret.has(k) || isEmpty(v)) out[k] = v
    else out[k] = isSealed(prev) && sameSecret(keys, prev, aad, v) ? prev : keys.seal(v, aad)
  }
  return JSON.stringify(out)
}

/** True when `sealed` opens (with these keys) to `value`. */
function sameSecret(keys: Keyring, sealed: string, aad: string, value: unknown): boolean {
  try {
    return JSON.stringify(keys.open(sealed, aad)) === JSON.stringify(value)
  } catch {
    return false
  }
}

/** `sealed` under the keyring's first key; as it is when that is its key or it cannot be opened. */
function rotated(keys: Keyring, sealed: string, aad: string): string {
  if (sealedKeyId(sealed) === keys.ids[0]) return sealed
  try {
    return keys.seal(keys.open(sealed, aad), aad)
  } catch {
    return sealed
  }
}
