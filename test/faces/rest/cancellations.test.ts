import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

eachDialect('cancellations over REST', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let reseller: string
  let custA: string
  let custB: string

  before(async () => {
    s = await startServer(dialect)
    const org = async (parent: string, name: string, isReseller = false) => {
      const r = await s.req('POST', `/orgs/${parent}/customers`, { body: { name, ...(isReseller ? { isReseller: true } : {}) } })
      assert.equal(r.status, 201, r.text)
      return r.body.id as string
    }
    reseller = await org(s.masterId, 'Cancel Rest Reseller', true)
    custA = await org(reseller, 'Cancel Rest A')
    custB = await org(reseller, 'Cancel Rest B')
    await p.user(custA, `xa_${dialect}`, 'admin')
    await p.user(custB, `xb_${dialect}`, 'admin')
  })
  after(() => s.close())

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json')).body
    for (const path of ['/orgs/{org_id}/cancellations', '/cancellations/{id}', '/cancellations/{id}/withdraw']) assert.ok(doc.paths[path], `${path} missing`)
    assert.ok(doc.paths['/orgs/{org_id}/cancellations'].post)
  })

  it("asks, reads, refuses a second open one, and withdraws; the request is GET /jobs/{requestGuid}", async () => {
    const a = p.as(`xa_${dialect}`)
    const r = await s.req('POST', `/orgs/${custA}/cancellations`, { ...a, body: { reason: 'closing the shop' } })
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.status, 'approved')
    assert.equal(r.body.approvalPending, false)
    assert.match(r.body.effectiveAt, /^\d{4}-\d{2}-01T00:00:00\.000Z$/)
    const job = await s.req('GET', `/jobs/${r.body.requestGuid}`, a)
    assert.equal(job.status, 200, job.text)
    const twice = await s.req('POST', `/orgs/${custA}/cancellations`, { ...a, body: { reason: 'again' } })
    assert.equal(twice.status, 409, twice.text)
    assert.equal(twice.headers.get('content-type')?.startsWith('application/problem+json'), true)
    const one = await s.req('GET', `/cancellations/${r.body.id}`, a)
    assert.equal(one.status, 200)
    assert.equal(one.body.reason, 'closing the shop')
    const list = await s.req('GET', `/orgs/${custA}/cancellations`, a)
    assert.deepEqual(list.body.items.map((c: { id: string }) => c.id), [r.body.id])
    // A sibling sees nothing and withdraws nothing.
    const b = p.as(`xb_${dialect}`)
    assert.equal((await s.req('GET', `/cancellations/${r.body.id}`, b)).status, 404)
    assert.equal((await s.req('POST', `/cancellations/${r.body.id}/withdraw`, b)).status, 404)
    assert.equal((await s.req('GET', `/orgs/${custA}/cancellations`, b)).status, 404)
    assert.equal((await s.req('POST', `/orgs/${reseller}/cancellations`, { ...b, body: { reason: 'parent' } })).status, 404)
    const w = await s.req('POST', `/cancellations/${r.body.id}/withdraw`, a)
    assert.equal(w.status, 200, w.text)
    assert.equal(w.body.status, 'withdrawn')
    assert.equal((await s.req('POST', `/cancellations/${r.body.id}/withdraw`, a)).status, 409)
  })

  it('refuses bad input with a problem and changes nothing', async () => {
    const b = p.as(`xb_${dialect}`)
    for (const body of [{ reason: '' }, { reason: ' ' }, { reason: 'x'.repeat(2001) }, {}, { reason: 'ok', extra: true }]) {
      const r = await s.req('POST', `/orgs/${custB}/cancellations`, { ...b, body })
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 40)}: ${r.text}`)
    }
    assert.equal((await s.req('GET', `/orgs/${custB}/cancellations`, b)).body.total, 0)
  })
})
