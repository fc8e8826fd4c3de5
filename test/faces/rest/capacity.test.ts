import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

eachDialect('capacity units and capacity', (dialect) => {
  let s: TestServer
  let org: string
  let member: [string, string]

  before(async () => {
    s = await startServer(dialect, { worker: false })
    org = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Capacity Customer' } })).body.id
    assert.equal((await s.req('POST', `/orgs/${org}/members`, { body: { username: `capmember_${dialect}`, password: 'a-long-password-1', role: 'member' } })).status, 201)
    member = [`capmember_${dialect}`, 'a-long-password-1']
  })
  after(() => s.close())

  it("starts with seed 000's nine capacity unit types", async () => {
    const r = await s.req('GET', '/capacity-unit-types', { auth: member })
    assert.equal(r.status, 200)
    assert.deepEqual(
      r.body.items.map((t: any) => t.code),
      ['CU', 'LV', 'MU', 'NBU', 'NUIPPORTS', 'NUM', 'SUA', 'SUP', 'WV'],
    )
    assert.ok(r.body.items.every((t: any) => t.description.length > 0))
  })

  it('adds available and consumed capacity, lists both, and removes all entries of a type', async () => {
    for (const [kind, amount, type, name] of [
      ['available', 10, 'CU', 'cpu'],
      ['available', 5, 'cu', 'more cpu'],
      ['available', 200, 'SUP', 'disk'],
      ['consumed', 3, 'CU', 'used cpu'],
    ] as const) {
      const r = await s.req('POST', `/orgs/${org}/capacity/${kind}`, { body: { amount, capacityunittype: type, name, description: `${name} for tests` } })
      assert.equal(r.status, 201, r.text)
      assert.equal(r.body.capacityunittype, type.toUpperCase())
    }
    const l = await s.req('GET', `/orgs/${org}/capacity`)
    assert.equal(l.status, 200)
    assert.equal(l.body.customerguid, org)
    assert.deepEqual(l.body.capacityavailable, [
      { amount: 10, capacityunittype: 'CU', name: 'cpu', description: 'cpu for tests' },
      { amount: 5, capacityunittype: 'CU', name: 'more cpu', description: 'more cpu for tests' },
      { amount: 200, capacityunittype: 'SUP', name: 'disk', description: 'disk for tests' },
    ])
    assert.deepEqual(l.body.capacityconsumed, [{ amount: 3, capacityunittype: 'CU', name: 'used cpu', description: 'used cpu for tests' }])
    const rm = await s.req('DELETE', `/orgs/${org}/capacity/available/CU`)
    assert.equal(rm.status, 200)
    assert.equal(rm.body.removed, 2)
    const after = (await s.req('GET', `/orgs/${org}/capacity`)).body
    assert.deepEqual(
      after.capacityavailable.map((e: any) => e.capacityunittype),
      ['SUP'],
    )
    assert.equal(after.capacityconsumed.length, 1)
    assert.equal((await s.req('DELETE', `/orgs/${org}/capacity/available/CU`)).body.removed, 0)
  })

  it('refuses an unknown unit type, bad amounts and outsiders, changing nothing', async () => {
    const before = JSON.stringify((await s.req('GET', `/orgs/${org}/capacity`)).body)
    const unknown = await s.req('POST', `/orgs/${org}/capacity/available`, { body: { amount: 1, capacityunittype: 'GPU' } })
    assert.equal(unknown.status, 400)
    assert.match(unknown.body.detail, /unknown capacity unit type "GPU"/)
    assert.equal((await s.req('DELETE', `/orgs/${org}/capacity/consumed/GPU`)).status, 400)
    for (const body of [{ amount: -1, capacityunittype: 'CU' }, { amount: 1.5, capacityunittype: 'CU' }, { capacityunittype: 'CU' }, { amount: 1, capacityunittype: 'CU', colour: 'red' }]) {
      assert.equal((await s.req('POST', `/orgs/${org}/capacity/available`, { body })).status, 400, JSON.stringify(body))
    }
    assert.equal((await s.req('POST', `/orgs/${org}/capacity/spare`, { body: { amount: 1, capacityunittype: 'CU' } })).status, 400)
    assert.equal((await s.req('POST', `/orgs/${org}/capacity/available`, { body: { amount: 1, capacityunittype: 'CU' }, auth: member })).status, 403)
    assert.equal((await s.req('GET', `/orgs/${s.masterId}/capacity`, { auth: member })).status, 404)
    assert.equal((await s.req('GET', `/orgs/${org}/capacity`, { auth: null })).status, 401)
    assert.equal(JSON.stringify((await s.req('GET', `/orgs/${org}/capacity`)).body), before)
  })

  it('lets the master organisation manage unit types; one in use is not removed', async () => {
    assert.equal((await s.req('POST', '/capacity-unit-types', { body: { code: 'gpu', description: 'GPU hours' }, auth: member })).status, 403)
    const c = await s.req('POST', '/capacity-unit-types', { body: { code: 'gpu', description: 'GPU hours' } })
    assert.equal(c.status, 201, c.text)
    assert.equal(c.body.code, 'GPU')
    assert.equal((await s.req('POST', '/capacity-unit-types', { body: { code: 'GPU' } })).status, 409)
    assert.equal((await s.req('POST', `/orgs/${org}/capacity/consumed`, { body: { amount: 7, capacityunittype: 'GPU' } })).status, 201)
    const inUse = await s.req('DELETE', '/capacity-unit-types/GPU')
    assert.equal(inUse.status, 409)
    assert.equal((await s.req('DELETE', `/orgs/${org}/capacity/consumed/GPU`)).body.removed, 1)
    assert.equal((await s.req('DELETE', '/capacity-unit-types/GPU')).status, 204)
    assert.equal((await s.req('DELETE', '/capacity-unit-types/GPU')).status, 404)
  })

  it('records each change as a request', async () => {
    const r = await s.req('POST', `/orgs/${org}/capacity/available`, { body: { amount: 1, capacityunittype: 'MU' } })
    const j = await s.req('GET', `/jobs/${r.headers.get('x-job-guid')}`)
    assert.equal(j.body.operation, 'capacity.add')
    assert.equal(j.body.status, 'succeeded')
  })
})
