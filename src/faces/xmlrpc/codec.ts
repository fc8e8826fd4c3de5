/**
 * XML-RPC codec for the XML-RPC face: decodes a `methodCall`, encodes a `methodResponse` or a
 * fault. Pure functions, no I/O; every refusal is an `XmlRpcCodecError` whose message is safe to
 * send back as a fault string.
 *
 * Libraries. Parsing is saxes (the strict, conformant SAX parser jsdom uses), driven as one
 * streaming state machine: a stack of frames, one per open element, checks each start tag, end tag
 * and text against XML-RPC's grammar as it arrives and builds the values in place, with no
 * intermediate tree. One parser instance serves every call (reset after a refusal). Output text is
 * escaped by @nodable/entities' `EntityEncoder` (& < > " '); the tags around it are fixed strings
 * (fast-xml-parser's XMLBuilder is correct but takes ~0.4-0.8 ms for 50 structs). Not used for
 * parsing: fast-xml-parser (validate + parse ≈ 13 µs for a small call, against ≈ 2.5 µs for
 * saxes, on a faster machine than the benchmark's: it halved the face's throughput), and
 * @foxglove/xmlrpc (async, runs sax in non-strict mode: HTML entities such as &nbsp; accepted,
 * unknown entities passed through, trailing garbage accepted; no size, depth or reference
 * limits; structs built on `{}`, so a `__proto__` member replaces the prototype; its
 * xmlbuilder2 serializer takes ~2 ms for 50 structs).
 *
 * Checks before parsing:
 * - size: at most `maxBytes` UTF-8 bytes (default 1 MiB);
 * - encoding: given bytes (Buffer/Uint8Array), they are decoded as strict UTF-8 (invalid bytes
 *   refused; a real U+FFFD accepted): prefer passing bytes. Given a string, U+FFFD is refused, as
 *   it is what a lossy UTF-8 decode leaves for invalid bytes, and so are lone surrogates;
 * - the XML declaration, if any, must be well formed and declare UTF-8 (or ASCII) or nothing;
 * - references: at most `maxEntityRefs` (10000). The `&`s are counted (an indexOf loop); only
 *   when there are more than the limit are references counted exactly (an `&` in a comment or
 *   CDATA section is text).
 * Then saxes parses, in XML 1.0 whatever the declaration says, refusing anything not well formed:
 * unclosed or mismatched tags, a second root, text outside the root, `<` in an attribute value,
 * `]]>` in text, duplicate attributes, characters XML 1.0 does not allow (NUL, C0 controls but
 * TAB/LF/CR, U+FFFE/U+FFFF), any reference but `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and
 * character references to allowed characters. A DOCTYPE is refused as soon as saxes has read it
 * (a DOCTYPE inside the root is not well formed): no DTD is acted on, and saxes never defines an
 * entity from one anyway, so no entity is ever expanded (billion laughs and external entities
 * fail in time linear in the input). Processing instructions other than the XML declaration are
 * refused; comments and attributes (e.g. xmlns:ex) are ignored. The grammar allows only XML-RPC's
 * elements, at most `maxParams` (64) params and at most `maxDepth` (32) nested arrays/structs; an
 * unexpected element is refused when it opens, so nesting cannot run away. Once a document is
 * refused, a lexical pass over it (the prescan) names the first problem precisely when it is a
 * bad character, a bad reference, a markup declaration or an unterminated construct.
 *
 * The fast reader. Almost every call is plain XML: elements without attributes, text with a few
 * references, no comments, CDATA or CR. `fastPath` reads that subset itself and drives the same
 * grammar handlers; anything outside it, and anything refused, is read again by saxes from the
 * start, so saxes stays the authority on what is well formed and on every refusal's wording. A
 * test (test/faces/xmlrpc-codec.test.ts) compares the two readers on thousands of mutated
 * documents. It takes a small call from ≈ 10 µs to ≈ 4.4 µs on the 2-core benchmark machine,
 * the largest share of what seed 000's `list` costs beyond REST's `GET /orgs/{id}`.
 *
 * `parseMethodCall` takes partial limits, merged over DEFAULT_LIMITS. Worst case at the 1 MiB
 * default: under 0.1 s of CPU for a body of tiny values.
 *
 * Types in: <int> <i4> <i8> <i1> <i2> (and the Apache `ex:` forms of i1/i2/i8/nil) → number
 * (outside ±2^53-1 refused); <boolean> exactly 0/1; <string> or untyped text → string, whitespace
 * kept exactly (<value/>, <value></value> → ''); <double> → number (finite only: inf/nan refused);
 * <dateTime.iso8601> (`20261123T18:05:01`, `2026-11-23T18:05:01`, optional fraction and Z/±hh:mm;
 * no zone = UTC) → Date; <base64> → Buffer; <array><data> → array; <struct> → object with a null
 * prototype (so a `__proto__` member is an ordinary key and pollutes nothing); a duplicate member
 * name: the last wins, as in Python's xmlrpc.client; <nil/> → null. No <params> → params [].
 * Line ends: as XML requires, a literal CR LF or CR reads as LF; `&#13;` reads as CR.
 *
 * Types out: integer within int32 → <int>, other safe integer → <i8> (Python reads it), other
 * finite number (and -0) → <double>; NaN/±Infinity refused. boolean → <boolean>; string →
 * <string>, escaped by the library, then CR written as `&#13;` so that it survives the
 * receiver's line-end normalisation (the escaper leaves CR alone); null → <nil/>;
 * undefined → <nil/> in arrays and at top level, and an undefined struct member is left out (as
 * JSON does); Date → <dateTime.iso8601> in Python's `YYYYMMDDTHH:MM:SS`, UTC, milliseconds
 * dropped (years 1-9999 only); Buffer/Uint8Array → <base64>; arrays and plain or null-prototype
 * objects recursively (at most 100 levels, which also stops cycles). A character XML 1.0
 * cannot carry (e.g. U+0001, a lone surrogate) in a string or member name is written as U+FFFD
 * (such text is refused when stored, see core/text.ts; this keeps older data answerable).
 * `encodeFault` never throws; it writes a non-integer fault code as -32500.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import { EntityEncoder } from '@nodable/entities'

export type XmlRpcValue = string | number | boolean | null | Date | Buffer | EncodedValue | XmlRpcValue[] | { [k: string]: XmlRpcValue }

/**
 * A value already written by this encoder (`preEncode`), kept to be answered again: the face
 * memoises what it answers for an unchanged object, as the REST face memoises its JSON.
 */
