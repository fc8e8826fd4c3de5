import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { startReceiver, type Receiver } from '../../jobs/receiver.js'
import { sign } from '../../../src/jobs/signing.js'

const SECRET = 'webhook-secret-for-service-tests'

/** Customer and user services provisioned through the webhook driver: what the endpoint is sent, and a 202 finished by its callback. */
eachDialect('services through the webhook driver', (dialect) => {
  let s: TestServer
  let rx: Receiver
  let org: string
  let user: string

  async function until(path: string, want: string): Promise<Answer> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.status === want) return r
      if (Date.now() - t0 > 10_000) assert.fail(`${path} stayed ${r.body?.status}, wanted ${want}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }

  before(async () => {
    rx = await startReceiver(SECRET)
    s = await startServer(dialect, { worker: { retryBaseMs: 20, pollMaxMs: 20, leaseMs: 3000 } })
    for (const [name, path] of [
      ['WHE', '/ok'],
      ['WACC', '/accept'],
    ]) {
      const c = await s.req('POST', '/services', { body: { name, driver: 'webhook', driverConfig: { url: `${rx.base}${path}`, secret: SECRET } } })
      assert.equal(c.status, 201, c.text)
      assert.equal((await s.req('POST', `/services/${name}/plans`, { body: { name: 'STD', fullname: 'Standard' } })).status, 201)
    }
    org = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Webhook Customer' } })).body.id
    user = (await s.req('POST', `/orgs/${org}/members`, { body: { username: `wuser_${dialect}`, password: 'a-long-password-1', role: 'member', email: 'w@example.test' } })).body.id
  })
  after(async () => {
    await s.close()
    await rx.close()
  })

  it('sends the whole desired state to the endpoint, for the customer and then the user', async () => {
    const r = await s.req('PUT', `/orgs/${org}/services/WHE`, { body: { userLimit: 3 } })
    assert.equal(r.status, 202, r.text)
    await until(`/orgs/${org}/services/WHE`, 'Provisioned')
    const d = rx.deliveries.find((x) => x.requestGuid === r.headers.get('x-job-guid'))
    assert.ok(d?.signed)
    const u = await s.req('PUT', `/orgs/${org}/members/${user}/services/WHE`, { body: { userPlans: ['STD'] } })
    assert.equal(u.status, 202, u.text)
    await until(`/orgs/${org}/members/${user}/services/WHE`, 'Provisioned')
    assert.ok(rx.deliveries.some((x) => x.requestGuid === u.headers.get('x-job-guid')))
    // The job's payload (as stored) holds the user's plan and the customer, and no secret.
    const jobs = await s.deps.store.db.selectFrom('jobs').select('payload').execute()
    const p = jobs.map((j) => JSON.parse(j.payload)).find((x) => x.requestGuid === u.headers.get('x-job-guid'))
    assert.equal(p.subject.startsWith('user-service:'), true)
    assert.deepEqual(p.payload.userPlans, ['STD'])
    assert.equal(p.payload.customer.id, org)
    assert.equal(p.payload.user.username, `wuser_${dialect}`)
    assert.ok(!jobs.some((j) => j.payload.includes(SECRET)))
  })

  it('stays InProgress after a 202 until the signed callback, then Provisioned', async () => {
    const r = await s.req('PUT', `/orgs/${org}/services/WACC`, { body: {} })
    assert.equal(r.status, 202, r.text)
    const requestGuid = r.headers.get('x-job-guid')!
    await until(`/orgs/${org}/services/WACC`, 'InProgress')
    const t0 = Date.now()
    while (!rx.deliveries.some((x) => x.requestGuid === requestGuid) && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 10))
    const jobGuid = rx.deliveries.find((x) => x.requestGuid === requestGuid)!.jobGuid
    // Still waiting a while later.
    await new Promise((res) => setTimeout(res, 150))
    assert.equal((await s.req('GET', `/orgs/${org}/services/WACC`)).body.status, 'InProgress')
    const body = JSON.stringify({ status: 'succeeded', result: { tenant: 'acme' } })
    const now = Math.floor(Date.now() / 1000)
    const forged = await fetch(`${s.base}/jobs/${jobGuid}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign('wrong', now, body) },
      body,
    })
    assert.equal(forged.status, 401)
    assert.equal((await s.req('GET', `/orgs/${org}/services/WACC`)).body.status, 'InProgress')
    const ok = await fetch(`${s.base}/jobs/${jobGuid}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) },
      body,
    })
    assert.equal(ok.status, 200, await ok.text())
    const v = await s.req('GET', `/orgs/${org}/services/WACC`)
    assert.equal(v.body.status, 'Provisioned')
    assert.ok(v.body.provisionedAt)
  })

  it('a callback reporting failure leaves the service Failed with its error', async () => {
    const r = await s.req('PUT', `/orgs/${org}/members/${user}/services/WACC`, { body: { userPlans: ['STD'] } })
    assert.equal(r.status, 202, r.text)
    const requestGuid = r.headers.get('x-job-guid')!
    const t0 = Date.now()
    while (!rx.deliveries.some((x) => x.requestGuid === requestGuid) && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 10))
    const jobGuid = rx.deliveries.find((x) => x.requestGuid === requestGuid)!.jobGuid
    await until(`/orgs/${org}/members/${user}/services/WACC`, 'InProgress')
    const body = JSON.stringify({ status: 'failed', error: 'mailbox quota exhausted' })
    const now = Math.floor(Date.now() / 1000)
    const res = await fetch(`${s.base}/jobs/${jobGuid}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) },
      body,
    })
    assert.equal(res.status, 200)
    const v = await s.req('GET', `/orgs/${org}/members/${user}/services/WACC`)
    assert.equal(v.body.status, 'Failed')
    assert.equal(v.body.error, 'mailbox quota exhausted')
    // A failed user provisioning still holds its place until it is deprovisioned.
    assert.equal((await s.req('GET', `/orgs/${org}/services/WACC`)).body.usersCount, 1)
  })
})
