/**
 * XML Schema validation in-process, by libxml2 itself (the npm package `libxml2-wasm`, libxml2
 * compiled to WebAssembly): the same validator `xmllint --schema` runs, with nothing to install
 * beside `node_modules`.
 */
import { XmlDocument, XsdValidator, XmlValidateError } from 'libxml2-wasm'

/** What a validation found: `ok`, or the validator's messages (line: message). */
export interface XsdResult {
  ok: boolean
  errors: string[]
}

/** Validates `xml` against the schema `xsd` (both documents as text). */
export function validateXsd(xml: string, xsd: string): XsdResult {
  const schema = XmlDocument.fromString(xsd)
  let validator: XsdValidator | undefined
  let doc: XmlDocument | undefined
  try {
    validator = XsdValidator.fromDoc(schema)
    doc = XmlDocument.fromString(xml)
    validator.validate(doc)
    return { ok: true, errors: [] }
  } catch (e) {
    if (e instanceof XmlValidateError || (e instanceof Error && 'details' in e)) {
      const details = (e as { details?: { line?: number; message: string }[] }).details ?? []
      return { ok: false, errors: details.length ? details.map((d) => `${d.line ?? '?'}: ${d.message.trim()}`) : [e.message] }
    }
    if (e instanceof Error) return { ok: false, errors: [e.message] }
    throw e
  } finally {
    doc?.dispose()
    validator?.dispose()
    schema.dispose()
  }
}