export class EncodedValue {
  private constructor(readonly xml: string) {}
  /** Encodes `value` once; throws as encodeResponse does. */
  static of(value: XmlRpcValue): EncodedValue {
    return new EncodedValue(encodeValue(value, 0))
  }
}

/** A refused or unrepresentable message. The message is meant for the caller (a fault string). */
export class XmlRpcCodecError extends Error {
  override name = 'XmlRpcCodecError'
}

export interface CodecLimits {
  /** Largest body, in UTF-8 bytes. */
  maxBytes: number
  /** Deepest nesting of arrays/structs (a struct param is depth 1). */
  maxDepth: number
  /** Most entity and character references (`&lt;`, `&#233;`, …) in one body. */
  maxEntityRefs: number
  /** Most `<param>`s in one call. */
  maxParams: number
}

export const DEFAULT_LIMITS: CodecLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxEntityRefs: 10000,
  maxParams: 64,
})

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** A character XML 1.0 does not allow (matches lone surrogates too, thanks to the u flag). */
const BAD_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
const BAD_XML_CHAR_G = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
/** Quick test without the u flag: false means every character is allowed (and no surrogates). */
const MAYBE_BAD_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/
/** As above, and U+FFFD, the mark of a lossy UTF-8 decode. */
const BAD_XML_CHAR_OR_FFFD = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFC\u{10000}-\u{10FFFF}]/u
const MAYBE_BAD_XML_CHAR_OR_FFFD = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFC]/
/** The references allowed: the five predefined entities and numeric character references. */
const REF = /&(?:#0*([0-9]{1,8})|#x0*([0-9A-Fa-f]{1,7})|(?:lt|gt|amp|quot|apos));/y
/** A tag without quotes, references or a stray '<'. */
const SIMPLE_TAG = /<[^<>"'&]*>/y
const XML_DECL = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii'])
const WS = /^[ \t\r\n]*$/
const METHOD_NAME = /^[A-Za-z0-9_.:/]+$/
const MAX_METHOD_NAME = 200
const INT_TEXT = /^[ \t\r\n]*[+-]?[0-9]{1,20}[ \t\r\n]*$/
const DOUBLE_TEXT = /^[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,5})?[ \t\r\n]*$/
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const DATETIME_TEXT =
  /^[ \t\r\n]*([0-9]{4})-?([0-9]{2})-?([0-9]{2})T([0-9]{2}):?([0-9]{2}):?([0-9]{2})(?:[.,]([0-9]{1,9}))?(Z|[+-][0-9]{2}:?[0-9]{2})?[ \t\r\n]*$/
const DOCTYPE_REFUSED = 'DOCTYPE declarations are not allowed (no DTDs, no entity definitions)'
const PI_REFUSED = 'processing instructions (<?…?>) are not allowed'

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

function fail(message: string): never {
  throw new XmlRpcCodecError(message)
}

/** A short, quoted excerpt of caller input for messages. */
function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s)
}

