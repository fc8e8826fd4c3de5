/**
 * Reading a request document's elements and values, and writing answers. Tag names are matched
 * without regard to case; values are trimmed, and an empty element means "not given". Every
 * answer is written by fast-xml-parser's XMLBuilder, never by joining strings.
 */
import type { XmlElement } from '../xml/reader.js'
import { safeXmlBuilder } from '../root-object/index.js'
import { E, XmlApiError, type SeedCode } from './errors.js'

/** An element of an answer, as XMLBuilder takes it (`@_` attributes, arrays for repeated elements). */
export type Node = Record<string, unknown>

/** How a child tag is handled: read, accepted and ignored (what GET answers that SET cannot change), or not built yet. */
export type TagRule = 'ok' | 'readonly' | { pending: string }

/** The element's lower-cased name. */
export const tagOf = (el: XmlElement): string => el.name.toLowerCase()

/** Every child named `name`. */
export function kids(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => tagOf(c) === name)
}

/** The one child named `name`, or undefined; error 3 when it is given twice. */
export function one(el: XmlElement, name: string): XmlElement | undefined {
  const found = kids(el, name)
  if (found.length > 1) throw new XmlApiError(E.InvalidXmlFormat, `<${name}> is given more than once in <${tagOf(el)}>`)
  return found[0]
}

/** The trimmed text of the one child named `name`; undefined when absent or empty. */
export function val(el: XmlElement, name: string): string | undefined {
  const c = one(el, name)
  if (!c) return undefined
  if (c.children.length > 0) throw new XmlApiError(E.InvalidXmlFormat, `<${name}> in <${tagOf(el)}> takes a value, not elements`)
  const t = c.text.trim()
  return t === '' ? undefined : t
}

/**
 * Checks every child of `el` against `rules`: an unknown tag is error 3; a tag whose core is
 * not built yet is refused (error 0) naming what it waits for, rather than ignored.
 */
export function checkTags(el: XmlElement, rules: Readonly<Record<string, TagRule>>): void {
  for (const c of el.children) {
    const t = tagOf(c)
    const rule = Object.hasOwn(rules, t) ? rules[t] : undefined
    if (rule === undefined) throw new XmlApiError(E.InvalidXmlFormat, `unknown tag <${c.name}> in <${el.name}>`)
    if (typeof rule === 'object') throw new XmlApiError(E.Unknown, `<${t}> in <${tagOf(el)}> is not supported yet (${rule.pending})`)
  }
}

const TRUE = new Set(['true', 'yes', '1', '-1'])
const FALSE = new Set(['false', 'no', '0'])

/** The seed's booleans: true, yes, 1, -1 / false, no, 0 in any case; anything else is error 32. */
export function parseBool(s: string, what: string): boolean {
  const v = s.trim().toLowerCase()
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  throw new XmlApiError(E.InvalidBoolean, `<${what}> must be a boolean (true, yes, 1, -1, false, no or 0)`)
}

/** An integer in 32-bit range; anything else is error 38. */
export function parseInteger(s: string, what: string, min = -2147483648): number {
  const v = s.trim()
  if (!/^[+-]?\d{1,10}$/.test(v) || Number(v) < min || Number(v) > 2147483647) {
    throw new XmlApiError(E.InvalidInteger, `<${what}> must be an integer${min > -2147483648 ? ` of at least ${min}` : ''}`)
  }
  return Number(v)
}

/** A user limit: `Unlimited` (any case) or a positive integer; anything else is error 7. */
export function parseUserLimit(s: string, what = 'userlimit'): number | 'Unlimited' {
  const v = s.trim()
  if (v.toLowerCase() === 'unlimited') return 'Unlimited'
  if (/^\+?\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= 1_000_000_000) return Number(v)
  throw new XmlApiError(E.InvalidUnlimited, `<${what}> must be a positive number of users or Unlimited`)
}

/** The seed's provisioning statuses, as it spells them. */
export const STATUSES = ['Provisioned', 'Failed', 'Pending', 'Requested', 'InProgress', 'NotProvisioned'] as const
export type SeedStatus = (typeof STATUSES)[number]

/** A provisioning status word, any case; anything else is error 17. */
export function parseStatus(s: string): SeedStatus {
  const v = s.trim().toLowerCase()
  const found = STATUSES.find((x) => x.toLowerCase() === v)
  if (!found) throw new XmlApiError(E.InvalidStatus, `<status> must be one of ${STATUSES.join(', ')}`)
  return found
}

/** Booleans as the seed answers them. */
export const bool = (b: boolean): string => (b ? 'True' : 'False')

const builder = safeXmlBuilder({ format: false, suppressEmptyNode: true, cdataPropName: '#cdata' })

const DECLARATION = { '@_version': '1.0', '@_encoding': 'utf-8' }

/** `<response version="1.0">` holding `body`'s elements (none: the empty response). */
export function responseXml(body: Node): string {
  return builder.build({ '?xml': DECLARATION, response: { '@_version': '1.0', ...body } }) as string
}

/** `<response version="1.0"><error><id>N</id><message>…</message></error></response>`. */
export function errorXml(code: SeedCode, message: string): string {
  return responseXml({ error: { id: String(code), message } })
}

/** Appends `node` under `key` of `into` (repeated elements become an array, in order). */
export function add(into: Node, key: string, node: unknown): void {
  const had = into[key]
  if (had === undefined) into[key] = [node]
  else (had as unknown[]).push(node)
}
