/**
 * The lexical guards of the XML reader (reader.ts), and the character classes the XML writers of
 * the faces share. Pure functions; every refusal is an `XmlReadError` whose message is safe to
 * show the caller.
 *
 * - `decodeInput`: size (UTF-8 bytes), strict UTF-8 for bytes, U+FFFD and lone surrogates
 *   refused in strings (a lossy decode's marks), an empty body refused, the BOM dropped;
 * - `checkDeclaration`: the XML declaration, if any, well formed and declaring UTF-8 (or ASCII)
 *   or nothing;
 * - `checkRefCount`: at most `maxEntityRefs` references, counted as `&`s and, only when there are
 *   more `&`s than that, exactly (an `&` in a comment or CDATA section is text);
 * - `prescan`: a lexical pass that names the first problem of a refused document precisely (a
 *   bad reference, a markup declaration, `<` in an attribute value, an unterminated construct);
 * - `checkChars`: names a character XML 1.0 does not allow.
 */

/** A refused document; the message is safe to show the caller. */
export class XmlReadError extends Error {
  override name = 'XmlReadError'
}

/** A character XML 1.0 does not allow (matches lone surrogates too, thanks to the u flag). */
export const BAD_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
export const BAD_XML_CHAR_G = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
/** Quick test without the u flag: false means every character is allowed (and no surrogates). */
export const MAYBE_BAD_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/
/** As BAD_XML_CHAR, and U+FFFD, the mark of a lossy UTF-8 decode. */
const BAD_XML_CHAR_OR_FFFD = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFC\u{10000}-\u{10FFFF}]/u
const MAYBE_BAD_XML_CHAR_OR_FFFD = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFC]/
/** The references allowed: the five predefined entities and numeric character references. */
const REF = /&(?:#0*([0-9]{1,8})|#x0*([0-9A-Fa-f]{1,7})|(?:lt|gt|amp|quot|apos));/y
/** A tag without quotes, references or a stray '<'. */
const SIMPLE_TAG = /<[^<>"'&]*>/y
const XML_DECL = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii'])
const WS = /^[ \t\r\n]*$/
export const DOCTYPE_REFUSED = 'DOCTYPE declarations are not allowed (no DTDs, no entity definitions)'
export const PI_REFUSED = 'processing instructions (<?…?>) are not allowed'

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export function fail(message: string): never {
  throw new XmlReadError(message)
}

/** A short, quoted excerpt of caller input for messages. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s)
}

function codePoint(s: string, at: number): string {
  return 'U+' + (s.codePointAt(at) ?? 0).toString(16).toUpperCase().padStart(4, '0')
}

/**
 * The document's text: bytes decoded as strict UTF-8 (invalid bytes refused; a real U+FFFD
 * accepted), or a string checked for U+FFFD and lone surrogates; at most `maxBytes` UTF-8 bytes
 * either way; not empty; without its BOM. `expected` names the document in the empty-body
 * message ("an XML-RPC methodCall").
 */
export function decodeInput(input: string | Uint8Array, maxBytes: number, expected: string): string {
  let text: string
  if (typeof input === 'string') {
    if (input.length > maxBytes || (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes)) {
      fail(`request body is larger than ${maxBytes} bytes`)
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
    if (WS.test(text)) fail(`empty request body: expected ${expected}`)
    // saxes does not see every lone surrogate, nor U+FFFD as a problem: checked here.
    if (MAYBE_BAD_XML_CHAR_OR_FFFD.test(text)) checkChars(text, BAD_XML_CHAR_OR_FFFD)
  } else if (input instanceof Uint8Array) {
    if (input.byteLength > maxBytes) fail(`request body is larger than ${maxBytes} bytes`)
    try {
      text = UTF8.decode(input)
    } catch {
      return fail('request body is not valid UTF-8')
    }
    if (WS.test(text)) fail(`empty request body: expected ${expected}`)
    // Strict UTF-8 leaves no lone surrogates, and saxes refuses every other character XML 1.0
    // does not allow; checkChars names it should the document be refused.
  } else {
    return fail('request body must be text')
  }
  return text
}

/** Checks the XML declaration, if `text` starts with one; returns the offset just past it (or 0). */
export function checkDeclaration(text: string): number {
  if (!(text.startsWith('<?xml') && /^<\?xml[ \t\r\n]/.test(text))) return 0
  const decl = XML_DECL.exec(text)
  if (!decl) return fail('malformed XML declaration')
  const enc = decl[3]
  if (enc !== undefined && !UTF8_NAMES.has(enc.toLowerCase())) fail(`unsupported encoding ${quote(enc)}: only UTF-8 is accepted`)
  return decl[0].length
}

/**
 * Refuses more than `maxEntityRefs` references. Every reference starts with '&', so counting
 * '&'s bounds them; over the limit, counts exactly: '&' is plain text in comments and CDATA.
 */
export function checkRefCount(text: string, maxEntityRefs: number): void {
  let amps = 0
  for (let at = text.indexOf('&'); at !== -1 && amps <= maxEntityRefs; at = text.indexOf('&', at + 1)) amps++
  if (amps > maxEntityRefs) prescan(text, maxEntityRefs)
}

/** Checks one reference at `at` (an `&`); returns the index just past it. */
export function checkRef(xml: string, at: number): number {
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

/** Refuses a character that `bad` matches (default: any XML 1.0 does not allow), naming it. */
export function checkChars(text: string, bad: RegExp = BAD_XML_CHAR): void {
  const m = bad.exec(text)
  if (m) {
    const what = m[0] === '\uFFFD' ? 'U+FFFD (the body was not valid UTF-8)' : `character ${codePoint(text, m.index)}, which XML 1.0 does not allow,`
    fail(`request body contains ${what} at offset ${m.index}`)
  }
}

function tooManyRefs(maxEntityRefs: number): never {
  return fail(`more than ${maxEntityRefs} entity or character references`)
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** Text with references, decoded; checkRef refuses a bad one. */
export function decodeRefs(s: string): string {
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
 * A lexical pass over a document that follows XML's structure (text, tags with quoted attribute
 * values, comments, CDATA sections, processing instructions): checks and counts references (an
 * `&` in a comment or CDATA section is text, not a reference), and refuses markup declarations
 * (DOCTYPE, ENTITY, …) wherever they are and `<` inside an attribute value. It refuses nothing
 * that saxes accepts; it runs only to name the first problem precisely once a document has been
 * refused, and to count references exactly when a body holds more `&`s than the limit. Linear.
 */
export function prescan(xml: string, maxEntityRefs: number): void {
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