function codePoint(s: string, at: number): string {
  return 'U+' + (s.codePointAt(at) ?? 0).toString(16).toUpperCase().padStart(4, '0')
}

function readDate(s: string): Date {
  const m = DATETIME_TEXT.exec(s)
  if (!m) return fail(`invalid <dateTime.iso8601> ${quote(s)}`)
  const [, y, mo, d, h, mi, sec, frac, zone] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(sec)
  const ms = frac ? Math.floor(Number('0.' + frac) * 1000) : 0
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms))
  date.setUTCFullYear(year)
  if (
    year < 1 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    fail(`invalid <dateTime.iso8601> ${quote(s)}`)
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offH = Number(digits.slice(0, 2))
    const offM = Number(digits.slice(2))
    if (offH > 23 || offM > 59) fail(`invalid time zone in <dateTime.iso8601> ${quote(s)}`)
    date.setTime(date.getTime() - sign * (offH * 60 + offM) * 60000)
  }
  return date
}

/** Checks one reference at `at` (an `&`); returns the index just past it. */
function checkRef(xml: string, at: number): number {
  REF.lastIndex = at
  const m = REF.exec(xml)
  if (!m) {
    const name = /^&([A-Za-z0-9#._:-]{0,24})/.exec(xml.slice(at, at + 26))?.[1] ?? ''
    if (name && xml[at + 1 + name.length] === ';' && !name.startsWith('#')) {
      fail(`unknown entity &${name}; (only &lt; &gt; &amp; &quot; &apos; and numeric character references are allowed)`)
    }
    fail(`malformed XML: "&" at offset ${at} does not start a valid reference (write &amp;)`)
  }
  if (m[1] !== undefined || m[2] !== undefined) {
    const cp = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2]!, 16)
    const ok =
      cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
    if (!ok) fail(`character reference ${m[0]} is to a character XML 1.0 does not allow`)
  }
  return REF.lastIndex
}

/** Refuses a character that `bad` matches, naming it. */
function checkChars(text: string, bad: RegExp): void {
  const m = bad.exec(text)
  if (m) {
    const what = m[0] === '\uFFFD' ? 'U+FFFD (the body was not valid UTF-8)' : `character ${codePoint(text, m.index)}, which XML 1.0 does not allow,`
    fail(`request body contains ${what} at offset ${m.index}`)
  }
}

function tooManyRefs(maxEntityRefs: number): never {
  return fail(`more than ${maxEntityRefs} entity or character references`)
}

/**
 * A lexical pass over a document that follows XML's structure (text, tags with quoted attribute
 * values, comments, CDATA sections, processing instructions): checks and counts references (an
 * `&` in a comment or CDATA section is text, not a reference), and refuses markup declarations
 * (DOCTYPE, ENTITY, …) wherever they are and `<` inside an attribute value. It refuses nothing
 * that saxes and the grammar accept; it runs only to name the first problem precisely once a
 * document has been refused, and to count references exactly when a body holds more `&`s than
 * the limit.
 */
function prescan(xml: string, maxEntityRefs: number): void {
  let refs = 0
  const n = xml.length
  let i = 0
  // The next '&' at or after i (kept across text runs, so the scan stays linear).
  let amp = xml.indexOf('&')
  while (i < n) {
    const lt = xml.indexOf('<', i)
    const textEnd = lt === -1 ? n : lt
    // Character data: references only.
    if (amp !== -1 && amp < i) amp = xml.indexOf('&', i)
    while (amp !== -1 && amp < textEnd) {
      if (++refs > maxEntityRefs) tooManyRefs(maxEntityRefs)
      amp = xml.indexOf('&', checkRef(xml, amp))
    }
    if (lt === -1) return
    const next = xml.charCodeAt(lt + 1)
    if (next === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 4)
        if (end === -1) fail('malformed XML: unterminated comment')
        i = end + 3
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', lt + 9)
        if (end === -1) fail('malformed XML: unterminated CDATA section')
        i = end + 3
      } else if (/^<!DOCTYPE/i.test(xml.slice(lt, lt + 9))) {
        return fail(DOCTYPE_REFUSED)
      } else if (xml.startsWith('<!ENTITY', lt)) {
        return fail('entity declarations are not allowed')
      } else {
        return fail('markup declarations (<!…>) are not allowed')
      }
    } else if (next === 63 /* ? */) {
      const end = xml.indexOf('?>', lt + 2)
      if (end === -1) fail('malformed XML: unterminated processing instruction')
      i = end + 2
    } else {
      // A start or end tag. The common case, without quotes or references, in one match.
      SIMPLE_TAG.lastIndex = lt
      if (SIMPLE_TAG.test(xml)) {
        i = SIMPLE_TAG.lastIndex
        continue
      }
      // Otherwise up to the first '>' outside a quoted attribute value.
      let j = lt + 1
      let inQuote = 0
      for (; j < n; j++) {
        const c = xml.charCodeAt(j)
        if (inQuote !== 0) {
          if (c === inQuote) inQuote = 0
          else if (c === 60 /* < */) fail(`malformed XML: "<" inside an attribute value at offset ${j}`)
          else if (c === 38 /* & */) {
            if (++refs > maxEntityRefs) tooManyRefs(maxEntityRefs)
            j = checkRef(xml, j) - 1
          }
        } else if (c === 34 /* " */ || c === 39 /* ' */) inQuote = c
        else if (c === 62 /* > */) break
        else if (c === 60 /* < */) fail(`malformed XML: "<" inside a tag at offset ${j}`)
      }
      if (j >= n) fail('malformed XML: unterminated tag')
      i = j + 1
    }
  }
}

