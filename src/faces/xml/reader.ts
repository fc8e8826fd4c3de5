/**
 * The one guarded XML reader of every XML face: the XML action API of seed 004 reads its
 * documents into a tree with `readXml`; the XML-RPC face (seed 000) drives its grammar state
 * machine with `readXmlEvents`. Pure and synchronous; every refusal is an `XmlReadError` whose
 * message is safe to show the caller. There is one saxes parser configuration in src/, here.
 *
 * Guards, all checked before or while reading, none after (guards.ts has the lexical ones):
 * - size: at most `maxBytes` UTF-8 bytes. Bytes (prefer them) are decoded as strict UTF-8
 *   (invalid bytes refused, a real U+FFFD accepted); a string holding U+FFFD (what a lossy decode
 *   leaves for invalid bytes) or a lone surrogate is refused;
 * - the XML declaration, if any, must be well formed and declare UTF-8 (or ASCII) or nothing;
 * - references: at most `maxEntityRefs`, and only the five predefined entities (`&lt;` `&gt;`
 *   `&amp;` `&quot;` `&apos;`) and character references to characters XML 1.0 allows; `&nbsp;`
 *   and every other name is an unknown entity;
 * - no DTD: a DOCTYPE is refused as soon as saxes has read it (and a DOCTYPE inside the root is
 *   not well formed), and saxes never defines an entity from one anyway: no entity is ever
 *   declared, expanded or fetched. Billion laughs, external entities (XXE), parameter entities
 *   and external DTD references all fail in time linear in the input, having read no file and no
 *   URL;
 * - processing instructions other than the XML declaration are refused; comments are ignored;
 * - elements: at most `maxDepth` open at once, `maxElements` in all, `maxAttributes` on one
 *   element, each refused as the element (or the attribute) is read, before any handler sees it;
 * - well-formedness is saxes's, in XML 1.0 whatever the declaration says: unclosed or mismatched
 *   tags, a second root, text outside the root, `<` in an attribute value, `]]>` in text,
 *   duplicate attributes, characters XML 1.0 does not allow.
 * Once a document is refused, a lexical pass (guards.ts `prescan`) names the first problem
 * precisely when it is a bad character, a bad reference, a markup declaration or an
 * unterminated construct, whatever saxes or a handler tripped on first.
 *
 * Two readers, one authority. Almost every document is plain XML: the declaration, elements with
 * ASCII names and quoted attributes, text with a few references, no comments, CDATA, CR or
 * processing instructions. `fastPath` reads that subset itself, attributes included, and drives
 * the same handlers; anything outside it, and anything refused (by the reader or by a handler),
 * is read again by saxes from the start, after `handlers.start()`, so saxes stays the authority
 * on what is well formed and on every refusal's wording. Tests (test/faces/xml/reader.test.ts and
 * test/faces/xmlrpc-codec.test.ts) compare the two readers on thousands of mutated documents. It
 * takes a small XML-RPC call from ≈ 10 µs to ≈ 4.4 µs on the 2-core benchmark machine.
 *
 * Not re-entrant: a handler must not start another read (it throws).
 */
import { SaxesParser, type SaxesStartTagPlain, type SaxesTagPlain, type SaxesAttributePlain } from 'saxes'
import {
  BAD_XML_CHAR,
  DOCTYPE_REFUSED,
  MAYBE_BAD_XML_CHAR,
  PI_REFUSED,
  XmlReadError,
  checkChars,
  checkDeclaration,
  checkRefCount,
  decodeInput,
  decodeRefs,
  fail,
  prescan,
} from './guards.js'

export { XmlReadError } from './guards.js'

/** An element: its name, attributes (a null-prototype object), child elements and own text. */
export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** The element's own character data (text and CDATA directly inside it), concatenated. */
  text: string
}

export interface XmlLimits {
  /** Largest document, in UTF-8 bytes. */
  maxBytes: number
  /** Most elements open at once (the root is depth 1). */
  maxDepth: number
  /** Most elements in one document. */
  maxElements: number
  /** Most attributes on one element. */
  maxAttributes: number
  /** Most entity and character references (`&lt;`, `&#233;`, …) in one document. */
  maxEntityRefs: number
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 20000,
  maxAttributes: 32,
  maxEntityRefs: 10000,
})

