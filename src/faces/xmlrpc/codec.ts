/**
 * XML-RPC codec for the XML-RPC face: decodes a `methodCall`, encodes a `methodResponse` or a
 * fault. Pure functions, no I/O; every refusal is an `XmlRpcCodecError` whose message is safe to
 * send back as a fault string.
 *
 * Reading. The codec has no XML parser of its own: it hands its grammar, as handlers, to the
 * faces' one guarded reader (`../xml/reader.ts` `readXmlEvents`), which owns every guard (size,
 * strict UTF-8, U+FFFD and lone surrogates in strings, the XML declaration and its encoding,
 * reference count, no DOCTYPE so no entity ever defined or expanded, no processing instructions,
 * element depth, element count, attributes per element), the one saxes configuration, the fast
 * reader that saxes checks, and the wording of every well-formedness refusal (see its header).
 * The reader's refusals come out of `parseMethodCall` as XmlRpcCodecError with the same message.
 *
 * The grammar is one streaming state machine: a stack of frames, one per open element, checks
 * each start tag, end tag and text against XML-RPC's grammar as it arrives and builds the values
 * in place, with no intermediate tree. It allows only XML-RPC's elements, at most `maxParams`
 * (64) params and at most `maxDepth` (32) nested arrays/structs; an unexpected element is
 * refused when it opens, so nesting cannot run away (the reader's own element-depth cap is set
 * past what `maxDepth` containers need, 3 × maxDepth + 8). Attributes (e.g. xmlns:ex) and
 * comments are ignored; CDATA is text. At most `maxElements` (50,000) elements and
 * `maxAttributes` (32) attributes on one element, enforced by the reader as elements open.
 *
 * Libraries. Parsing is saxes (the strict, conformant SAX parser jsdom uses), through the
 * reader. Output text is escaped by @nodable/entities' `EntityEncoder` (& < > " '); the tags
 * around it are fixed strings (fast-xml-parser's XMLBuilder is correct but takes ~0.4-0.8 ms for
 * 50 structs). Not used for parsing: fast-xml-parser (validate + parse ≈ 13 µs for a small call,
 * against ≈ 2.5 µs for saxes, on a faster machine than the benchmark's: it halved the face's
 * throughput), and @foxglove/xmlrpc (async, runs sax in non-strict mode: HTML entities such as
 * &nbsp; accepted, unknown entities passed through, trailing garbage accepted; no size, depth or
 * reference limits; structs built on `{}`, so a `__proto__` member replaces the prototype; its
 * xmlbuilder2 serializer takes ~2 ms for 50 structs).
 *
 * `parseMethodCall` takes partial limits, merged over DEFAULT_LIMITS. Worst case at the 1 MiB
 * default: under 0.1 s of CPU for a body of tiny values.
 *
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
import { EntityEncoder } from '@nodable/entities'
import { BAD_XML_CHAR_G, MAYBE_BAD_XML_CHAR, fail, quote } from '../xml/guards.js'
import { XmlReadError, readXmlEvents, type XmlHandlers, type XmlLimits } from '../xml/reader.js'

/** Which reader read the last document (for tests that compare the fast reader with saxes). */
export { lastReaderUsed, setFastPath } from '../xml/reader.js'

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
  /** Most elements in one body (every tag: a string param is 4, `<param><value><string>` and its text). */
  maxElements: number
  /** Most attributes on one element (the grammar ignores them; `xmlns:ex` is the usual one). */
  maxAttributes: number
}

export const DEFAULT_LIMITS: CodecLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxEntityRefs: 10000,
  maxParams: 64,
  maxElements: 50000,
  maxAttributes: 32,
})


// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const METHOD_NAME = /^[A-Za-z0-9_.:/]+$/
const MAX_METHOD_NAME = 200
const INT_TEXT = /^[ \t\r\n]*[+-]?[0-9]{1,20}[ \t\r\n]*$/
const DOUBLE_TEXT = /^[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,5})?[ \t\r\n]*$/
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const DATETIME_TEXT =
  /^[ \t\r\n]*([0-9]{4})-?([0-9]{2})-?([0-9]{2})T([0-9]{2}):?([0-9]{2}):?([0-9]{2})(?:[.,]([0-9]{1,9}))?(Z|[+-][0-9]{2}:?[0-9]{2})?[ \t\r\n]*$/

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