// The streaming decoder. saxes reports start tags, end tags and text; a stack of frames, one per
// open element, checks each against XML-RPC's grammar as it comes and builds the values in place.

/** Frame kinds: what the open element is. */
const F_DOC = 0 // the document, outside the root element
const F_CALL = 1 // <methodCall>
const F_METHOD_NAME = 2 // <methodName>
const F_PARAMS = 3
const F_PARAM = 4
const F_VALUE = 5
const F_SCALAR = 6 // <string> <int> <boolean> <double> <dateTime.iso8601> <base64> …
const F_NIL = 7
const F_ARRAY = 8
const F_DATA = 9
const F_STRUCT = 10
const F_MEMBER = 11
const F_NAME = 12 // a member's <name>

/** Scalar types. */
const T_STRING = 0
const T_INT = 1
const T_BOOLEAN = 2
const T_DOUBLE = 3
const T_DATE = 4
const T_BASE64 = 5
const SCALARS = new Map<string, number>([
  ['string', T_STRING],
  ['int', T_INT],
  ['i4', T_INT],
  ['i8', T_INT],
  ['i1', T_INT],
  ['i2', T_INT],
  ['ex:i8', T_INT],
  ['ex:i1', T_INT],
  ['ex:i2', T_INT],
  ['boolean', T_BOOLEAN],
  ['double', T_DOUBLE],
  ['dateTime.iso8601', T_DATE],
  ['base64', T_BASE64],
])

class Frame {
  kind = F_DOC
  tag = ''
  /** Children seen (call, param, array, member); a scalar's type; a value's: 1 once it holds an element. */
  n = 0
  /** The array or struct being filled (array, data, struct, member); a value's element's value. */
  v: XmlRpcValue | undefined = undefined
  /** A member's name; the name of a value's element. */
  key = ''
}

type Struct = { [k: string]: XmlRpcValue }

/** Decoder state. parseMethodCall is synchronous and not re-entrant, so one set serves all calls. */
const frames: Frame[] = [new Frame()]
let sp = 0
let top: Frame = frames[0]!
/** The text of the open element so far (only kept where text is content). */
let buf = ''
/** Open arrays and structs. */
let containers = 0
let lim: CodecLimits = DEFAULT_LIMITS
let params: XmlRpcValue[] = []
let methodName = ''

/** Whether `s` is only XML whitespace. */
function isWs(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false
  }
  return true
}

function push(kind: number, tag: string): Frame {
  const f = frames[++sp] ?? (frames[sp] = new Frame())
  f.kind = kind
  f.tag = tag
  f.n = 0
  f.v = undefined
  f.key = ''
  return (top = f)
}

function scalar(type: number, tag: string, s: string): XmlRpcValue {
  switch (type) {
    case T_STRING:
      return s
    case T_INT: {
      if (!INT_TEXT.test(s)) fail(`invalid <${tag}> ${quote(s)}`)
      const n = Number(s)
      if (!Number.isSafeInteger(n)) fail(`<${tag}> ${quote(s.trim())} is outside the range of safe integers`)
      return n
    }
    case T_BOOLEAN:
      if (s === '1') return true
      if (s === '0') return false
      return fail(`invalid <boolean> ${quote(s)}: expected 0 or 1`)
    case T_DOUBLE: {
      if (!DOUBLE_TEXT.test(s)) fail(`invalid <double> ${quote(s)}`)
      const n = Number(s)
      if (!Number.isFinite(n)) fail(`<double> ${quote(s)} is out of range`)
      return n
    }
    case T_DATE:
      return readDate(s)
    default: {
      const b64 = s.replace(/[ \t\r\n]+/g, '')
      if (!BASE64_TEXT.test(b64)) fail('invalid <base64> content')
      return Buffer.from(b64, 'base64')
    }
  }
}