/** An element's attributes: a null-prototype object, values with references decoded. */
export type XmlAttributes = Readonly<Record<string, string>>

/** The attributes of an element that has none (shared and frozen). */
export const EMPTY_ATTRS: XmlAttributes = Object.freeze(Object.create(null) as Record<string, string>)

/**
 * What `readXmlEvents` calls as it reads. A handler refuses the document by throwing an
 * `XmlReadError` (any other error is a bug and propagates as is).
 */
export interface XmlHandlers {
  /** Before each pass over the document: drop whatever an abandoned earlier pass built. */
  start(): void
  /** An element opens, after the limits have passed it. `attrs` is EMPTY_ATTRS when it has none. */
  open(name: string, attrs: XmlAttributes): void
  /**
   * Character data inside the root element (text and CDATA alike, references decoded, line ends
   * normalised), possibly in several pieces; whitespace between elements comes too.
   */
  text(s: string): void
  /** The innermost open element closes. */
  close(): void
  /**
   * Optional, for speed: whether whitespace between tags where the reader now stands means
   * anything. The fast reader asks it before handing over a run of whitespace, and skips the run
   * on false; saxes hands every run to `text`. So false must mean that `text` would do nothing
   * with it (nor refuse it).
   */
  spaceMatters?(): boolean
}

export interface XmlReadOptions {
  /** What the document should be, for the empty-body message ("an XML-RPC methodCall"). */
  expected?: string
  /** Skip whitespace before the XML declaration (not well formed, but what hand-written clients send). */
  spaceBeforeDeclaration?: boolean
}

// ---------------------------------------------------------------------------------------------
// Reader state. One read at a time (synchronous, not re-entrant).
// ---------------------------------------------------------------------------------------------

const NO_HANDLERS: XmlHandlers = {
  start() {},
  open() {},
  text() {},
  close() {},
}
let h: XmlHandlers = NO_HANDLERS
let lim: XmlLimits = DEFAULT_XML_LIMITS
let busy = false
/** Elements open, elements seen, attributes of the tag being read, and its name. */
let depth = 0
let elements = 0
let attrCount = 0
let tagName = ''
/** The fast reader's stack of open element names. */
const names: string[] = []

function begin(handlers: XmlHandlers, lm: XmlLimits): void {
  h = handlers
  lim = lm
  depth = 0
  elements = 0
  attrCount = 0
  limitHit = false
  names.length = 0
  handlers.start()
}

/**
 * Set when a read is refused for an element limit. Either reader reaches the limit at the same
 * element, having found nothing wrong before it, so such a refusal stands as it is: saxes does
 * not read the document again, nor does the prescan look past the limit for another problem.
 */
let limitHit = false

function limitFail(message: string): never {
  limitHit = true
  return fail(message)
}

/** The limits an element must pass as it opens (its attributes are counted as they are read). */
function admitElement(): void {
  if (depth >= lim.maxDepth) limitFail(`elements nested deeper than ${lim.maxDepth}`)
  if (++elements > lim.maxElements) limitFail(`more than ${lim.maxElements} elements`)
}

function tooManyAttributes(): never {
  return limitFail(`more than ${lim.maxAttributes} attributes on <${tagName}>`)
}

// ---------------------------------------------------------------------------------------------
// saxes: the one configuration
// ---------------------------------------------------------------------------------------------

/**
 * One parser for every read (constructing one costs about as much as parsing a small document).
 * XML 1.0 is forced whatever the declaration says, as the character checks are XML 1.0's; no
 * namespace processing (`ex:i8` is a plain element name, `xmlns:ex` a plain attribute).
 */
