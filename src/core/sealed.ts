/**
 * Secrets that must be used again (a webhook's signing secret), sealed at rest with AES-256-GCM.
 * GCM authenticates as well as encrypts, so a value altered in the database, moved to another
 * row, or sealed under another key is refused rather than misread.
 *
 * A sealed value is text, `sealed:v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts), over
 * the JSON of the value, so any JSON value round-trips. `v1` is the format; the key id (the first
 * 8 hex characters of the key's SHA-256, the same in every process holding the key) names the
 * key that sealed it, so that keys can rotate: a keyring seals with its first key and opens
 * with any of its keys. `aad` (additional authenticated data) names where the value is stored;
 * the value opens only with the same `aad`.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { DomainError } from './errors.js'

const FORMAT = 'sealed:v1:'
const SEALED = /^sealed:v1:([0-9a-f]{8}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]*):([A-Za-z0-9_-]{22})$/
const KEY_BYTES = 32
const IV_BYTES = 12

/**
 * The keys this process seals and opens secrets with. The key bytes live only inside the
 * closure, so logging or serialising a keyring shows its ids and source, never a key.
 */
export interface Keyring {
  /** The ids of the keys, the sealing key first. */
  readonly ids: readonly string[]
  /** Where the keys came from (a file path or an environment variable's name), for messages. */
  readonly source: string
  /** Seals the JSON of `value`, bound to `aad`, under the first key. */
  seal(value: unknown, aad: string): string
  /**
   * Opens a sealed value bound to `aad`. Throws `failed_precondition` when it was sealed under
   * a key this keyring lacks, or does not authenticate (altered, or bound elsewhere).
   */
  open(sealed: string, aad: string): unknown
  /**
   * A keyed digest (HMAC-SHA256 under a subkey of the sealing key) of `text`, hex: for comparing
   * what must not be recoverable from the database alone (a request body that may hold a
   * password). Changes when the sealing key does.
   */
  mac(text: string): string
}

/** True when `v` is a sealed value (see the format above). */
export function isSealed(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(FORMAT) && SEALED.test(v)
}

/** The id of the key a sealed value was sealed under, or undefined when `v` is not sealed. */
export function sealedKeyId(v: unknown): string | undefined {
  return typeof v === 'string' ? SEALED.exec(v)?.[1] : undefined
}

/** A key's id: the first 8 hex characters of its SHA-256. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

/** A new key file's text: one key of 32 random bytes, base64. */
export function newKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64') + '\n'
}

/**
 * Reads keys from text: base64 (or base64url) of 32 bytes each, separated by new lines or
 * commas; blank lines and `#` comments are skipped. The first key seals; every key opens (put
 * a new key first to rotate, keeping the old ones after it). Throws `invalid_argument` naming
 * `source` when there is no key or one is not 32 bytes.
 */
export function keyringFromText(text: string, source: string): Keyring {
  const words = text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .flatMap((line) => line.split(','))
    .map((w) => w.trim())
    .filter((w) => w !== '')
  if (words.length === 0) throw new DomainError('invalid_argument', `${source} holds no secret key`)
  const keys = words.map((w, i) => {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(w) ? Buffer.from(w, 'base64') : Buffer.alloc(0)
    if (key.length !== KEY_BYTES) throw new DomainError('invalid_argument', `${source}: key ${i + 1} is not the base64 of ${KEY_BYTES} bytes`)
    return key
  })
  return keyringOf(keys, source)
}

/** A keyring of `keys` (the first seals), from `source`. */
export function keyringOf(keys: readonly Buffer[], source: string): Keyring {
  if (keys.length === 0) throw new DomainError('invalid_argument', `${source} holds no secret key`)
  const byId = new Map<string, Buffer>()
  for (const k of keys) if (!byId.has(keyId(k))) byId.set(keyId(k), Buffer.from(k))
  const ids = [...byId.keys()]
  const sealing = ids[0]!
  const sealKey = byId.get(sealing)!
  const macKey = Buffer.from(hkdfSync('sha256', sealKey, Buffer.alloc(0), 'clientele request digest', 32))
  const cannot = (why: string) =>
    new DomainError('failed_precondition', `the sealed value cannot be decrypted with this server's secret key (key id ${ids.join(', ')}): ${why}`)
  return {
    ids,
    source,
    seal(value, aad) {
      const iv = randomBytes(IV_BYTES)
      const c = createCipheriv('aes-256-gcm', sealKey, iv)
      c.setAAD(Buffer.from(aad, 'utf8'))
      const body = Buffer.concat([c.update(JSON.stringify(value) ?? 'null', 'utf8'), c.final()])
      return `${FORMAT}${sealing}:${iv.toString('base64url')}:${body.toString('base64url')}:${c.getAuthTag().toString('base64url')}`
    },
    mac(text) {
      return createHmac('sha256', macKey).update(text, 'utf8').digest('hex')
    },
    open(sealed, aad) {
      const m = SEALED.exec(sealed)
      if (!m) throw cannot('it is not a sealed value')
      const [, kid, iv, body, tag] = m as unknown as [string, string, string, string, string]
      const key = byId.get(kid)
      if (!key) throw cannot(`it was sealed under key ${kid}, which this server does not have`)
      try {
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        d.setAAD(Buffer.from(aad, 'utf8'))
        d.setAuthTag(Buffer.from(tag, 'base64url'))
        const text = Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8')
        return JSON.parse(text) as unknown
      } catch {
        throw cannot(`it does not authenticate under key ${kid} (altered, or stored elsewhere than where it was sealed)`)
      }
    },
  }
}
