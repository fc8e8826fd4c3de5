/**
 * The XML-RPC face over real HTTP, below what Python's client can send: raw bodies (malformed,
 * hostile, oversized), Bearer keys and their ACLs, named parameters, character references,
 * jobguid parents and executionparams. Every refusal is a fault (or HTTP 401) and changes nothing.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { XMLParser } from 'fast-xml-parser'
import { eachDialect, startServer, startServerOn, type Answer, type TestServer } from '../../helpers/harness.js'

const PATH = '/appserver/xmlrpc'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Encodes a parameter for a hand-written methodCall. */
function v(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? `<value><int>${x}</int></value>` : `<value><double>${x}</double></value>`
  if (typeof x === 'boolean') return `<value><boolean>${x ? 1 : 0}</boolean></value>`
  if (typeof x === 'string') return `<value><string>${esc(x)}</string></value>`
  if (Array.isArray(x)) return `<value><array><data>${x.map(v).join('')}</data></array></value>`
  return `<value><struct>${Object.entries(x as object)
    .map(([k, y]) => `<member><name>${esc(k)}</name>${v(y)}</member>`)
    .join('')}</struct></value>`
}

function callXml(method: string, ...params: unknown[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${v(p)}</param>`).join('')}</params></methodCall>`
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: (name) => name === 'member' || name === 'value' || name === 'param' })

/** Decodes a `<value>` node of fast-xml-parser's output (enough for these tests). */
function decode(node: any): any {
  if (typeof node === 'string') return node
  if ('string' in node) return node.string === '' ? '' : String(node.string)
  if ('int' in node) return Number(node.int)
  if ('i4' in node) return Number(node.i4)
  if ('i8' in node) return Number(node.i8)
  if ('boolean' in node) return node.boolean === '1'
  if ('nil' in node) return null
  if ('array' in node) return ((node.array.data?.value ?? []) as any[]).map(decode)
  if ('struct' in node) {
    const o: Record<string, any> = {}
    for (const m of node.struct.member ?? []) o[m.name] = decode(m.value[0])
    return o
  }
  return ''
}

interface Reply {
  http: number
  fault?: { faultCode: number; faultString: string }
  value?: any
  text: string
}

function readReply(r: Answer): Reply {
  if (r.status !== 200) return { http: r.status, text: r.text }
  const doc = parser.parse(r.text).methodResponse
  if (doc.fault) return { http: 200, fault: decode(doc.fault.value[0]), text: r.text }
  return { http: 200, value: decode(doc.params.param[0].value[0]), text: r.text }
}

