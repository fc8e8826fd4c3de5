import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

eachDialect('hostile input never answers 5xx and changes nothing', (dialect) => {
  let s: TestServer
  let key: string
  before(async () => {
    s = await startServer(dialect)
    key = (await s.req('POST', '/api-keys', { body: { name: 'k' } })).body.secret
  })
  after(() => s.close())

  const cases: [string, string, { body?: unknown; raw?: string; headers?: Record<string, string>; auth?: any }][] = [
    ['POST', '/orgs/{mo}/customers', { body: { name: 'nul\u0000name' } }],
    ['POST', '/orgs/{mo}/customers', { body: { name: 'ok', externalMetadata: { 'k\u0000': 1 } } }],
    ['GET', '/orgs/{mo}%00', {}],
    ['GET', '/api-keys/abc%00/acls', {}],
    ['GET', '/orgs/{mo}/customers?offset=100000000000000000000', {}],
    ['GET', '/orgs/{mo}/customers?limit=1.5', {}],
    ['GET', '/orgs/{mo}/customers?recursive=maybe', {}],
    ['GET', '/orgs/{mo}/customers?maxDepth=99999999999', {}],
    ['PATCH', '/orgs/{mo}', { body: { city: 'x' }, headers: { 'if-match': '"99999999999999"' } }],
    ['PATCH', '/orgs/{mo}', { body: { city: 'x' }, headers: { 'if-match': 'garbage' } }],
    ['DELETE', '/api-keys/x/acls/99999999999999', {}],
    ['PATCH', '/api-keys/x/acls/1', { body: { mask: 1e100 } }],
    ['POST', '/orgs/{mo}/customers', { raw: '['.repeat(200000), headers: { 'content-type': 'application/json' } }],
    ['POST', '/orgs/{mo}/customers', { raw: '"just a string"', headers: { 'content-type': 'application/json' } }],
    ['POST', '/orgs/{mo}/customers', { raw: 'null', headers: { 'content-type': 'application/json' } }],
    ['POST', '/orgs/{mo}/customers', { raw: '', headers: { 'content-type': 'application/json' } }],
    ['POST', '/orgs/{mo}/customers', { raw: '{"name":"x","name":"y","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } }],
    ['POST', '/orgs/{mo}/customers', { raw: '\xff\xfe{}', headers: { 'content-type': 'application/json; charset=utf-16' } }],
    ['GET', '/identity', { auth: null, headers: { authorization: 'Basic ' + Buffer.from('adm\u0000in:pw').toString('base64') } }],
    ['GET', '/identity', { auth: null, headers: { authorization: 'Basic !!!notbase64' } }],
    ['GET', '/identity', { auth: null, headers: { authorization: 'Bearer clt_' + 'f'.repeat(5000) } }],
    ['GET', '/identity', { auth: null, headers: { cookie: 'id0=' + 'x'.repeat(3000) } }],
    ['POST', '/login', { auth: null, body: { username: 'a\u0000b', password: 'x' } }],
    ['POST', '/orgs/{mo}/members', { body: { username: 'u'.repeat(500), password: 'password-123' } }],
    ['POST', '/orgs/{mo}/customers', { body: { name: 'x', skinNames: Array(100).fill('s') } }],
    ['POST', '/orgs/{mo}/customers', { body: { name: 'x', externalMetadata: { big: 'z'.repeat(20000) } } }],
    ['GET', `/orgs/${'a'.repeat(5000)}`, {}],
  ]

  it('answers each hostile request with a 4xx problem', async () => {
    const count = async () => (await s.req('GET', `/orgs/${s.masterId}/customers?limit=1&recursive=true`, { auth: key })).body.total
    const before = await count()
    for (const [method, path, o] of cases) {
      const r = await s.req(method, path.replace('{mo}', s.masterId), { ...o, ...(o.auth === undefined ? { auth: key } : {}) })
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path.slice(0, 80)} → ${r.status} ${r.text.slice(0, 200)}`)
    }
    assert.equal(await count(), before)
    assert.equal((await s.req('GET', '/readyz', { auth: null })).status, 200)
  })
})
