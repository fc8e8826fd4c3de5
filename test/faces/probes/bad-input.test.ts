/**
 * What outside probes found (issue 17), each case as the probe sent it, over real HTTP on both
 * databases: text XML cannot carry, JSON nested without bound, XML-RPC method names that are
 * prototype keys, secrets echoed in refusals, foreign ids in a customer's requests, a created
 * organisation's status, metadata keys past their limit, throttle rows that name accounts, a
 * lockout anyone could cause, and bodies read to their end before a 401.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { XmlDocument } from 'libxml2-wasm'
import { eachDialect, startServer, startServerOn, type Answer, type TestServer } from '../../helpers/harness.js'

const XMLRPC = '/appserver/xmlrpc'
const SECRET = 'clt_0123456789abcdef_NeverEchoThisSecretValue'

/** A methodCall with string parameters. */
function call(method: string, ...params: string[]): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  return `<?xml version="1.0"?><methodCall><methodName>${esc(method)}</methodName><params>${params
    .map((p) => `<param><value><string>${esc(p)}</string></value></param>`)
    .join('')}</params></methodCall>`
}

/** Parses an XML answer with libxml2, which refuses what XML 1.0 does not allow; answers the fault code or null. */
function xmlrpcFault(r: Answer): number | null {
  assert.equal(r.status, 200, r.text)
  const doc = XmlDocument.fromString(r.text)
  try {
    const code = doc.get('/methodResponse/fault//member[name="faultCode"]/value/*')
    return code ? Number(code.content) : null
  } finally {
    doc.dispose()
  }
}

/** JSON text of `n` arrays nested around 1 (as text: JSON.stringify itself overflows at such depths). */
const deep = (n: number): string => '['.repeat(n) + '1' + ']'.repeat(n)
const DEEP = '"\u0000DEEP"'