eachDialect('the XML-RPC face', (dialect) => {
  let s: TestServer
  let proxied: TestServer

  before(async () => {
    s = await startServer(dialect, { worker: false })
    proxied = await startServerOn(s.location, { trustProxy: true, worker: false })
  })
  after(async () => {
    await proxied.close()
    await s.close()
  })

  async function rpc(body: string, opts: { auth?: [string, string] | string | null; headers?: Record<string, string>; on?: TestServer } = {}): Promise<Reply> {
    const r = await (opts.on ?? s).req('POST', PATH, { raw: body, headers: { 'content-type': 'text/xml', ...(opts.headers ?? {}) }, ...(opts.auth !== undefined && { auth: opts.auth }) })
    assert.ok(r.status < 500, `HTTP ${r.status}: ${r.text}`)
    return readReply(r)
  }

  async function customerCount(): Promise<number> {
    return (await s.req('GET', `/orgs/${s.masterId}/customers?recursive=true`)).body.total
  }

  it('creates a customer with positional parameters and answers the envelope', async () => {
    const r = await rpc(callXml('cloud_api_customer.create', 'Envelope Co', '', 'd', 'a', 'c', 'BE', '', {}))
    assert.equal(r.fault, undefined, r.text)
    assert.match(r.value.result, GUID)
    assert.match(r.value.jobguid, GUID)
    const rest = await s.req('GET', `/orgs/${r.value.result}`)
    assert.equal(rest.body.name, 'Envelope Co')
    assert.equal(rest.headers.get('x-job-guid'), null)
  })

  it('answers a repeated read afresh once anything changed, even through another server on the same database', async () => {
    const made = await rpc(callXml('cloud_api_customer.create', 'Memo Co', '', 'before', 'a', 'c', 'BE'))
    assert.equal(made.fault, undefined, made.text)
    const list = callXml('cloud_api_customer.list', made.value.result)
    assert.equal((await rpc(list)).value.result[0].description, 'before')
    assert.equal((await rpc(list)).value.result[0].description, 'before')
    const changed = await proxied.req('PATCH', `/orgs/${made.value.result}`, { body: { description: 'after' } })
    assert.equal(changed.status, 204, changed.text)
    assert.equal((await rpc(list)).value.result[0].description, 'after')
  })

  it('accepts one struct of named parameters, trailing ones omitted', async () => {
    const r = await rpc(callXml('cloud_api_customer.create', { name: 'Named Co', city: 'Leuven' }))
    assert.equal(r.fault, undefined, r.text)
    const l = await rpc(callXml('cloud_api_customer.list', { customerguid: r.value.result }))
    assert.equal(l.value.result[0].city, 'Leuven')
    assert.equal(l.value.jobguid, '')
    const bad = await rpc(callXml('cloud_api_customer.list', { customer: r.value.result }))
    assert.equal(bad.fault?.faultCode, -32602)
    assert.equal(bad.fault!.faultString, 'unknown parameter in cloud_api_customer.list (accepted: customerguid, jobguid, executionparams)')
  })

  it('decodes character references and predefined entities, and answers the characters back', async () => {
    const body = `<?xml version="1.0"?><methodCall><methodName>cloud_api_customer.create</methodName><params><param><value><string>Caf&#233; &#x1F600; &lt;b&gt; &amp; &quot;q&quot; &apos;s&apos;</string></value></param></params></methodCall>`
    const r = await rpc(body)
    assert.equal(r.fault, undefined, r.text)
    const rest = await s.req('GET', `/orgs/${r.value.result}`)
    assert.equal(rest.body.name, `Café 😀 <b> & "q" 's'`)
    const l = await rpc(callXml('cloud_api_customer.list', r.value.result))
    assert.equal(l.value.result[0].name, `Café 😀 <b> & "q" 's'`)
  })

  it('answers malformed, hostile and mistyped calls with faults, never a 5xx, and changes nothing', async () => {
    const before = await customerCount()
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
      '<methodCall><methodName>cloud_api_customer.create</methodName><params><param><value><string>&lol3;</string></value></param></params></methodCall>'
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>cloud_api_customer.create</methodName><params><param><value><string>&xxe;</string></value></param></params></methodCall>'
    const deep = callXml('cloud_api_customer.create', 'Deep').replace('<string>Deep</string>', '<array><data>'.repeat(200) + '</data></array>'.repeat(200))
    const manyRefs = callXml('cloud_api_customer.create', 'x').replace('<string>x</string>', `<string>${'&amp;'.repeat(20000)}</string>`)
    const cases: [string, number][] = [
      ['', -32700],
      ['not xml at all', -32700],
      ['<methodCall><methodName>cloud_api_customer.create</methodName><params><param><value><string>Unclosed', -32700],
      ['<?xml version="1.0"?><methodResponse><params/></methodResponse>', -32700],
      [laughs, -32700],
      [xxe, -32700],
      [deep, -32700],
      [manyRefs, -32700],
      [callXml('cloud_api_customer.noSuch', 'x'), -32601],
      [callXml('nosuch'), -32601],
      [callXml('cloud_api_customer.create', 42), -32602],
      [callXml('cloud_api_customer.create'), -32602],
      [callXml('cloud_api_customer.create', ''), -32602],
      [callXml('cloud_api_customer.create', 'Too Many', '', '', '', '', '', '', {}, 'extra'), -32602],
      [callXml('cloud_api_customer.create', 'Bad Exec', '', '', '', '', '', '', 'not a struct'), -32602],
      [callXml('cloud_api_customer.create', 'Bad Exec', '', '', '', '', '', '', { maxduration: -1 }), 400],
      [callXml('cloud_api_customer.create', 'Bad Exec', '', '', '', '', '', '', { colour: 'red' }), 400],
      [callXml('cloud_api_customer.create', 'Bad Job', '', '', '', '', '', 'not-a-guid', {}), 400],
      [callXml('cloud_api_customer.create', 'x'.repeat(201)), 400],
      [callXml('cloud_api_customer.create', 'Nowhere', '00000000-0000-4000-8000-000000000000'), 404],
      [callXml('cloud_api_customer.addCapacityAvailable', s.masterId, 1.5, 'CU'), -32602],
      [callXml('cloud_api_customer.addCapacityAvailable', s.masterId, 1, 'CU').replace('<int>1</int>', '<int>1.5</int>'), -32700],
    ]
    for (const [body, code] of cases) {
      const r = await rpc(body)
      assert.equal(r.fault?.faultCode, code, `${body.slice(0, 120)} → ${r.text.slice(0, 300)}`)
      assert.ok(r.fault!.faultString.length > 0)
    }
    assert.equal(await customerCount(), before)
  })

  it('answers a body over the size limit with a fault', async () => {
    const big = callXml('cloud_api_customer.create', 'x'.repeat(2 * 1024 * 1024))
    const r = await rpc(big)
    assert.equal(r.fault?.faultCode, 413)
  })

  it('answers bad or missing credentials with HTTP 401', async () => {
    assert.equal((await rpc(callXml('cloud_api_customer.listStatuses'), { auth: ['admin', 'wrong'] })).http, 401)
    assert.equal((await rpc(callXml('cloud_api_customer.listStatuses'), { auth: null })).http, 401)
    assert.equal((await rpc(callXml('cloud_api_customer.listStatuses'), { auth: 'not-a-key' })).http, 401)
  })

  it('takes Bearer keys, and refuses a key outside its ACL with HTTP 401', async () => {
    const k = await s.req('POST', '/api-keys', { body: { name: 'xmlrpc key' } })
    assert.equal(k.status, 201, k.text)
    const ok = await rpc(callXml('cloud_api_customer.listStatuses'), { auth: k.body.secret })
    assert.deepEqual(ok.value.result, ['ACTIVE', 'CONFIGURED', 'DISABLED'])
    assert.equal((await s.req('POST', `/api-keys/${k.body.id}/acls`, { body: { address: '10.1.0.0', mask: 16 } })).status, 201)
    const inside = await rpc(callXml('cloud_api_customer.listStatuses'), { auth: k.body.secret, on: proxied, headers: { 'x-forwarded-for': '10.1.2.3' } })
    assert.equal(inside.http, 200)
    const outside = await rpc(callXml('cloud_api_customer.listStatuses'), { auth: k.body.secret, on: proxied, headers: { 'x-forwarded-for': '192.0.2.7' } })
    assert.equal(outside.http, 401)
  })

  it('makes a call with a jobguid a child of that request, and answers userErrormsg instead of the fault text', async () => {
    const parent = await rpc(callXml('cloud_api_customer.create', 'Parent Job Co'))
    const child = await rpc(callXml('cloud_api_customer.setStatus', parent.value.result, 'DISABLED', parent.value.jobguid, { maxduration: 30 }))
    assert.equal(child.value.result, true, child.text)
    const kids = await s.req('GET', `/jobs?parent=${parent.value.jobguid}`)
    assert.equal(kids.status, 200, kids.text)
    assert.deepEqual(
      kids.body.items.map((j: any) => j.guid),
      [child.value.jobguid],
    )
    const l = await rpc(callXml('cloud_api_customer.list', parent.value.result))
    assert.equal(l.value.result[0].status, 'DISABLED')
    const f = await rpc(callXml('cloud_api_customer.setStatus', parent.value.result, 'ASLEEP', '', { userErrormsg: 'Status could not be changed' }))
    assert.deepEqual(f.fault, { faultCode: 400, faultString: 'Status could not be changed' })
  })

  it('answers system.listMethods with every method of the seed', async () => {
    const r = await rpc(callXml('system.listMethods'))
    for (const m of ['getObject', 'create', 'find', 'list', 'setStatus', 'updateModelProperties', 'delete', 'listStatuses', 'addCapacityAvailable', 'addCapacityConsumed', 'removeCapacityAvailable', 'removeCapacityConsumed', 'listCapacity', 'addCloudUserGroup', 'removeCloudUserGroup', 'listGroups', 'registerDomain', 'unregisterDomain', 'listCloudSpaces', 'getYAML', 'getXML', 'getXMLSchema']) {
      assert.ok(r.value.result.includes(`cloud_api_customer.${m}`), m)
    }
    assert.ok(r.value.result.includes('capacityplanning.listCapacityUnitTypes'))
  })

  it('keeps a retention policy guid, and refuses one that is not a guid', async () => {
    const c = await rpc(callXml('cloud_api_customer.create', 'Retention Co'))
    const policy = '0190a0b0-0000-7000-8000-000000000001'
    const u = await rpc(callXml('cloud_api_customer.updateModelProperties', c.value.result, '', '', '', '', '', policy))
    assert.equal(u.value.result, c.value.result, u.text)
    assert.equal((await s.req('GET', `/orgs/${c.value.result}`)).body.retentionPolicyGuid, policy)
    const bad = await rpc(callXml('cloud_api_customer.updateModelProperties', c.value.result, '', '', '', '', '', 'policy-7'))
    assert.equal(bad.fault?.faultCode, 400)
  })

  it(`answers every method over ${dialect} without a 5xx for a guid that is no customer`, async () => {
    const nobody = '00000000-0000-4000-8000-000000000000'
    const names = (await rpc(callXml('system.listMethods'))).value.result as string[]
    for (const m of names) {
      const r = await rpc(callXml(m, nobody))
      assert.equal(r.http, 200, m)
    }
  })
})
