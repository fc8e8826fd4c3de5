/**
 * Hostile input on the two XML faces (issue 15, item 5), against a `clientele serve` process
 * with the health probe alongside. XML-RPC (seed 000, `POST /appserver/xmlrpc`): calls of the
 * real method names (and prototype keys) with parameters of every XML-RPC type in wrong
 * number, order and type — huge and malformed ints, bad base64, bad booleans and dates, deep
 * arrays and structs, named-parameter structs with unknown keys — then broken as documents:
 * truncated, a tag renamed, bytes inserted, random bytes. Every answer must be HTTP 200 and a
 * `methodResponse` (a fault, or a result), never fault 500/503. The XML action API (seed 004,
 * `POST /cortexapi/default.aspx`): documents of the real entities and actions with child tags
 * of wrong names and values, broken the same ways; every answer must be below 500 and, when it
 * refuses, the action API's `<error><id>N</id><message>` document.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import fc from 'fast-check'
import { count } from '../helpers/adversarial.js'
import { eachDialect } from '../helpers/harness.js'
import { ENTITIES } from '../../src/faces/xmlapi/entities.js'
import { runParams, send, startHostileServer, underProbe, type Exchange, type HostileServer } from './hostile-harness.js'

const CASES = count('HOSTILE_CASES', 400, 10_000)

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '-1', '0', '99999999999999999999999', '2147483648', '-2147483649', '1e308', 'NaN', 'true', 'Unlimited', 'ACTIVE', '__proto__', 'constructor', '\u0000', '\ud800', '\uffff', '&#0;', '&#xD800;', '&amp;', 'x'.repeat(70_000), '../../etc/passwd', "' OR 1=1 --"),
  fc.uuid(),
)

/** An XML-RPC `<value>`, of a type at random, sometimes malformed, nested at most `depth`. */
const xmlrpcValue: fc.Memo<string> = fc.memo((depth) =>
  fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileText.map((t) => `<value><string>${esc(t)}</string></value>`),
    hostileText.map((t) => `<value>${esc(t)}</value>`),
    fc.oneof(fc.integer().map(String), fc.constantFrom('2147483648', '-2147483649', '99999999999999999999', '1.5', 'abc', '', '0x10', '+7')).chain((n) =>
      fc.constantFrom(`<value><int>${n}</int></value>`, `<value><i4>${n}</i4></value>`, `<value><i8>${n}</i8></value>`, `<value><double>${n}</double></value>`),
    ),
    fc.constantFrom('0', '1', '2', 'true', 'yes', '').map((b) => `<value><boolean>${b}</boolean></value>`),
    fc.constantFrom('AAAA', '!!!', 'a', '====', 'aGVsbG8=', '').map((b) => `<value><base64>${b}</base64></value>`),
    fc.constantFrom('20260101T00:00:00', 'not a date', '99999999T99:99:99', '').map((d) => `<value><dateTime.iso8601>${d}</dateTime.iso8601></value>`),
    fc.constant('<value><nil/></value>'),
    fc.integer({ min: 30, max: 60 }).map((n) => '<value><array><data>'.repeat(n) + '<value>1</value>' + '</data></array></value>'.repeat(n)),
    depth > 2 ? fc.constant('<value/>') : fc.array(xmlrpcValue(depth + 1), { maxLength: 3 }).map((vs) => `<value><array><data>${vs.join('')}</data></array></value>`),
    depth > 2
      ? fc.constant('<value><struct></struct></value>')
      : fc
          .array(fc.tuple(fc.oneof(fc.constantFrom('customerguid', 'name', 'status', 'amount', 'capacityunittype', 'jobguid', 'executionparams', 'maxduration', 'userErrormsg', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), xmlrpcValue(depth + 1)), { maxLength: 4 })
          .map((ms) => `<value><struct>${ms.map(([k, v]) => `<member><name>${esc(k)}</name>${v}</member>`).join('')}</struct></value>`),
  ),
)

/** A document broken on purpose, or as it is. */
function broken(doc: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: doc },
    { weight: 2, arbitrary: fc.tuple(doc, fc.nat()).map(([d, cut]) => d.slice(0, cut % Math.max(1, d.length))) },
    {
      weight: 1,
      arbitrary: fc.tuple(doc, fc.nat(), fc.constantFrom('<', '>', '&', '</x>', '<x>', '<!DOCTYPE x>', '<![CDATA[', ']]>', '<?pi?>', '"', '\u0000', '\ud800', '&#1;', '&unknown;')).map(([d, at, junk]) => {
        const i = at % Math.max(1, d.length)
        return d.slice(0, i) + junk + d.slice(i)
      }),
    },
    { weight: 1, arbitrary: fc.tuple(doc, fc.nat()).map(([d, at]) => d.replace(/<(\/?)([A-Za-z.]+)/g, (m, slash, name, off: number) => (off % 7 === at % 7 ? `<${slash}${name}x` : m))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')) },
  )
}

function xmlrpcDefect(r: Exchange): string | null {
  if (r.status !== 200) return `HTTP ${r.status} ${r.error ?? r.text.slice(0, 300)}`
  if (!/^<\?xml[^>]*\?>\s*<methodResponse>/.test(r.text)) return `not a methodResponse: ${r.text.slice(0, 300)}`
  const fault = /<name>faultCode<\/name>\s*<value><int>(-?\d+)<\/int>/.exec(r.text)
  if (fault && (fault[1] === '500' || fault[1] === '503')) return `fault ${fault[1]}: ${r.text.slice(0, 300)}`
  return null
}

