/**
 * API keys act for their scope and below, and nobody manages a key whose user sits above them
 * (issue 17, item 4): a reseller admin's key scoped to its customer C1 neither lists nor locks
 * nor revokes the same user's key for the reseller; C1's own admin neither lists nor locks nor
 * revokes the keys the reseller's admin made for C1.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

eachDialect('API keys across scopes', (dialect) => {
  let s: TestServer
  let r1: string
  let c1: string
  const r1Admin: [string, string] = ['r1-admin', 'r1-admin-password-x']
  const c1Admin: [string, string] = ['c1-admin', 'c1-admin-password-x']

  async function key(auth: [string, string] | string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const r = await s.req('POST', '/api-keys', { body, auth })
    assert.equal(r.status, 201, r.text)
    return { id: r.body.id, secret: r.body.secret }
  }

  before(async () => {
    s = await startServer(dialect, { worker: false })
    r1 = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Reseller One', isReseller: true } })).body.id
    c1 = (await s.req('POST', `/orgs/${r1}/customers`, { body: { name: 'Customer One' } })).body.id
    for (const [org, [username, password]] of [[r1, r1Admin], [c1, c1Admin]] as const) {
      const m = await s.req('POST', `/orgs/${org}/members`, { body: { username, password, role: 'admin' } })
      assert.equal(m.status, 201, m.text)
    }
  })
  after(() => s.close())

  it("a key scoped to a customer does not reach the same user's key for the reseller", async () => {
    const resellerKey = await key(r1Admin, { name: 'for the reseller' })
    const customerKey = await key(r1Admin, { name: 'for C1', orgId: c1 })

    const listed = await s.req('GET', '/api-keys', { auth: customerKey.secret })
    assert.equal(listed.status, 200, listed.text)
    assert.deepEqual(listed.body.items.map((k: { id: string }) => k.id), [customerKey.id])
    const all = await s.req('GET', '/api-keys?all=true', { auth: customerKey.secret })
    assert.equal(all.body.items.some((k: { id: string }) => k.id === resellerKey.id), false)

    const lock = await s.req('POST', `/api-keys/${resellerKey.id}/acls`, { body: { address: '192.0.2.1', mask: 32 }, auth: customerKey.secret })
    assert.equal(lock.status, 404, lock.text)
    assert.equal((await s.req('GET', `/api-keys/${resellerKey.id}/acls`, { auth: customerKey.secret })).status, 404)
    assert.equal((await s.req('DELETE', `/api-keys/${resellerKey.id}`, { auth: customerKey.secret })).status, 404)

    // The reseller key still works from anywhere, and its owner still sees both.
    assert.equal((await s.req('GET', '/identity', { auth: resellerKey.secret })).status, 200)
    const mine = await s.req('GET', '/api-keys', { auth: r1Admin })
    assert.deepEqual(mine.body.items.map((k: { id: string }) => k.id).sort(), [resellerKey.id, customerKey.id].sort())
  })

  it("a customer's admin does not reach the keys its reseller's admin made for it", async () => {
    const madeForC1 = await key(r1Admin, { name: 'made by R1 for C1', orgId: c1 })
    const c1Own = await key(c1Admin, { name: "C1's own" })

    const all = await s.req('GET', '/api-keys?all=true', { auth: c1Admin })
    assert.equal(all.status, 200, all.text)
    const ids = all.body.items.map((k: { id: string }) => k.id)
    assert.equal(ids.includes(madeForC1.id), false, 'listed a key whose user sits above')
    assert.equal(ids.includes(c1Own.id), true)

    assert.equal((await s.req('POST', `/api-keys/${madeForC1.id}/acls`, { body: { address: '192.0.2.1', mask: 32 }, auth: c1Admin })).status, 404)
    assert.equal((await s.req('DELETE', `/api-keys/${madeForC1.id}`, { auth: c1Admin })).status, 404)
    assert.equal((await s.req('GET', '/identity', { auth: madeForC1.secret })).status, 200, 'the key was revoked or locked')

    // R1's admin still manages C1's admin's keys (its user is inside R1's subtree).
    const r1All = await s.req('GET', '/api-keys?all=true', { auth: r1Admin })
    assert.equal(r1All.body.items.some((k: { id: string }) => k.id === c1Own.id), true)
    assert.equal((await s.req('DELETE', `/api-keys/${c1Own.id}`, { auth: r1Admin })).status, 204)
  })
})
