/**
 * Hostile input on the JSON faces (issue 15, item 5): native REST with seed 003's `/orgs`, and
 * seed 002's `/v3/admin`. Every operation of the served `/openapi.json` (each one's path and
 * query parameters and JSON body schema) becomes a fast-check arbitrary of valid-ish requests,
 * which are then mutated — wrong types, missing and extra fields, prototype keys, huge strings,
 * Unicode (lone surrogates, NUL), nulls, deep nesting, numbers at the limits, broken JSON, the
 * wrong content type — and sent as the admin to the real routes of a `clientele serve` process,
 * paths filled with real and bogus ids. Every answer must be below 500 and, when it refuses,
 * problem+json whose `status` is the HTTP status; the health probe runs alongside. RSS growth is
 * read after full garbage collections in the server (`underProbe`): raw RSS on SQLite's
 * `/v3/admin` grew +70 to +89 MB from V8 letting garbage of the 70 KB strings pile up before a
 * full collection, while what the server kept grew by about 1 MB (a leak of 20 KB a request
 * injected into the server reads +62 MB over 3,000 cases and fails the bound).
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import fc from 'fast-check'
import { count } from '../helpers/adversarial.js'
import { eachDialect } from '../helpers/harness.js'
import { runParams, send, startHostileServer, underProbe, type Exchange, type HostileServer } from './hostile-harness.js'

const CASES = count('HOSTILE_CASES', 400, 10_000)

type Schema = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON Schema as served
interface Operation {
  method: string
  path: string
  params: { name: string; in: 'path' | 'query'; schema: Schema }[]
  body?: Schema
}

/** Every operation of the document, but the XML-RPC endpoint (a face of its own). */
function operations(doc: Schema): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    if (path === '/appserver/xmlrpc') continue
    for (const [method, op] of Object.entries(item)) {
      out.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema })
    }
  }
  return out
}

/** Keys that reach an object's prototype when code is careless. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** Values no schema asks for. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 2 ** 64, 1e308, -1e308, 5e-324, '', ' ', [], {}),
  fc.constantFrom('x'.repeat(70_000), '\u{1F600}'.repeat(20_000), 'é'.repeat(50_000)),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\ufffe', '\u202e', "' OR 1=1 --", '"; DROP TABLE orgs; --', '../../../etc/passwd', '%00', '${7*7}', '<x>&amp;</x>', 'NaN', 'Infinity', '1e999', '-0', '2026-13-45T25:61:61Z'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 30, max: 80 }).map((n) => nest(n)),
  fc.constantFrom(...PROTO_KEYS).map((k) => JSON.parse(`{"${k}": {"isReseller": true, "role": "superadmin"}}`) as unknown),
)

/** Objects nested `n` deep. */
function nest(n: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = { a: v }
  return v
}

/** A valid-ish value of `schema` (pattern and format rules only roughly kept). */
function valid(schema: Schema | undefined, doc: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 })
  if (schema.$ref) return valid(doc.components.schemas[String(schema.$ref).split('/').pop()!], doc, depth + 1)
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]))
  const alts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (alts) return fc.oneof(...alts.map((a) => valid(a, doc, depth + 1)))
  if (schema.allOf) return valid(Object.assign({}, ...(schema.allOf as Schema[])), doc, depth + 1)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid()
      if (schema.format === 'date-time') return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())
      if (schema.format === 'email') return fc.emailAddress()
      const min = schema.minLength ?? 0
      return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(schema.maxLength ?? 30, 30)) })
    }
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -(2 ** 31)), max: Math.min(schema.maximum ?? 100_000, 2 ** 31 - 1) })
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(valid(schema.items, doc, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) })
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>
      const required = new Set((schema.required ?? []) as string[])
      const rec = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, valid(s, doc, depth + 1)])), {
        requiredKeys: Object.keys(props).filter((k) => required.has(k)),
      })
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return fc.tuple(rec, fc.dictionary(fc.string({ maxLength: 10 }), valid(schema.additionalProperties, doc, depth + 1), { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a }))
      }
      return rec
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** `v` with one hostile change, or as it is. */
function mutated(v: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: v, weight: 2 },
    { arbitrary: hostileValue, weight: 1 },
    {
      weight: 4,
      arbitrary: fc.tuple(v, fc.nat(), hostileValue, fc.oneof(fc.constantFrom(...PROTO_KEYS, 'parentId', 'status', 'isReseller', 'role', 'usage', 'version', 'id'), fc.string({ maxLength: 12 })), fc.nat(3)).map(
        ([value, i, bad, extra, how]) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return how === 0 ? [value, bad] : bad
          const o = { ...(value as Record<string, unknown>) }
          const keys = Object.keys(o)
          if (how === 0 && keys.length > 0) delete o[keys[i % keys.length]!] // a field missing
          else if (how === 1 && keys.length > 0) o[keys[i % keys.length]!] = bad // a field of the wrong type or value
          else if (how === 2) Object.defineProperty(o, extra, { value: bad, enumerable: true, writable: true, configurable: true }) // an extra field, prototype keys included
          else for (const k of keys) o[k] = bad
          return o
        },
      ),
    },
  )
}