function openTag(name: string): void {
  const t = top
  switch (t.kind) {
    case F_VALUE: {
      if (t.n !== 0) fail(`a <value> holds more than one element (<${t.key}>, <${name}>)`)
      if (buf.length !== 0 && !isWs(buf)) fail(`a <value> mixes text ${quote(buf.trim())} with an element`)
      t.n = 1
      t.key = name
      const type = SCALARS.get(name)
      if (type !== undefined) push(F_SCALAR, name).n = type
      else if (name === 'struct' || name === 'array') {
        if (++containers > lim.maxDepth) fail(`arrays and structs nest deeper than ${lim.maxDepth} levels`)
        const c: XmlRpcValue = name === 'array' ? [] : (Object.create(null) as Struct)
        t.v = c
        push(name === 'array' ? F_ARRAY : F_STRUCT, name).v = c
      } else if (name === 'nil' || name === 'ex:nil') {
        t.v = null
        push(F_NIL, name)
      } else fail(`unknown XML-RPC type <${name}>`)
      break
    }
    case F_DATA:
      if (name !== 'value') fail(`unexpected <${name}> in <data>`)
      push(F_VALUE, name)
      break
    case F_STRUCT:
      if (name !== 'member') fail(`unexpected <${name}> in <struct>`)
      push(F_MEMBER, name).v = t.v
      break
    case F_MEMBER:
      if (t.n === 0 && name === 'name') push(F_NAME, name)
      else if (t.n === 1 && name === 'value') push(F_VALUE, name)
      else fail('a <member> must hold a <name> then a <value>')
      t.n++
      break
    case F_ARRAY:
      if (name !== 'data' || t.n !== 0) fail('an <array> must hold exactly one <data>')
      t.n = 1
      push(F_DATA, name).v = t.v
      break
    case F_PARAM:
      if (name !== 'value' || t.n !== 0) fail('a <param> must hold exactly one <value>')
      t.n = 1
      push(F_VALUE, name)
      break
    case F_PARAMS:
      if (name !== 'param') fail(`unexpected <${name}> in <params>`)
      if (params.length >= lim.maxParams) fail(`more than ${lim.maxParams} params`)
      push(F_PARAM, name)
      break
    case F_CALL:
      if (t.n === 0) {
        if (name !== 'methodName') fail('a <methodCall> must start with <methodName>')
        push(F_METHOD_NAME, name)
      } else if (t.n === 1 && name === 'params') push(F_PARAMS, name)
      else fail(`unexpected <${name}> in <methodCall>`)
      t.n++
      break
    case F_DOC:
      if (name !== 'methodCall') fail(`expected a <methodCall> document, not <${name}>`)
      push(F_CALL, name)
      break
    case F_NIL:
      fail('<nil/> must be empty')
    // falls through (fail throws)
    default:
      fail(`<${t.tag}> may hold only text, not <${name}>`)
  }
  buf = ''
}

/** Text and CDATA sections alike. saxes has already decoded references and normalised line ends. */
function onText(s: string): void {
  const t = top
  switch (t.kind) {
    case F_SCALAR:
    case F_NAME:
    case F_METHOD_NAME:
      buf = buf.length === 0 ? s : buf + s
      break
    case F_VALUE:
      if (t.n === 0) buf = buf.length === 0 ? s : buf + s
      else if (!isWs(s)) fail(`a <value> mixes text ${quote(s.trim())} with an element`)
      break
    case F_DOC: // whitespace: saxes refuses anything else outside the root element
      break
    case F_NIL:
      fail('<nil/> must be empty')
    // falls through (fail throws)
    default:
      if (!isWs(s)) fail(`unexpected text ${quote(s)} in <${t.tag}>`)
  }
}

function onCloseTag(): void {
  const f = top
  const parent = (top = frames[--sp]!)
  switch (f.kind) {
    case F_SCALAR:
      parent.v = scalar(f.n, f.tag, buf)
      break
    case F_VALUE: {
      const v = f.n === 0 ? buf : (f.v as XmlRpcValue)
      if (parent.kind === F_PARAM) params.push(v)
      else if (parent.kind === F_DATA) (parent.v as XmlRpcValue[]).push(v)
      // A member: the last of duplicate names wins, as in Python's xmlrpc.client.
      else (parent.v as Struct)[parent.key] = v
      break
    }
    case F_NAME:
      parent.key = buf
      break
    case F_ARRAY:
      if (f.n === 0) fail('an <array> must hold exactly one <data>')
      containers--
      break
    case F_STRUCT:
      containers--
      break
    case F_MEMBER:
      if (f.n !== 2) fail('a <member> must hold a <name> then a <value>')
      break
    case F_PARAM:
      if (f.n === 0) fail('a <param> must hold exactly one <value>')
      break
    case F_METHOD_NAME:
      if (buf.length === 0 || buf.length > MAX_METHOD_NAME || !METHOD_NAME.test(buf)) {
        fail(`invalid method name ${quote(buf)}: expected 1-${MAX_METHOD_NAME} of A-Z a-z 0-9 _ . : /`)
      }
      methodName = buf
      break
    case F_CALL:
      if (f.n === 0) fail('a <methodCall> must start with <methodName>')
      break
  }
  f.v = undefined
  buf = ''
}

