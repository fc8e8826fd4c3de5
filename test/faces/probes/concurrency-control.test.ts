/**
 * Concurrency control under load: 50 concurrent requests with one Idempotency-Key execute once
 * (one organisation made; the others replay it or answer 409 while it runs), another tenant
 * sending the same key gets its own execution, never the first tenant's answer; and 32
 * concurrent If-Match writers of one version have exactly one success, the others 412, the
 * version moving by exactly one.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { eachDialect, startServer, startServerOn, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

eachDialect('idempotency keys and If-Match under concurrency', (dialect) => {
  let s: TestServer
  let s2: TestServer
  const p = people(() => s)
  before(async () => {
    s = await startServer(dialect, { worker: false })
    s2 = await startServerOn(s.location, { worker: false })
  })
  after(async () => {
    await s2?.close()
    await s?.close()
  })

  it('50 concurrent requests with one key over two instances execute once; another tenant with the same key gets its own', async () => {
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Idem Load Reseller', isReseller: true } })
    assert.equal(r.status, 201, r.text)
    const reseller = r.body.id as string
    await p.user(reseller, 'idem-other', 'admin')
    const body = { name: 'Idem Load Once' }
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? s2 : s).req('POST', `/orgs/${s.masterId}/customers`, { body, headers: { 'idempotency-key': 'load-key-1' } })),
    )
    const made = answers.filter((a) => a.status === 201)
    assert.equal(made.length + answers.filter((a) => a.status === 409).length, 50, answers.map((a) => a.status).join(','))
    assert.equal(new Set(made.map((a) => a.body.id)).size, 1, 'every 201 names the same organisation')
    const all = await s.req('GET', `/orgs/${s.masterId}/customers?recursive=true&limit=1000&q=Idem%20Load%20Once`)
    assert.equal(all.body.total, 1, 'executed once')
    // Another tenant, same key, its own body: its own execution, not a replay of the admin's.
    const theirs = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Idem Load Theirs' }, headers: { 'idempotency-key': 'load-key-1' }, auth: ['idem-other', 'idem-other-password'] })
    assert.equal(theirs.status, 201, theirs.text)
    assert.equal((await s.req('GET', `/orgs/${theirs.body.id}`)).body.name, 'Idem Load Theirs')
    assert.equal(theirs.headers.get('idempotent-replayed'), null)
    assert.notEqual(theirs.body?.id, made[0]!.body.id)
  })

  it('32 concurrent If-Match writers of one version: exactly one succeeds, the others 412, the version moves by one', async () => {
    const org = await p.customer('If-Match Race')
    const read = await s.req('GET', `/orgs/${org}`)
    const tag = read.headers.get('etag')!
    const version = read.body.version as number
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) => (i % 2 ? s2 : s).req('PATCH', `/orgs/${org}`, { body: { city: `City ${i}` }, headers: { 'if-match': tag } })),
    )
    const winners = answers.map((a, i) => (a.status >= 200 && a.status < 300 ? i : -1)).filter((i) => i >= 0)
    assert.equal(winners.length, 1, answers.map((a) => a.status).join(','))
    assert.equal(answers.filter((a) => a.status === 412).length, 31)
    const after = await s.req('GET', `/orgs/${org}`)
    assert.equal(after.body.version, version + 1)
    assert.equal(after.body.city, `City ${winners[0]}`, 'the one that succeeded is the one that holds')
  })
})