function xmlapiDefect(r: Exchange): string | null {
  if (r.status === 0 || r.status >= 500) return `HTTP ${r.status} ${r.error ?? r.text.slice(0, 300)}`
  if (r.status >= 400 && !/<response version="1\.0">\s*<error>\s*<id>\d+<\/id>\s*<message>/.test(r.text)) return `HTTP ${r.status} without the error document: ${r.text.slice(0, 300)}`
  return null
}

const XMLAPI_TAGS = ['user', 'service', 'name', 'id', 'customer', 'customername', 'user', 'username', 'password', 'status', 'enabled', 'limit', 'plan', 'package', 'service', 'location', 'email', 'firstname', 'lastname', 'parent', 'reseller', 'code', 'properties', 'property', 'value', 'users', 'services', 'filter', 'report', 'approval', 'trace']

eachDialect('hostile input on XML-RPC and the XML action API', (dialect) => {
  let s: HostileServer
  let methods: string[]
  let customer: string

  before(async () => {
    s = await startHostileServer(dialect)
    const l = await send(s.url, 'POST', '/appserver/xmlrpc', '<?xml version="1.0"?><methodCall><methodName>system.listMethods</methodName><params/></methodCall>')
    methods = [...l.text.matchAll(/<string>([^<]+)<\/string>/g)].map((m) => m[1]!)
    assert.ok(methods.length >= 20, l.text)
    const me = JSON.parse((await send(s.url, 'GET', '/identity')).text)
    const c = await send(s.url, 'POST', `/orgs/${me.org.id}/customers`, JSON.stringify({ name: 'Hostile XML Customer', isReseller: true }), { 'content-type': 'application/json' })
    assert.equal(c.status, 201, c.text)
    customer = JSON.parse(c.text).id
  })
  after(async () => {
    await s?.close()
  })

  it(`answers ${CASES} generated XML-RPC calls with a methodResponse, never a 5xx or fault 500`, async () => {
    const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...methods) }, fc.constantFrom('__proto__', 'constructor', 'toString', 'cloud_api_customer.', '.', 'system.multicall', ''), fc.string({ maxLength: 20 }))
    const param = fc.oneof({ weight: 2, arbitrary: fc.constant(`<value><string>${customer}</string></value>`) }, { weight: 5, arbitrary: xmlrpcValue(0) })
    const call = fc
      .tuple(name, fc.array(param, { maxLength: 8 }))
      .map(([m, ps]) => `<?xml version="1.0"?><methodCall><methodName>${esc(m)}</methodName><params>${ps.map((p) => `<param>${p}</param>`).join('')}</params></methodCall>`)
    let n = 0
    const property = fc.asyncProperty(broken(call), async (doc) => {
      n++
      const r = await send(s.url, 'POST', '/appserver/xmlrpc', doc, { 'content-type': 'text/xml' })
      assert.equal(xmlrpcDefect(r), null, doc.slice(0, 500))
    })
    await underProbe(
      s,
      `XML-RPC [${dialect}]`,
      async () => void (await fc.assert(property, { numRuns: Math.min(100, CASES) })),
      async () => {
        n = 0
        await fc.assert(property, runParams(CASES))
        return { cases: n, fiveXx: 0 }
      },
    )
  })

  it(`answers ${CASES} generated action documents below 500, refusals as the error document`, async () => {
    const entities = [...ENTITIES.keys()]
    assert.ok(entities.length >= 5, entities.join())
    const child = fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...XMLAPI_TAGS) }, fc.string({ minLength: 1, maxLength: 8 }).filter((t) => /^[A-Za-z_][\w.-]*$/.test(t))), fc.oneof(hostileText, fc.constant(customer), fc.constant('Hostile XML Customer')))
    const entity = fc
      .tuple(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...entities) }, fc.constantFrom('__proto__', 'constructor', 'x')), fc.array(child, { maxLength: 5 }), fc.boolean())
      .map(([e, kids, nested]) => {
        const inner = kids.map(([t, v]) => `<${t}>${esc(v)}</${t}>`).join('')
        return `<${e}>${nested ? `<customer><name>${esc(customer)}</name></customer>` : ''}${inner}</${e}>`
      })
    const doc = fc
      .tuple(fc.constantFrom('FIND', 'GET', 'SET', 'DELETE', 'find', 'Get', 'PUT', '', '__proto__'), fc.constantFrom('1.0', '1.0', '2.0', ''), fc.array(entity, { minLength: 1, maxLength: 3 }), fc.constantFrom('', ' trace="true"', ' trace="maybe"', ' extra="1"'))
      .map(([action, version, es, attr]) => `<?xml version="1.0"?><request version="${version}" action="${action}"${attr}>${es.join('')}</request>`)
    let n = 0
    const property = fc.asyncProperty(broken(doc), async (d) => {
      n++
      const r = await send(s.url, 'POST', '/cortexapi/default.aspx', d, { 'content-type': 'text/xml' })
      assert.equal(xmlapiDefect(r), null, d.slice(0, 500))
    })
    await underProbe(
      s,
      `XML action API [${dialect}]`,
      async () => void (await fc.assert(property, { numRuns: Math.min(100, CASES) })),
      async () => {
        n = 0
        await fc.assert(property, runParams(CASES))
        return { cases: n, fiveXx: 0 }
      },
    )
  })
})