/** A well-formedness error from saxes. */
function onError(e: Error): never {
  return fail(`malformed XML: ${e.message.replace(/\.$/, '').slice(0, 160)} (at offset ${parser.position})`)
}

/**
 * One parser for all calls (constructing one costs about as much as parsing a small call). XML
 * 1.0 is forced whatever the declaration says, as the character checks above are XML 1.0's; no
 * namespace processing (`ex:i8` is a plain element name).
 */
const parser = new SaxesParser({ xmlns: false, position: false, forceXMLVersion: true, defaultXMLVersion: '1.0' })
parser.on('opentag', (tag: SaxesTagPlain) => openTag(tag.name))
parser.on('closetag', onCloseTag)
parser.on('text', onText)
parser.on('cdata', onText)
parser.on('error', onError)
// Never read, let alone expanded: saxes defines no entity from a DTD, and this refuses the DTD.
parser.on('doctype', () => fail(DOCTYPE_REFUSED))
parser.on('processinginstruction', () => fail(PI_REFUSED))

function reset(lm: CodecLimits): void {
  sp = 0
  top = frames[0]!
  buf = ''
  containers = 0
  lim = lm
  params = []
  methodName = ''
}

/** Whether parseMethodCall tries `fastPath` first (tests turn it off to compare the two). */
let useFastPath = true
/** Which reader decoded the last call parseMethodCall answered (for tests). */
let lastReader: 'fast' | 'saxes' = 'saxes'
export function setFastPath(on: boolean): void {
  useFastPath = on
}
export function lastReaderUsed(): 'fast' | 'saxes' {
  return lastReader
}

/** ASCII name characters: a name's first (letter, `_`, `:`) and the others (also digit, `-`, `.`). */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58
}
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 45 || c === 46
}

/** Whether text[from, to) is only XML whitespace. */
function isWsRange(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 9) return false
  }
  return true
}

/**
 * The common case without saxes: a document made of the declaration, start tags without
 * attributes, end tags, self-closing tags and text with the predefined and character references
 * only, no CR, ASCII element names — what Python's xmlrpc.client and every other client we know
 * send. It drives the same grammar handlers as saxes does (openTag, onText, onCloseTag), after
 * the well-formedness checks saxes would make for this subset: allowed characters, end tags
 * that match, one root element, nothing but whitespace outside it, no `]]>` in text. It answers
 * false as soon as the document steps outside the subset (a comment, CDATA, a processing
 * instruction, a DOCTYPE, an attribute, a CR, a space inside a tag, a non-ASCII name …), and
 * throws where it finds a fault; either way saxes then reads the whole document again, so the
 * outcome and every refusal's message are saxes's own. A test feeds both paths the same
 * documents, good and broken, and compares what they answer.
 */