/** A path segment or query value, URL-encoded; lone surrogates become invalid UTF-8 escapes. */
function enc(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? ''
  try {
    return encodeURIComponent(s)
  } catch {
    return '%ED%A0%80' + encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))
  }
}

interface Case {
  method: string
  path: string
  body?: string
  contentType?: string
}

function caseOf(op: Operation, doc: Schema, realIds: string[]): fc.Arbitrary<Case> {
  const pathParams = op.params.filter((p) => p.in === 'path')
  const queryParams = op.params.filter((p) => p.in === 'query')
  const bogusId = fc.oneof(fc.uuid(), hostileValue, fc.constantFrom('0', '-1', '1e3', '..', '%2e%2e', '%ff%fe', 'null', '00000000-0000-0000-0000-000000000000'))
  const pathArb = fc.tuple(...pathParams.map(() => fc.oneof({ arbitrary: fc.constantFrom(...realIds), weight: 3 }, { arbitrary: bogusId, weight: 1 })))
  const queryArb = fc.array(
    fc.oneof(
      ...(queryParams.length ? [fc.constantFrom(...queryParams).chain((p) => mutated(valid(p.schema, doc)).map((v) => [p.name, v] as const))] : []),
      fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...PROTO_KEYS)), hostileValue),
    ),
    { maxLength: 4 },
  )
  const bodyArb: fc.Arbitrary<{ body?: string; contentType?: string }> = op.body
    ? fc.oneof(
        { weight: 8, arbitrary: mutated(valid(op.body, doc)).map((b) => ({ body: JSON.stringify(b) ?? 'null', contentType: 'application/json' })) },
        {
          weight: 1,
          arbitrary: fc.tuple(mutated(valid(op.body, doc)), fc.nat()).map(([b, cut]) => {
            const t = JSON.stringify(b) ?? 'null'
            return { body: t.slice(0, cut % Math.max(1, t.length)), contentType: 'application/json' } // truncated JSON
          }),
        },
        { weight: 1, arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data')).map(([body, contentType]) => ({ body, contentType })) },
      )
    : fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: hostileValue.map((b) => ({ body: JSON.stringify(b) ?? 'null', contentType: 'application/json' })) })
  return fc.tuple(pathArb, queryArb, bodyArb).map(([ids, query, b]) => {
    let i = 0
    const path = op.path.replace(/\{[^}]+\}/g, () => enc(ids[i++]))
    const qs = query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')
    return { method: op.method, path: qs ? `${path}?${qs}` : path, ...b }
  })
}

/** What a refusal must be: problem+json whose `status` is the HTTP status. Answers the defect, or null. */
function defect(r: Exchange): string | null {
  if (r.status === 0) return `no answer (${r.error})`
  if (r.status >= 500) return `HTTP ${r.status}: ${r.text.slice(0, 300)}`
  if (r.status < 400) return null
  if (!r.type.startsWith('application/problem+json')) return `HTTP ${r.status} as ${r.type}, not problem+json: ${r.text.slice(0, 200)}`
  let p: { status?: unknown; code?: unknown; title?: unknown }
  try {
    p = JSON.parse(r.text)
  } catch {
    return `HTTP ${r.status}: the problem is not JSON`
  }
  if (p.status !== r.status || typeof p.code !== 'string' || typeof p.title !== 'string') return `HTTP ${r.status}: a problem without status/code/title: ${r.text.slice(0, 200)}`
  return null
}