const parser = new SaxesParser({ xmlns: false, position: false, forceXMLVersion: true, defaultXMLVersion: '1.0' })
parser.on('opentagstart', (tag: SaxesStartTagPlain) => {
  tagName = tag.name
  attrCount = 0
})
parser.on('attribute', (_a: SaxesAttributePlain) => {
  if (++attrCount > lim.maxAttributes) tooManyAttributes()
})
parser.on('opentag', (tag: SaxesTagPlain) => {
  admitElement()
  depth++
  h.open(tag.name, tag.attributes as XmlAttributes)
})
parser.on('closetag', () => {
  depth--
  h.close()
})
function onSaxesText(s: string): void {
  // Outside the root only whitespace gets this far: saxes refuses anything else.
  if (depth > 0) h.text(s)
}
parser.on('text', onSaxesText)
parser.on('cdata', onSaxesText)
parser.on('error', (e: Error) => fail(`malformed XML: ${e.message.replace(/\.$/, '').slice(0, 160)} (at offset ${parser.position})`))
// Never read, let alone expanded: saxes defines no entity from a DTD, and this refuses the DTD.
parser.on('doctype', () => fail(DOCTYPE_REFUSED))
parser.on('processinginstruction', () => fail(PI_REFUSED))

// ---------------------------------------------------------------------------------------------
// The fast reader
// ---------------------------------------------------------------------------------------------

/** Whether the fast reader is tried first (tests turn it off to compare the two). */
let useFastPath = true
/** Which reader read the last document a read answered (for tests). */
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
/** XML whitespace but CR (a document holding a CR is not the fast reader's). */
function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9
}

/** Whether text[from, to) is only XML whitespace. */
function isWsRange(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isWs(text.charCodeAt(i))) return false
  return true
}

const TAB_OR_LF = /[\t\n]/g

/**
 * The common case without saxes: the declaration (already checked), start tags with quoted
 * attributes, end tags, self-closing tags and text with the predefined and character references
 * only, no CR, ASCII names. It makes the well-formedness checks saxes would make for this subset
 * (allowed characters, end tags that match, one root element, nothing but whitespace outside it,
 * no `]]>` in text, whitespace between attributes, no duplicate attribute, no `<` in a value)
 * and normalises attribute values as XML does (a literal TAB or LF reads as a space). It answers
 * false as soon as the document steps outside the subset (a comment, CDATA, a processing
 * instruction, a DOCTYPE, a CR, a space before an end tag's `>`, a non-ASCII name …), and throws
 * where it finds a fault; either way saxes then reads the whole document again.
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
      if (depth === 0) {
        if (!isWsRange(text, i, end)) return false
      } else if (isWsRange(text, i, end)) {
        if (h.spaceMatters === undefined || h.spaceMatters()) h.text(text.slice(i, end))
      } else {
        let t = text.slice(i, end)
        if (t.indexOf(']]>') !== -1) return false
        if (t.indexOf('&') !== -1) t = decodeRefs(t)
        h.text(t)
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
      const top = names[depth - 1]
      if (c !== 62 /* > */ || depth === 0 || j - from !== top!.length || !text.startsWith(top!, from)) return false
      --depth
      h.close()
      if (depth === 0) rootDone = true
    } else {
      if (rootDone) return false
      const name = text.slice(from, j)
      tagName = name
      let attrs: Record<string, string> | undefined
      let count = 0
      // Attributes: (whitespace name ws? = ws? quoted-value)*, then ws? and > or />.
      while (isWs(c)) {
        while (isWs((c = text.charCodeAt(++j))));
        if (!isNameStart(c)) break
        const an = j
        while (isNameChar((c = text.charCodeAt(++j))));
        const attrName = text.slice(an, j)
        while (isWs(c)) c = text.charCodeAt(++j)
        if (c !== 61 /* = */) return false
        while (isWs((c = text.charCodeAt(++j))));
        if (c !== 34 /* " */ && c !== 39 /* ' */) return false
        const q = text.indexOf(c === 34 ? '"' : "'", j + 1)
        if (q === -1) return false
        let v = text.slice(j + 1, q)
        if (v.indexOf('<') !== -1) return false
        if (v.indexOf('\t') !== -1 || v.indexOf('\n') !== -1) v = v.replace(TAB_OR_LF, ' ')
        if (v.indexOf('&') !== -1) v = decodeRefs(v)
        // Counted once read, duplicates checked at the tag's end: as saxes does.
        if (++count > lim.maxAttributes) tooManyAttributes()
        attrs ??= Object.create(null) as Record<string, string>
        if (attrs[attrName] !== undefined) return false
        attrs[attrName] = v
        j = q
        c = text.charCodeAt(++j)
      }
      const selfClosing = c === 47
      if (selfClosing) c = text.charCodeAt(++j)
      if (c !== 62) return false
      admitElement()
      names[depth++] = name
      h.open(name, attrs ?? EMPTY_ATTRS)
      if (selfClosing) {
        --depth
        h.close()
        if (depth === 0) rootDone = true
      }
    }
    i = j + 1
  }
  return rootDone && depth === 0
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