// The streaming decoder. The reader reports start tags, end tags and text; a stack of frames, one per
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

/** Text and CDATA sections alike. The reader has already decoded references and normalised line ends. */
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

function reset(lm: CodecLimits): void {
  sp = 0
  top = frames[0]!
  buf = ''
  containers = 0
  lim = lm
  params = []
  methodName = ''
}

/** The limits the reader enforces for a call under `lm`. */
function readerLimits(lm: CodecLimits): XmlLimits {
  return {
    maxBytes: lm.maxBytes,
    // Each array or struct is three elements deep (value, struct, member / value, array, data),
    // and the grammar refuses one too many before the reader's cap is reached.
    maxDepth: 3 * lm.maxDepth + 8,
    maxElements: lm.maxElements,
    maxAttributes: lm.maxAttributes,
    maxEntityRefs: lm.maxEntityRefs,
  }
}
const DEFAULT_READER_LIMITS = Object.freeze(readerLimits(DEFAULT_LIMITS))

/** The grammar, as the reader's handlers (`start` is given the call's limits by parseMethodCall). */
let callLimits: CodecLimits = DEFAULT_LIMITS
const GRAMMAR: XmlHandlers = {
  start: () => reset(callLimits),
  open: openTag,
  text: onText,
  close: onCloseTag,
  // Whitespace is content (or refused) only where text is.
  spaceMatters: () => {
    const k = top.kind
    return k === F_SCALAR || k === F_NAME || k === F_METHOD_NAME || k === F_VALUE || k === F_NIL
  },
}

/**
 * Decodes an XML-RPC methodCall. Given bytes, decodes them as strict UTF-8 first. Throws
 * XmlRpcCodecError for anything malformed, over a limit, or not XML-RPC.
 */
export function parseMethodCall(xml: string | Uint8Array, limits?: Partial<CodecLimits>): { methodName: string; params: XmlRpcValue[] } {
  const lm: CodecLimits = limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS
  callLimits = lm
  try {
    readXmlEvents(xml, GRAMMAR, limits ? readerLimits(lm) : DEFAULT_READER_LIMITS, { expected: 'an XML-RPC methodCall' })
    return { methodName, params }
  } catch (e) {
    // Drop what the frames hold of a refused call.
    for (let i = 0; i <= sp; i++) frames[i]!.v = undefined
    if (e instanceof XmlReadError) throw new XmlRpcCodecError(e.message)
    throw e
  } finally {
    params = []
    buf = ''
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

function refuse(message: string): never {
  throw new XmlRpcCodecError(message)
}

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
  if (!Number.isFinite(n)) refuse(`cannot encode the number ${n}: XML-RPC has no NaN or infinity`)
  return `<double>${n}</double>`
}

function encodeDate(d: Date): string {
  const t = d.getTime()
  if (Number.isNaN(t)) refuse('cannot encode an invalid Date')
  const y = d.getUTCFullYear()
  if (y < 1 || y > 9999) refuse(`cannot encode a Date in year ${y}: dateTime.iso8601 takes years 1-9999`)
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
      if (depth >= ENCODE_MAX_DEPTH) refuse(`cannot encode a value nested deeper than ${ENCODE_MAX_DEPTH} levels (a cycle?)`)
      if (Array.isArray(v)) {
        let s = '<value><array><data>'
        for (let i = 0; i < v.length; i++) s += encodeValue(v[i], depth + 1)
        return s + '</data></array></value>'
      }
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) {
        refuse(`cannot encode a ${(proto?.constructor?.name as string | undefined) ?? 'non-plain'} object`)
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
      return refuse(`cannot encode a value of type ${typeof v}`)
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