eachDialect('hostile input on REST, /orgs and /v3/admin', (dialect) => {
  let s: HostileServer
  let doc: Schema
  let realIds: string[]

  before(async () => {
    s = await startHostileServer(dialect)
    const d = await send(s.url, 'GET', '/openapi.json')
    assert.equal(d.status, 200)
    doc = JSON.parse(d.text)
    const json = { 'content-type': 'application/json' }
    const reseller = JSON.parse((await send(s.url, 'GET', '/identity')).text)
    const master = reseller.org.id
    const r = await send(s.url, 'POST', `/orgs/${master}/customers`, JSON.stringify({ name: 'Hostile Reseller', isReseller: true }), json)
    assert.equal(r.status, 201, r.text)
    const rid = JSON.parse(r.text).id as string
    const c = await send(s.url, 'POST', `/orgs/${rid}/customers`, JSON.stringify({ name: 'Hostile Customer' }), json)
    assert.equal(c.status, 201, c.text)
    const cid = JSON.parse(c.text).id as string
    const m = await send(s.url, 'POST', `/orgs/${cid}/members`, JSON.stringify({ username: 'hostile-member', password: 'hostile-member-password', role: 'admin' }), json)
    assert.equal(m.status, 201, m.text)
    const svc = await send(s.url, 'POST', '/services', JSON.stringify({ name: 'HOSTILE' }), json)
    assert.equal(svc.status, 201, svc.text)
    // Real ids, never the master organisation's (a case may rename or delete what it names).
    realIds = [rid, cid, JSON.parse(m.text).id, 'HOSTILE', '1']
  })
  after(async () => {
    await s?.close()
  })

  it('answers what the HTTP parser and the router refuse as problem+json without the path (shrunk counterexamples)', async () => {
    // A 20 KB query string (431), a path parameter of 101+ characters (414), bad percent-encoding
    // (400): Fastify answered its own {error, message, statusCode} JSON, the last two with the path.
    for (const [path, status] of [[`/v3/admin/customers/x?__proto__=${'x'.repeat(20_000)}`, 431], [`/services/${'a'.repeat(101)}/packages/p`, 414], ['/orgs/%ff%fe', 400]] as const) {
      const r = await send(s.url, 'GET', path)
      assert.equal(r.status, status, r.text)
      assert.equal(defect(r), null)
      assert.doesNotMatch(r.text, /aaaa|%ff/i)
    }
  })

  for (const face of ['REST and /orgs', '/v3/admin'] as const) {
    it(`answers ${CASES} generated ${face} requests below 500, refusals as problem+json, with the probe healthy`, async () => {
      const ops = operations(doc).filter((o) => o.path.startsWith('/v3/admin') === (face === '/v3/admin'))
      assert.ok(ops.length >= (face === '/v3/admin' ? 5 : 150), `only ${ops.length} operations`)
      const arb = fc.oneof(...ops.map((o) => caseOf(o, doc, realIds)))
      let fiveXx = 0
      let n = 0
      const property = fc.asyncProperty(arb, async (c) => {
        n++
        const r = await send(s.url, c.method, c.path, c.body, c.contentType ? { 'content-type': c.contentType } : {})
        if (r.status >= 500 || r.status === 0) fiveXx++
        const bad = defect(r)
        assert.equal(bad, null, `${c.method} ${c.path.slice(0, 300)} ${c.body?.slice(0, 300) ?? ''}`)
      })
      await underProbe(
        s,
        `${face} [${dialect}]`,
        async () => void (await fc.assert(property, { numRuns: Math.min(100, CASES) })),
        async () => {
          n = 0
          fiveXx = 0
          await fc.assert(property, runParams(CASES))
          return { cases: n, fiveXx }
        },
      )
    })
  }
})