function isComplete(l: Partial<XmlLimits>): l is XmlLimits {
  return l.maxBytes !== undefined && l.maxDepth !== undefined && l.maxElements !== undefined && l.maxAttributes !== undefined && l.maxEntityRefs !== undefined
}

/**
 * Reads `input` (prefer bytes), calling `handlers` as elements open and close and text arrives.
 * Throws XmlReadError for anything malformed, over a limit, or refused by a handler; whatever a
 * handler built before a refusal is the caller's to drop.
 */
export function readXmlEvents(input: string | Uint8Array, handlers: XmlHandlers, limits?: Partial<XmlLimits>, options?: XmlReadOptions): void {
  const lm: XmlLimits = limits === undefined ? DEFAULT_XML_LIMITS : isComplete(limits) ? limits : { ...DEFAULT_XML_LIMITS, ...limits }
  let text = decodeInput(input, lm.maxBytes, options?.expected ?? 'an XML document')
  if (options?.spaceBeforeDeclaration) text = text.replace(/^[ \t\r\n]+(?=<\?xml[ \t\r\n])/, '')
  const start = checkDeclaration(text)
  checkRefCount(text, lm.maxEntityRefs)
  if (busy) throw new Error('readXmlEvents is not re-entrant: a handler started another read')
  busy = true
  try {
    if (useFastPath) {
      begin(handlers, lm)
      try {
        if (fastPath(text, start)) {
          lastReader = 'fast'
          return
        }
      } catch (e) {
        // Refused: saxes reads it again below and says why, exactly as if it had read it first
        // (but for an element limit, where it would say the same).
        if (!(e instanceof XmlReadError) || limitHit) throw e
      }
    }
    begin(handlers, lm)
    try {
      parser.write(text).close()
      lastReader = 'saxes'
    } catch (e) {
      // Refused mid-document: reset the parser. Name the first lexical problem if there is one
      // (a bad character or reference, a DOCTYPE, an unterminated tag…).
      parser._init()
      if (e instanceof XmlReadError && !limitHit) {
        checkChars(text, BAD_XML_CHAR)
        prescan(text, lm.maxEntityRefs)
      }
      throw e
    }
  } finally {
    busy = false
    h = NO_HANDLERS
  }
}

/** The tree builder readXml hands the reader. */
class TreeBuilder implements XmlHandlers {
  stack: XmlElement[] = []
  root: XmlElement | undefined = undefined
  start(): void {
    this.stack = []
    this.root = undefined
  }
  open(name: string, attrs: XmlAttributes): void {
    const el: XmlElement = { name, attrs: attrs === EMPTY_ATTRS ? (Object.create(null) as Record<string, string>) : (attrs as Record<string, string>), children: [], text: '' }
    const parent = this.stack[this.stack.length - 1]
    if (parent) parent.children.push(el)
    else this.root = el
    this.stack.push(el)
  }
  text(s: string): void {
    const top = this.stack[this.stack.length - 1]
    if (top) top.text += s
  }
  close(): void {
    this.stack.pop()
  }
}

/**
 * Reads `input` (prefer bytes) into its root element, or throws XmlReadError. Whitespace before
 * the XML declaration is skipped; an element's `text` keeps its whitespace exactly.
 */
export function readXml(input: string | Uint8Array, limits?: Partial<XmlLimits>): XmlElement {
  const b = new TreeBuilder()
  readXmlEvents(input, b, limits, { expected: 'an XML document', spaceBeforeDeclaration: true })
  if (!b.root) return fail('no root element')
  return b.root
}
