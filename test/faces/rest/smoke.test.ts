import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

eachDialect('server basics', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('answers health and readiness without credentials', async () => {
    assert.equal((await s.req('GET', '/healthz', { auth: null })).status, 200)
    assert.equal((await s.req('GET', '/readyz', { auth: null })).status, 200)
  })

  it('refuses a call without credentials with 401 problem+json', async () => {
    const r = await s.req('GET', `/orgs/${s.masterId}`, { auth: null })
    assert.equal(r.status, 401)
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8')
    assert.equal(r.body.code, 'unauthenticated')
  })

  it('creates and reads a customer', async () => {
    const c = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Basic API Customer' } })
    assert.equal(c.status, 201, c.text)
    const g = await s.req('GET', `/orgs/${c.body.id}`)
    assert.equal(g.status, 200)
    assert.equal(g.body.code, 'BAC')
    assert.equal(g.body.parentId, s.masterId)
    assert.equal(g.headers.get('etag'), '"1"')
  })
})