function fastPath(text: string, start: number): boolean {
  if ((MAYBE_BAD_XML_CHAR.test(text) && BAD_XML_CHAR.test(text)) || text.indexOf('\r') !== -1) return false
  const n = text.length
  let i = start
  let rootDone = false
  while (i < n) {
    const lt = text.indexOf('<', i)
    const end = lt === -1 ? n : lt
    if (end > i) {
      if (isWsRange(text, i, end)) {
        // Whitespace between elements means nothing, but where text is content (or must not be).
        const k = top.kind
        if (k === F_SCALAR || k === F_NAME || k === F_METHOD_NAME || k === F_VALUE || k === F_NIL) onText(text.slice(i, end))
      } else {
        if (sp === 0) return false
        let t = text.slice(i, end)
        if (t.indexOf(']]>') !== -1) return false
        if (t.indexOf('&') !== -1) t = decodeRefs(t)
        onText(t)
      }
    }
    if (lt === -1) break
    let j = lt + 1
    const close = text.charCodeAt(j) === 47 /* / */
    if (close) j++
    const from = j
    let c = text.charCodeAt(j)
    if (!isNameStart(c)) return false
    while (isNameChar((c = text.charCodeAt(++j))));
    if (close) {
      if (c !== 62 /* > */ || sp === 0 || j - from !== top.tag.length || !text.startsWith(top.tag, from)) return false
      onCloseTag()
      if (sp === 0) rootDone = true
    } else {
      const selfClosing = c === 47
      if (selfClosing) c = text.charCodeAt(++j)
      if (c !== 62 || (sp === 0 && rootDone)) return false
      openTag(text.slice(from, j - (selfClosing ? 1 : 0)))
      if (selfClosing) {
        onCloseTag()
        if (sp === 0) rootDone = true
      }
    }
    i = j + 1
  }
  return rootDone && sp === 0
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** Text with references, decoded; checkRef refuses a bad one (saxes then says why). */
function decodeRefs(s: string): string {
  let out = ''
  let from = 0
  for (let at = s.indexOf('&'); at !== -1; at = s.indexOf('&', from)) {
    const next = checkRef(s, at)
    const ref = s.slice(at + 1, next - 1)
    out += s.slice(from, at)
    if (ref.charCodeAt(0) === 35 /* # */) {
      out += String.fromCodePoint(ref.charCodeAt(1) === 120 /* x */ ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10))
    } else out += PREDEFINED[ref]!
    from = next
  }
  return out + s.slice(from)
}

/**
 * Decodes an XML-RPC methodCall. Given bytes, decodes them as strict UTF-8 first. Throws
 * XmlRpcCodecError for anything malformed, over a limit, or not XML-RPC.
 */
