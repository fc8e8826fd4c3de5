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

/** Follows a `$ref` of the document (`#/components/schemas/X`) to its schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function deref(schema: any): any {
  let s = schema
  while (s && s.$ref) {
    let n = ENHANCE
    for (const k of (s.$ref as string).slice(2).split('/')) n = n[k]
    s = n
  }
  return s
}

/** The document's request-body schema of an operation (JSON), dereferenced. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function requestSchema(method: string, path: string): any {
  const op = ENHANCE.paths[path]?.[method.toLowerCase()]
  if (!op?.requestBody) throw new Error(`the document gives ${method} ${path} no request body`)
  return deref(op.requestBody.content['application/json'].schema)
}

const requestValidators = new Map<string, ValidateFunction>()

/** Why `body` is not a request body the document calls valid for `method path`, or [] when it is. */
export function requestErrors(method: string, path: string, body: unknown): string[] {
  const key = `${method} ${path}`
  let v = requestValidators.get(key)
  if (!v) {
    v = ajv.compile({ $ref: `enhance#/paths/${encode(path)}/${method.toLowerCase()}/requestBody/content/application~1json/schema` })
    requestValidators.set(key, v)
  }
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`)
}

/**
 * A request body generated from the document's schema for `method path`: every property
 * (`all`) or only the required ones, each value the first the schema allows (the first enum
 * value, the first `oneOf` branch, one item per array, `true`, 1, a valid uuid, e-mail or
 * date-time), except where `values` gives one by property path (`allowances`,
 * `cgroupLimits.nproc`, `resources`): what references the server's own data (ids) or must be
 * chosen to mean something is given there. So a property the document adds later is sent too,
 * and a face that refuses it fails the test.
 */
export function exampleBody(method: string, path: string, opts: { all: boolean; values?: Record<string, unknown> }): unknown {
  return example(requestSchema(method, path), '', opts.all, opts.values ?? {})
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function example(schema: any, at: string, all: boolean, values: Record<string, unknown>): unknown {
  if (at in values) return values[at]
  const s = deref(schema)
  if (s.oneOf) return example(s.oneOf[0], at, all, values)
  if (s.enum) return s.enum[0]
  const type = s.type ?? (s.properties ? 'object' : 'string')
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        if (!all && !(s.required ?? []).includes(k) && !(`${at ? `${at}.` : ''}${k}` in values)) continue
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        if ((v as any).deprecated && !(`${at ? `${at}.` : ''}${k}` in values)) continue
        out[k] = example(v, at ? `${at}.${k}` : k, all, values)
      }
      return out
    }
    case 'array':
      return [example(s.items, `${at}[]`, all, values)]
    case 'integer':
    case 'number':
      return 1
    case 'boolean':
      return true
    default:
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000'
      if (s.format === 'email') return 'someone@example.com'
      if (s.format === 'date-time') return new Date().toISOString()
      return 'example'
  }
}

/** What a conformance test's `call` needs of the server under test. */
interface Requester {
  req(method: string, path: string, opts?: { body?: unknown; auth?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string }>
}

/**
 * The `call` of a conformance test: sends `method path` (a path template of the document
 * filled in) and asserts that the answer has the status expected and validates against the
 * document's schema for it, noting the operation in `checked`. A body is first checked to be
 * one the document calls valid (`'valid'`: the default where success is expected, so a test
 * never claims the face accepts what it did not send), or one it calls invalid (`'invalid'`);
 * `'any'` (the default where a refusal is expected) checks nothing, and is what a success with
 * Clientele's own request shape says.
 */
export function conformanceCaller<S extends Requester, O extends Parameters<S['req']>[2]>(server: () => S, checked: Set<string>) {
  return async function call(method: string, template: string, path: string, opts: O = {} as O, expect?: number, bodyIs: 'valid' | 'invalid' | 'any' = expect === undefined || expect < 400 ? 'valid' : 'any'): Promise<Awaited<ReturnType<S['req']>>> {
    const op = ENHANCE.paths[template]?.[method.toLowerCase()]
    if (!op) throw new Error(`the document has no operation ${method} ${template}`)
    const body = (opts as { body?: unknown } | undefined)?.body
    if (body !== undefined && op.requestBody) {
      const errors = requestErrors(method, template, body)
      if (bodyIs === 'valid' && errors.length > 0) throw new Error(`the test's ${method} ${template} body is not one the document calls valid: ${errors.join('; ')}`)
      if (bodyIs === 'invalid' && errors.length === 0) throw new Error(`the test meant to send ${method} ${template} a body the document calls invalid`)
    }
    const r = (await server().req(method, path, opts)) as Awaited<ReturnType<S['req']>>
    if (expect !== undefined && r.status !== expect) throw new Error(`${method} ${path} answered ${r.status}, expected ${expect}: ${r.text.slice(0, 400)}`)
    const errors = conformanceErrors(method, template, r.status, r.body, r.text)
    if (errors.length > 0) throw new Error(`${method} ${path} answered ${r.status} outside the document: ${errors.join('; ')}: ${r.text.slice(0, 400)}`)
    checked.add(op.operationId)
    return r
  }
}