eachDialect('what outside probes found', (dialect) => {
  let s: TestServer
  /** The same database, trusting X-Forwarded-For, so that calls can come "from" other addresses. */
  let proxied: TestServer
  let reseller: string
  let customer: string
  const custAdmin: [string, string] = ['probe-cust-admin', 'probe-cust-admin-pw']

  before(async () => {
    s = await startServer(dialect, { worker: false })
    proxied = await startServerOn(s.location, { trustProxy: true })
    reseller = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Probe Reseller', isReseller: true } })).body.id
    customer = (await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Probe Customer' } })).body.id
    assert.equal((await s.req('POST', '/services', { body: { name: 'PROBE' } })).status, 201)
    const m = await s.req('POST', `/orgs/${customer}/members`, { body: { username: custAdmin[0], password: custAdmin[1], role: 'admin' } })
    assert.equal(m.status, 201, m.text)
  })
  after(async () => {
    await proxied.close()
    await s.close()
  })

  describe('1. text XML 1.0 cannot carry', () => {
    const bad = [['U+0001', '\u0001'], ['U+001B', '\u001b'], ['U+FFFE', '\ufffe'], ['U+FFFF', '\uffff'], ['U+D800', '\ud800']] as const

    it("is refused with 400 naming the field, on the customer's own description and name, and on every face", async () => {
      for (const [name, ch] of bad) {
        const d = await s.req('PATCH', `/orgs/${customer}`, { body: { description: `a${ch}b` }, auth: custAdmin })
        assert.equal(d.status, 400, `${name}: ${d.text}`)
        assert.equal(d.body.field, 'description')
        assert.match(d.body.detail, new RegExp(name.replace('+', '\\+')))
        const n = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: `bad ${ch} name` } })
        assert.equal(n.status, 400, `${name}: ${n.text}`)
        const v3 = await s.req('PUT', `/v3/admin/customers/${customer}`, { body: { external_id: `x${ch}` } })
        assert.equal(v3.body?.field, 'external_id', v3.text)
        assert.match(v3.body.detail, /^external_id contains /)
        assert.equal(v3.status, 400, `${name} over /v3/admin: ${v3.text}`)
      }
      const after = await s.req('GET', `/orgs/${customer}`)
      assert.equal(after.body.description, '')
    })

    it('keeps XML-RPC list answering a document libxml2 parses, for the reseller and the master organisation', async () => {
      // Text stored before the rule (written straight to the database) is answered as U+FFFD.
      await s.deps.store.write(async (trx) => {
        await trx.updateTable('orgs').set({ description: 'old \u0001 text \uffff' }).where('id', '=', customer).execute()
      })
      for (const org of [reseller, s.masterId]) {
        const r = await s.req('POST', XMLRPC, { raw: call('cloud_api_customer.list', org), headers: { 'content-type': 'text/xml' } })
        assert.equal(xmlrpcFault(r), null, r.text)
      }
      const one = await s.req('POST', XMLRPC, { raw: call('cloud_api_customer.getObject', customer), headers: { 'content-type': 'text/xml' } })
      assert.equal(xmlrpcFault(one), null, one.text)
    })
  })

  describe('2. deep JSON', () => {
    it('answers 400 naming the field past 32 levels, 400 for any depth, and never 5xx', async () => {
      const cases: [string, string, string, (v: string) => unknown][] = [
        ['POST /orgs/{id}/customers externalMetadata', 'POST', `/orgs/${reseller}/customers`, (v) => ({ name: `deep ${Math.random()}`, externalMetadata: { a: v } })],
        ['PATCH /orgs/{id} externalMetadata', 'PATCH', `/orgs/${customer}`, (v) => ({ externalMetadata: { a: v } })],
        ['/v3/admin external_metadata', 'PUT', `/v3/admin/customers/${customer}`, (v) => ({ external_metadata: { a: v } })],
        ["a service's driverConfig", 'POST', '/services', (v) => ({ name: `D${Math.floor(Math.random() * 1e6)}`, driverConfig: { a: v } })],
        ["a test provision's payload", 'POST', '/services/PROBE/test-provision', (v) => ({ payload: { a: v } })],
      ]
      for (const [what, method, path, body] of cases) {
        const send = (n: number) => s.req(method, path, { raw: JSON.stringify(body(DEEP)).replace(JSON.stringify(DEEP), deep(n)), headers: { 'content-type': 'application/json' } })
        for (const n of [33, 4111, 20000]) {
          const r = await send(n)
          assert.equal(r.status, 400, `${what} at ${n} levels: ${r.status} ${r.text.slice(0, 200)}`)
        }
        const named = await send(40)
        assert.match(named.body.detail, /^(externalMetadata|external_metadata|driverConfig|payload) nests deeper than 32 levels$/, what)
        const ok = await send(30)
        assert.ok(ok.status < 300, `${what} at 30 levels: ${ok.text.slice(0, 200)}`)
      }
      const listing = await s.req('GET', `/orgs/${reseller}/customers?limit=1000`)
      assert.equal(listing.status, 200)
    })
  })

  describe('3. XML-RPC method names that are prototype keys', () => {
    it('answer the unknown-method fault', async () => {
      for (const m of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
        const r = await s.req('POST', XMLRPC, { raw: call(m, 'x'), headers: { 'content-type': 'text/xml' } })
        assert.equal(xmlrpcFault(r), -32601, `${m}: ${r.text}`)
      }
    })
  })

  describe('5. secrets sent in the wrong place', () => {
    it('are never echoed in a refusal', async () => {
      const answers: [string, Answer][] = [
        ['an unknown query parameter', await s.req('GET', `/orgs/${reseller}/customers?${SECRET}=1`)],
        ['a key of X-Execution-Params', await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Exec' }, headers: { 'x-execution-params': JSON.stringify({ [SECRET]: 1 }) } })],
        ['a login body field', await s.req('POST', '/login/sessions', { auth: null, body: { email: 'admin', password: 'x', [SECRET]: SECRET } })],
        ['a login body field (username form)', await s.req('POST', '/login', { auth: null, body: { username: 'admin', password: 'x', [SECRET]: 1 } })],
        ['a body field', await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Field', [SECRET]: 1 } })],
        ['an XML-RPC named parameter', await s.req('POST', XMLRPC, { raw: call('cloud_api_customer.getObject', customer).replace('<param><value><string>', `<param><value><struct><member><name>${SECRET}</name><value><string>`).replace('</string></value></param>', '</string></value></member></struct></value></param>'), headers: { 'content-type': 'text/xml' } })],
      ]
      for (const [what, r] of answers) {
        assert.ok(r.status >= 400 || r.text.includes('<fault>'), `${what} was accepted: ${r.text.slice(0, 200)}`)
        assert.equal(r.text.includes(SECRET) || r.text.includes(SECRET.slice(0, 24)), false, `${what} echoed the secret: ${r.text}`)
      }
    })
  })

  describe('6. also seen', () => {
    it("shows a customer the provider, not its ancestors' ids, in requests made on it", async () => {
      const change = await s.req('PATCH', `/orgs/${customer}`, { body: { city: 'Gent' } })
      assert.ok(change.status < 300, change.text)
      const guid = change.headers.get('x-job-guid')!
      const masterView = await s.req('GET', `/jobs/${guid}`)
      assert.equal(masterView.body.actor.orgId, s.masterId)
      assert.ok(masterView.body.actor.userId)
      const seen = await s.req('GET', `/jobs/${guid}`, { auth: custAdmin })
      assert.equal(seen.status, 200, seen.text)
      assert.deepEqual([seen.body.actor.userId, seen.body.actor.orgId, seen.body.actor.organisation], [null, null, 'provider'])
      assert.equal(seen.text.includes(s.masterId) || seen.text.includes(masterView.body.actor.userId), false, seen.text)
      // Its own work shows its own organisation.
      const own = await s.req('PATCH', `/orgs/${customer}`, { body: { city: 'Brugge' }, auth: custAdmin })
      const ownView = await s.req('GET', `/jobs/${own.headers.get('x-job-guid')}`, { auth: custAdmin })
      assert.equal(ownView.body.actor.orgId, customer)
      assert.equal(ownView.body.actor.organisation, 'Probe Customer')
    })

    it('creates organisations active or configured only', async () => {
      for (const status of ['suspended', 'disabled']) {
        const r = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: `Born ${status}`, status } })
        assert.equal(r.status, 400, `${status}: ${r.text}`)
      }
      const c = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Born configured', status: 'configured' } })
      assert.equal(c.status, 201, c.text)
      assert.equal((await s.req('GET', `/orgs/${c.body.id}`)).body.lifecycleStatus, 'configured')
    })

    it('refuses an externalMetadata key longer than 200 characters', async () => {
      const r = await s.req('PATCH', `/orgs/${customer}`, { body: { externalMetadata: { ['k'.repeat(201)]: 1 } } })
      assert.equal(r.status, 400, r.text)
      assert.ok((await s.req('PATCH', `/orgs/${customer}`, { body: { externalMetadata: { ['k'.repeat(200)]: 1 } } })).status < 300)
    })

    it('keeps no username (nor a password typed as one) in the throttle', async () => {
      const typed = 'Typed-Password-As-Username-42'
      for (let i = 0; i < 2; i++) await s.req('POST', '/login', { auth: null, body: { username: typed, password: 'x' } })
      await s.req('GET', '/identity', { auth: ['admin', 'wrong-password'] })
      const rows = await s.deps.store.db.selectFrom('auth_throttle').select('account').execute()
      assert.ok(rows.length >= 2)
      for (const r of rows) {
        assert.equal(r.account.toLowerCase().includes(typed.toLowerCase()) || r.account === 'admin', false, r.account)
      }
      // A right password from that source clears its count.
      assert.equal((await s.req('GET', '/identity')).status, 200)
    })

    it('lets the right password in from a source that has not failed, however often others failed', async () => {
      const attacker = { 'x-forwarded-for': '203.0.113.66' }
      for (let i = 0; i < 8; i++) {
        const r = await proxied.req('GET', '/identity', { auth: ['admin', `guess-${i}`], headers: attacker })
        assert.ok(r.status === 401 || r.status === 429, r.text)
      }
      // The guessing source is locked out, even with the right password...
      const locked = await proxied.req('GET', '/identity', { headers: attacker })
      assert.equal(locked.status, 429, locked.text)
      // ...while the owner, elsewhere, logs in.
      const owner = await proxied.req('GET', '/identity', { headers: { 'x-forwarded-for': '198.51.100.7' } })
      assert.equal(owner.status, 200, owner.text)
      const session = await proxied.req('POST', '/login', { auth: null, body: { username: 'admin', password: 'admin-password-for-tests' }, headers: { 'x-forwarded-for': '198.51.100.8' } })
      assert.equal(session.status, 200, session.text)
    })

    it('answers 401 to a large body without credentials and closes, without reading the rest', async () => {
      const port = Number(new URL(s.base).port)
      const total = 64 * 1024 * 1024
      const outcome = await new Promise<{ status: string; ms: number; sent: number }>((resolve) => {
        const sock = net.connect(port, '127.0.0.1')
        const t0 = Date.now()
        let sent = 0
        let got = ''
        const chunk = Buffer.alloc(64 * 1024, 0x61)
        sock.on('connect', () => {
          sock.write(`POST /orgs/${reseller}/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`)
          const pump = () => {
            while (sent < total && sock.writable) {
              sent += chunk.length
              if (!sock.write(chunk)) return void sock.once('drain', pump)
            }
          }
          pump()
        })
        sock.on('data', (d) => (got += d.toString('latin1')))
        sock.on('error', () => {})
        sock.on('close', () => resolve({ status: got.split('\r\n')[0] ?? '', ms: Date.now() - t0, sent }))
        setTimeout(() => sock.destroy(), 10_000)
      })
      assert.match(outcome.status, /^HTTP\/1\.1 401/)
      assert.ok(outcome.sent < total, `the server read all ${total} bytes before closing (${outcome.ms} ms)`)
      assert.ok(outcome.ms < 5000, `closed after ${outcome.ms} ms`)
    })
  })
})