export function parseMethodCall(xml: string | Uint8Array, limits?: Partial<CodecLimits>): { methodName: string; params: XmlRpcValue[] } {
  const lm: CodecLimits = limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS
  let text: string
  if (typeof xml === 'string') {
    if (xml.length > lm.maxBytes || (xml.length * 3 > lm.maxBytes && Buffer.byteLength(xml, 'utf8') > lm.maxBytes)) {
      fail(`request body is larger than ${lm.maxBytes} bytes`)
    }
    text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml
    if (WS.test(text)) fail('empty request body: expected an XML-RPC methodCall')
    // saxes does not see every lone surrogate, nor U+FFFD as a problem: checked here.
    if (MAYBE_BAD_XML_CHAR_OR_FFFD.test(text)) checkChars(text, BAD_XML_CHAR_OR_FFFD)
  } else if (xml instanceof Uint8Array) {
    if (xml.byteLength > lm.maxBytes) fail(`request body is larger than ${lm.maxBytes} bytes`)
    try {
      text = UTF8.decode(xml)
    } catch {
      return fail('request body is not valid UTF-8')
    }
    if (WS.test(text)) fail('empty request body: expected an XML-RPC methodCall')
    // Strict UTF-8 leaves no lone surrogates, and saxes refuses every other character XML 1.0
    // does not allow; checkChars names it should the document be refused.
  } else {
    return fail('request body must be text')
  }
  let start = 0
  if (text.startsWith('<?xml') && /^<\?xml[ \t\r\n]/.test(text)) {
    const decl = XML_DECL.exec(text)
    if (!decl) return fail('malformed XML declaration')
    const enc = decl[3]
    if (enc !== undefined && !UTF8_NAMES.has(enc.toLowerCase())) fail(`unsupported encoding ${quote(enc)}: only UTF-8 is accepted`)
    start = decl[0].length
  }
  // Every reference starts with '&', so counting '&'s bounds the references. Over the limit,
  // count exactly: '&' is plain text in comments and CDATA sections.
  let amps = 0
  for (let at = text.indexOf('&'); at !== -1 && amps <= lm.maxEntityRefs; at = text.indexOf('&', at + 1)) amps++
  if (amps > lm.maxEntityRefs) prescan(text, lm.maxEntityRefs)

  if (useFastPath) {
    reset(lm)
    try {
      if (fastPath(text, start)) {
        const out = { methodName, params }
        params = []
        lastReader = 'fast'
        return out
      }
    } catch {
      // Refused: saxes reads it again below and says why, exactly as if it had read it first.
    }
    for (let i = 0; i <= sp; i++) frames[i]!.v = undefined
  }
  reset(lm)
  try {
    parser.write(text).close()
    lastReader = 'saxes'
    return { methodName, params }
  } catch (e) {
    // Refused mid-document: reset the parser, and drop what the frames hold.
    parser._init()
    for (let i = 0; i <= sp; i++) frames[i]!.v = undefined
    // Name the first lexical problem if there is one (a bad reference, a DOCTYPE, an
    // unterminated tag…), whatever saxes or the grammar tripped on first.
    if (e instanceof XmlRpcCodecError) {
      checkChars(text, BAD_XML_CHAR)
      prescan(text, lm.maxEntityRefs)
    }
    throw e
  } finally {
    params = []
    buf = ''
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** The library escaper: & < > " ' only, non-ASCII written as is (the output is UTF-8). */
const ENCODER = new EntityEncoder({ encodeXmlSafe: true, encodeAllNamed: false })
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
const ENCODE_MAX_DEPTH = 100
const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/** Escaped element text. CR goes out as `&#13;`: a literal CR would be read back as LF. */
function escapeText(s: string): string {
  // Text is checked when it is stored (core/text.ts); what was stored before that rule is
  // written as U+FFFD, so that no answer is a document its reader would refuse.
  const clean = MAYBE_BAD_XML_CHAR.test(s) ? s.replace(BAD_XML_CHAR_G, '\uFFFD') : s
  const out = ENCODER.encode(clean)
  return out.indexOf('\r') === -1 ? out : out.replace(/\r/g, '&#13;')
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function encodeNumber(n: number): string {
  if (Number.isSafeInteger(n)) {
    if (n === 0 && 1 / n < 0) return '<double>-0.0</double>'
    return n >= INT32_MIN && n <= INT32_MAX ? `<int>${n}</int>` : `<i8>${n}</i8>`
  }
  if (!Number.isFinite(n)) fail(`cannot encode the number ${n}: XML-RPC has no NaN or infinity`)
  return `<double>${n}</double>`
}

function encodeDate(d: Date): string {
  const t = d.getTime()
  if (Number.isNaN(t)) fail('cannot encode an invalid Date')
  const y = d.getUTCFullYear()
  if (y < 1 || y > 9999) fail(`cannot encode a Date in year ${y}: dateTime.iso8601 takes years 1-9999`)
  return (
    `<dateTime.iso8601>${pad(y, 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}T` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}</dateTime.iso8601>`
  )
}

/** `<value>…</value>` for one value. */
function encodeValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return v.length === 0 ? '<value><string></string></value>' : `<value><string>${escapeText(v)}</string></value>`
    case 'number':
      return `<value>${encodeNumber(v)}</value>`
    case 'boolean':
      return v ? '<value><boolean>1</boolean></value>' : '<value><boolean>0</boolean></value>'
    case 'undefined':
      return '<value><nil/></value>'
    case 'object': {
      if (v === null) return '<value><nil/></value>'
      if (v instanceof Date) return `<value>${encodeDate(v)}</value>`
      if (v instanceof EncodedValue) return v.xml
      if (v instanceof Uint8Array) {
        const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
        return `<value><base64>${b.toString('base64')}</base64></value>`
      }
      if (depth >= ENCODE_MAX_DEPTH) fail(`cannot encode a value nested deeper than ${ENCODE_MAX_DEPTH} levels (a cycle?)`)
      if (Array.isArray(v)) {
        let s = '<value><array><data>'
        for (let i = 0; i < v.length; i++) s += encodeValue(v[i], depth + 1)
        return s + '</data></array></value>'
      }
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) {
        fail(`cannot encode a ${(proto?.constructor?.name as string | undefined) ?? 'non-plain'} object`)
      }
      const o = v as Record<string, unknown>
      let s = '<value><struct>'
      for (const k of Object.keys(o)) {
        const m = o[k]
        if (m === undefined) continue
        s += `<member><name>${escapeText(k)}</name>${encodeValue(m, depth + 1)}</member>`
      }
      return s + '</struct></value>'
    }
    default:
      return fail(`cannot encode a value of type ${typeof v}`)
  }
}

/**
 * A complete methodResponse carrying `value`. Throws XmlRpcCodecError for a value XML-RPC cannot
 * carry (see the header); the caller answers a fault instead.
 */
export function encodeResponse(value: XmlRpcValue): string {
  return `${XML_HEAD}<methodResponse><params><param>${encodeValue(value, 0)}</param></params></methodResponse>\n`
}

/**
 * A complete fault methodResponse. Never throws: characters XML cannot carry become U+FFFD and a
 * fault code that is not a safe integer becomes -32500 (application error).
 */
export function encodeFault(faultCode: number, faultString: string): string {
  const code = Number.isSafeInteger(faultCode) ? faultCode : -32500
  const clean = String(faultString).replace(BAD_XML_CHAR_G, '\uFFFD')
  return (
    `${XML_HEAD}<methodResponse><fault><value><struct>` +
    `<member><name>faultCode</name><value>${encodeNumber(code)}</value></member>` +
    `<member><name>faultString</name><value><string>${escapeText(clean)}</string></value></member>` +
    `</struct></value></fault></methodResponse>\n`
  )
}
