import { randomBytes } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'

/**
 * A new UUID, version 7: time-ordered, so that new rows land at the end of the unique indexes
 * on ids instead of at random pages of them (fewer pages written per insert).
 */
export function newId(): string {
  return uuidv7()
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a syntactically valid UUID. */
export function isUuid(s: string): boolean {
  return UUID_RE.test(s)
}

/** A url-safe random token of `bytes` bytes of entropy. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url')
}

/**
 * Derives an organisation's short code from its name: the initials of its words, upper case
 * (`Basic API Customer` → `BAC`). Words are split on anything that is not a letter or digit;
 * accents are folded. A name with no usable letters yields `ORG`. At most 8 characters.
 */
export function codeFromName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
  const initials = words.map((w) => w[0]!.toUpperCase()).join('').slice(0, 8)
  return initials || 'ORG'
}
