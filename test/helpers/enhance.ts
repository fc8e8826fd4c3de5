/**
 * Enhance's published OpenAPI document (the parts seed 003's face answers to, in
 * test/fixtures/enhance/), compiled with ajv: the schema an answer of an operation must
 * validate against, by method, path template and status. OpenAPI 3.0's `nullable` is ajv's own
 * keyword; the document's formats are checked where they mean something (uuid, email,
 * date-time, ip) and taken as plain strings where they are labels (path, password, semver).
 */
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { isIP } from 'node:net'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const DOC_URL = new URL('../fixtures/enhance/openapi-subset.json', import.meta.url)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ENHANCE: any = JSON.parse(readFileSync(DOC_URL, 'utf8'))

const ajv = addFormats(new Ajv({ strict: false, allErrors: true }))
for (const label of ['path', 'password', 'semver', 'binary', 'string']) ajv.addFormat(label, true)
ajv.addFormat('ip', (s: string) => isIP(s) !== 0)
ajv.addSchema({ ...ENHANCE, $id: 'enhance' }, 'enhance')

const cache = new Map<string, ValidateFunction | null>()

/**
 * The validator of the JSON answer of `method path` (a path template of the document, e.g.
 * `/orgs/{org_id}`) with `status`: a function, `null` when the document gives that status no
 * content, or it throws when the document does not list the status at all.
 */
export function answerSchema(method: string, path: string, status: number): ValidateFunction | null {
  const key = `${method} ${path} ${status}`
  if (cache.has(key)) return cache.get(key)!
  const op = ENHANCE.paths[path]?.[method.toLowerCase()]
  if (!op) throw new Error(`the document has no operation ${method} ${path}`)
  const res = op.responses[String(status)]
  if (!res) throw new Error(`the document lists no ${status} for ${method} ${path} (it lists ${Object.keys(op.responses).join(', ')})`)
  const schema = res.content?.['application/json']?.schema
  const v = schema
    ? ajv.compile({ $ref: `enhance#/paths/${encode(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema` })
    : null
  cache.set(key, v)
  return v
}

function encode(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1').replace(/\{/g, '%7B').replace(/\}/g, '%7D')
}

/** Why `body` does not validate as the answer of `method path status`, or [] when it does. */
export function conformanceErrors(method: string, path: string, status: number, body: unknown, text: string): string[] {
  const v = answerSchema(method, path, status)
  // An error's body is Clientele's problem+json (RFC 9457) where the document gives none: a
  // client that follows the document reads the status and ignores the body.
  if (v === null) return text === '' || (status >= 400 && (body as { code?: unknown })?.code !== undefined) ? [] : [`the document gives ${status} no content, the answer has ${text.length} characters`]
  if (v(body)) return []
  return (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : ''}`)
}
