/**
 * The one guarded XML reader of every XML face (the XML action API of seed 004; the XML-RPC face
 * of seed 000 is to share its guards). Reads a document into a small element tree.
 *
 * Guards, all checked before or while reading, none after:
 * - size: at most `maxBytes` UTF-8 bytes; bytes are decoded as strict UTF-8;
 * - the XML declaration, if any, must declare UTF-8 (or ASCII) or nothing;
 * - no DTD: a DOCTYPE is refused as soon as it is read, so no entity is ever defined, expanded or
 *   fetched (billion laughs, XXE and parameter entities all fail in time linear in the input);
 * - references: only the five predefined entities and character references, at most
 *   `maxEntityRefs` of them;
 * - at most `maxDepth` nested elements, `maxElements` elements, `maxAttributes` attributes on one
 *   element; processing instructions other than the declaration are refused.
 *
 * INTERIM: a plain saxes reader with these guards; the XML-RPC codec's reader is to be merged into
 * this module so that one parser configuration serves both faces.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes'

/** An element: its name, attributes (a null-prototype object), child elements and own text. */
export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** The element's own character data (text and CDATA directly inside it), concatenated. */
  text: string
}

export interface XmlLimits {
  maxBytes: number
  maxDepth: number
  maxElements: number
  maxAttributes: number
  maxEntityRefs: number
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 20000,
  maxAttributes: 32,
  maxEntityRefs: 10000,
})

/** A refused document; the message is safe to show the caller. */
export class XmlReadError extends Error {
  override name = 'XmlReadError'
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const XML_DECL = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii'])

function fail(message: string): never {
  throw new XmlReadError(message)
}

/** Reads `input` (prefer bytes) into its root element, or throws XmlReadError. */
export function readXml(input: string | Uint8Array, limits?: Partial<XmlLimits>): XmlElement {
  const lm: XmlLimits = limits ? { ...DEFAULT_XML_LIMITS, ...limits } : DEFAULT_XML_LIMITS
  let text: string
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > lm.maxBytes) fail(`request body is larger than ${lm.maxBytes} bytes`)
    text = input
  } else {
    if (input.byteLength > lm.maxBytes) fail(`request body is larger than ${lm.maxBytes} bytes`)
    try {
      text = UTF8.decode(input)
    } catch {
      return fail('request body is not valid UTF-8')
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (/^[ \t\r\n]*$/.test(text)) fail('empty request body: expected an XML document')
  text = text.replace(/^[ \t\r\n]+(?=<\?xml)/, '')
  let start = 0
  if (/^<\?xml[ \t\r\n]/.test(text)) {
    const decl = XML_DECL.exec(text)
    if (!decl) fail('malformed XML declaration')
    const enc = decl[3]
    if (enc !== undefined && !UTF8_NAMES.has(enc.toLowerCase())) fail(`unsupported encoding "${enc}": only UTF-8 is accepted`)
    start = decl[0].length
  }
  if (/<!DOCTYPE/i.test(text)) fail('DOCTYPE declarations are not allowed (no DTDs, no entity definitions)')
  if (text.includes('<!ENTITY')) fail('entity declarations are not allowed')
  let amps = 0
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    if (++amps > lm.maxEntityRefs) fail(`more than ${lm.maxEntityRefs} entity or character references`)
  }
  const parser = new SaxesParser({ xmlns: false, position: true, forceXMLVersion: true, defaultXMLVersion: '1.0' })
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  let elements = 0
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (++elements > lm.maxElements) fail(`more than ${lm.maxElements} elements`)
    if (stack.length >= lm.maxDepth) fail(`elements nested deeper than ${lm.maxDepth}`)
    const attrs: Record<string, string> = Object.create(null)
    let n = 0
    for (const k of Object.keys(tag.attributes)) {
      if (++n > lm.maxAttributes) fail(`more than ${lm.maxAttributes} attributes on <${tag.name}>`)
      attrs[k] = String(tag.attributes[k])
    }
    const el: XmlElement = { name: tag.name, attrs, children: [], text: '' }
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push(el)
    else root = el
    stack.push(el)
  })
  parser.on('closetag', () => {
    stack.pop()
  })
  const onText = (s: string) => {
    const top = stack[stack.length - 1]
    if (top) top.text += s
  }
  parser.on('text', onText)
  parser.on('cdata', onText)
  parser.on('doctype', () => fail('DOCTYPE declarations are not allowed (no DTDs, no entity definitions)'))
  parser.on('processinginstruction', () => fail('processing instructions (<?…?>) are not allowed'))
  parser.on('error', (e: Error) => fail(`malformed XML: ${e.message.replace(/\.$/, '').slice(0, 160)}`))
  parser.write(text.slice(start)).close()
  if (!root) fail('no root element')
  return root
}
