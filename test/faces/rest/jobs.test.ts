import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

eachDialect('requests and /jobs', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('records a mutation as a request and answers its guid; reads are not recorded', async () => {
    const c = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job One', isReseller: true } })
    assert.equal(c.status, 201)
    const guid = c.headers.get('x-job-guid')
    assert.match(guid ?? '', /^[0-9a-f-]{36}$/)
    const j = await s.req('GET', `/jobs/${guid}`)
    assert.equal(j.status, 200, j.text)
    assert.equal(j.body.guid, guid)
    assert.equal(j.body.operation, 'customer.create')
    assert.equal(j.body.status, 'succeeded')
    assert.equal(j.body.target, `org:${s.masterId}`)
    assert.equal(j.body.actor.via, 'basic')
    assert.ok(Date.parse(j.body.times.receivedAt) <= Date.parse(j.body.times.finishedAt))
    assert.ok(j.body.log.length >= 2)
    const byId = await s.req('GET', `/jobs/${j.body.id}`)
    assert.equal(byId.body.guid, guid)
    const log = await s.req('GET', `/jobs/${guid}/log`)
    assert.deepEqual(log.body.items, j.body.log)
    const before = await s.deps.store.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    await s.req('GET', `/orgs/${c.body.id}`)
    await s.req('GET', `/orgs/${s.masterId}/customers`)
    const after = await s.deps.store.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    assert.equal(Number(after.n), Number(before.n))
  })

  it('records a failure with its error text; bad input is refused before it is a request', async () => {
    await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Dup' } })
    const dup = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Dup' } })
    assert.equal(dup.status, 409)
    const j = await s.req('GET', `/jobs/${dup.headers.get('x-job-guid')}`)
    assert.equal(j.body.status, 'failed')
    assert.match(j.body.error, /already exists/)
    const bad = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: '' } })
    assert.equal(bad.status, 400)
    assert.equal(bad.headers.get('x-job-guid'), null)
  })

  it('makes a request the child of a caller-given parent, and lists children', async () => {
    const parent = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Parent' } })).headers.get('x-job-guid')!
    const kids = []
    for (const n of ['Job Kid 1', 'Job Kid 2']) {
      const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: n }, headers: { 'x-job-guid': parent } })
      assert.equal(r.status, 201)
      kids.push(r.headers.get('x-job-guid'))
    }
    const list = await s.req('GET', `/jobs?parent=${parent}`)
    assert.deepEqual(list.body.items.map((j: any) => j.guid), kids)
    const unknown = await s.req('POST', `/orgs/${s.masterId}/customers`, {
      body: { name: 'Job Orphan' },
      headers: { 'x-job-guid': '00000000-0000-4000-8000-000000000000' },
    })
    assert.equal(unknown.status, 404)
  })

  it('answers userErrormsg instead of the error, and refuses bad execution parameters', async () => {
    await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Masked' } })
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, {
      body: { name: 'Job Masked' },
      headers: { 'x-execution-params': JSON.stringify({ userErrormsg: 'Could not create the customer' }) },
    })
    assert.equal(r.status, 409)
    assert.equal(r.body.detail, 'Could not create the customer')
    for (const bad of ['{"maxduration": -1}', '{"colour": 1}', 'not json', '[1]']) {
      const b = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Bad Params' }, headers: { 'x-execution-params': bad } })
      assert.equal(b.status, 400, bad)
    }
    assert.equal((await s.req('GET', `/orgs/${s.masterId}/customers?limit=1000`)).body.items.some((o: any) => o.name === 'Job Bad Params'), false)
  })

  it('stops work past maxduration and marks its request failed, changing nothing', async () => {
    const clock = s.deps.clock
    let now = Date.now()
    // A clock that jumps a minute on every reading: any work runs past a one-second deadline.
    ;(s.deps as { clock: () => number }).clock = () => (now += 60_000)
    try {
      const r = await s.req('POST', `/orgs/${s.masterId}/customers`, {
        body: { name: 'Job Too Slow' },
        headers: { 'x-execution-params': JSON.stringify({ maxduration: 1 }) },
      })
      assert.equal(r.status, 408)
      assert.equal(r.body.code, 'deadline_exceeded')
      const j = await s.req('GET', `/jobs/${r.headers.get('x-job-guid')}`)
      assert.equal(j.body.status, 'failed')
      assert.equal(j.body.maxDurationMs, 1000)
    } finally {
      ;(s.deps as { clock: () => number }).clock = clock
    }
    const list = await s.req('GET', `/orgs/${s.masterId}/customers?limit=1000`)
    assert.equal(list.body.items.some((o: any) => o.name === 'Job Too Slow'), false)
  })

  it("shows a customer's requests to it and its parents, never to others", async () => {
    const a = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Tenant A', isReseller: true } })).body.id
    const b = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Job Tenant B', isReseller: true } })).body.id
    for (const [org, user] of [[a, 'job-a'], [b, 'job-b']]) {
      assert.equal((await s.req('POST', `/orgs/${org}/members`, { body: { username: user, password: 'password-123', role: 'owner' } })).status, 201)
    }
    const mine = await s.req('POST', `/orgs/${a}/customers`, { body: { name: 'Job A child' }, auth: ['job-a', 'password-123'] })
    const guid = mine.headers.get('x-job-guid')
    assert.equal((await s.req('GET', `/jobs/${guid}`, { auth: ['job-a', 'password-123'] })).status, 200)
    assert.equal((await s.req('GET', `/jobs/${guid}`)).status, 200)
    assert.equal((await s.req('GET', `/jobs/${guid}`, { auth: ['job-b', 'password-123'] })).status, 404)
  })
})
