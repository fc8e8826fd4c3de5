import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

/** The current month's first slots (samples must not be in the future). */
function thisMonth(n: number): string {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) + n * 300_000).toISOString()
}

eachDialect('REST billable bandwidth', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let customer: string
  before(async () => {
    s = await startServer(dialect)
    customer = await p.customer('REST Bandwidth Customer')
    await p.user(customer, 'rest-bw-user', 'admin')
  })
  after(() => s.close())

  it('records samples and answers the 95th percentile of the current month', async () => {
    const samples = Array.from({ length: 20 }, (_, i) => ({ at: thisMonth(i), inBps: (i + 1) * 1000, outBps: 0 }))
    const r = await s.req('POST', `/orgs/${customer}/bandwidth/samples`, { body: { samples } })
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body, { orgId: customer, received: 20, inserted: 20, replaced: 0 })
    const b = await s.req('GET', `/orgs/${customer}/bandwidth/billable`, p.as('rest-bw-user'))
    assert.equal(b.status, 200, b.text)
    assert.deepEqual([b.body.rule, b.body.samples, b.body.billableBitsPerSecond], ['p95', 20, 19000])
  })

  it('answers a month given by ?period, and 400 for one that is not YYYY-MM', async () => {
    const b = await s.req('GET', `/orgs/${customer}/bandwidth/billable?period=2001-02`)
    assert.equal(b.status, 200, b.text)
    assert.deepEqual([b.body.samples, b.body.periodStart, b.body.periodEnd], [0, '2001-02-01T00:00:00.000Z', '2001-03-01T00:00:00.000Z'])
    const bad = await s.req('GET', `/orgs/${customer}/bandwidth/billable?period=2001-2`)
    assert.equal(bad.status, 400)
    assert.match(bad.headers.get('content-type') ?? '', /problem\+json/)
  })

  it('refuses a bad sample with 400 naming it, a customer reporting its own usage with 403, and writes nothing', async () => {
    const bad = await s.req('POST', `/orgs/${customer}/bandwidth/samples`, { body: { samples: [{ at: thisMonth(30), inBps: 1, outBps: 1 }, { at: '2999-01-01T00:00:00Z', inBps: 1, outBps: 1 }] } })
    assert.equal(bad.status, 400, bad.text)
    assert.match(bad.text, /samples\.1\.at/)
    const own = await s.req('POST', `/orgs/${customer}/bandwidth/samples`, { body: { samples: [{ at: thisMonth(30), inBps: 1, outBps: 1 }] }, ...p.as('rest-bw-user') })
    assert.equal(own.status, 403, own.text)
    const b = await s.req('GET', `/orgs/${customer}/bandwidth/billable`)
    assert.equal(b.body.samples, 20)
  })

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json')).body
    assert.ok(doc.paths['/orgs/{org_id}/bandwidth/samples']?.post)
    assert.ok(doc.paths['/orgs/{org_id}/bandwidth/billable']?.get?.parameters.some((x: { name: string }) => x.name === 'period'))
  })
})
