/**
 * Domain names as the registry keeps them: checked hostnames in their ASCII (punycode) form,
 * lower case, without a trailing dot, with their Unicode form beside.
 */
import { domainToASCII, domainToUnicode } from 'node:url'
import { DomainError } from '../../core/errors.js'

/** A domain name in both forms. */
export interface DomainName {
  /** `xn--bcher-kva.example` */
  ascii: string
  /** `bücher.example` */
  unicode: string
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
// Only these ASCII characters may appear in what is given: the URL parser behind
// domainToASCII would otherwise read `a/b.com` as `a` and `%41.com` as `a.com`.
const ASCII_ALLOWED = /^[A-Za-z0-9.-]$/

/**
 * Checks and normalises a domain name: IDN converted to punycode (node's UTS #46 mapping),
 * lower case, one trailing dot dropped; at least two labels, each 1–63 characters of
 * `[a-z0-9-]` not starting or ending with `-`, at most 253 characters in all, and a top-level
 * label that is not all digits (an IP address is not a domain). Throws `invalid_argument`
 * naming `field` otherwise.
 */
export function normalizeDomain(given: string, field = 'domain'): DomainName {
  const bad = (why: string): never => {
    throw new DomainError('invalid_argument', `${field} ${JSON.stringify(given.slice(0, 300))} is not a valid domain name: ${why}`, { field })
  }
  for (const ch of given) {
    if (ch.charCodeAt(0) < 0x80 && !ASCII_ALLOWED.test(ch)) bad(`it contains ${JSON.stringify(ch)}`)
  }
  const ascii = domainToASCII(given.endsWith('.') ? given.slice(0, -1) : given)
  if (ascii === '') bad('it cannot be converted to ASCII (IDNA)')
  if (ascii.length > 253) bad('it is longer than 253 characters')
  const labels = ascii.split('.')
  if (labels.length < 2) bad('it needs at least two labels (example.com)')
  for (const l of labels) {
    if (l === '') bad('it has an empty label')
    if (l.length > 63) bad('a label is longer than 63 characters')
    if (!LABEL.test(l)) bad(`label ${JSON.stringify(l)} must be letters, digits and inner hyphens`)
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) bad('its top-level label is all digits')
  return { ascii, unicode: domainToUnicode(ascii) }
}

/**
 * Checks and normalises a top-level domain a registrar serves (`com`, `.com`, `рф` →
 * `xn--p1ai`); throws `invalid_argument` naming `field` otherwise.
 */
export function normalizeTld(given: string, field = 'tlds'): string {
  const t = given.startsWith('.') ? given.slice(1) : given
  const bad = (): never => {
    throw new DomainError('invalid_argument', `${field} ${JSON.stringify(given.slice(0, 100))} is not a top-level domain`, { field })
  }
  if (t.includes('.')) bad()
  for (const ch of t) if (ch.charCodeAt(0) < 0x80 && !ASCII_ALLOWED.test(ch)) bad()
  // Converted as the last label of a name, so that it is mapped exactly as a domain's TLD is.
  const ascii = domainToASCII(`x.${t}`)
  const label = ascii.slice(2)
  if (ascii === '' || !LABEL.test(label) || /^[0-9]+$/.test(label)) bad()
  return label
}
