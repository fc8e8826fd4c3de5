/** The listings the console reads: customers found by `q`, and the recent requests of `GET /jobs` (issue 14). */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

eachDialect('console listings', (dialect) => {
  let s: TestServer
  let reseller: string
  const names = (r: { body: { items: { name: string }[] } }) => r.body.items.map((o) => o.name)
  before(async () => {
    s = await startServer(dialect)
    reseller = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Search Reseller', isReseller: true } })).body.id
    for (const [name, code, externalId] of [
      ['Alpha Hosting', 'ALPHA1', 'crm-100'],
      ['alphabet soup', 'SOUP', ''],
      ['Beta Alpha', 'BETA', 'crm-200'],
      ['Gamma', 'GAMMA', 'ALPHA'],
    ]) {
      const r = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name, code, externalId } })
      assert.equal(r.status, 201, r.text)
    }
    const alpha = (await s.req('GET', `/orgs/${reseller}/customers?q=ALPHA1`)).body.items[0].id
    assert.equal((await s.req('POST', `/orgs/${alpha}/customers`, { body: { name: 'Alpine Nested' } })).status, 403)
  })
  after(() => s.close())

  it('finds customers by name prefix in any case, exact code or exact external id, and counts them', async () => {
    const alp = await s.req('GET', `/orgs/${reseller}/customers?q=alp`)
    assert.equal(alp.status, 200, alp.text)
    assert.deepEqual(names(alp), ['Alpha Hosting', 'alphabet soup'])
    assert.equal(alp.body.total, 2)
    // "Beta Alpha" contains alp but does not start with it; "Gamma"'s external id is ALPHA, exactly.
    // Names sort as the database stores them (binary: capitals first).
    assert.deepEqual(names(await s.req('GET', `/orgs/${reseller}/customers?q=ALPHA`)), ['Alpha Hosting', 'Gamma', 'alphabet soup'])
    assert.deepEqual(names(await s.req('GET', `/orgs/${reseller}/customers?q=soup`)), ['alphabet soup'])
    assert.deepEqual(names(await s.req('GET', `/orgs/${reseller}/customers?q=crm-200`)), ['Beta Alpha'])
    assert.deepEqual(names(await s.req('GET', `/orgs/${reseller}/customers?q=crm-2`)), [])
    const paged = await s.req('GET', `/orgs/${reseller}/customers?q=ALPHA&limit=1&offset=2`)
    assert.deepEqual(names(paged), ['alphabet soup'])
    assert.equal(paged.body.total, 3)
    assert.equal((await s.req('GET', `/orgs/${reseller}/customers?q=${'x'.repeat(201)}`)).status, 400)
  })

  it('searches the whole subtree with recursive=true and only direct customers without it, and combines with status', async () => {
    assert.deepEqual(names(await s.req('GET', `/orgs/${s.masterId}/customers?q=alpha`)), [])
    assert.deepEqual(names(await s.req('GET', `/orgs/${s.masterId}/customers?q=alpha&recursive=true`)), ['Alpha Hosting', 'alphabet soup'])
    const soup = (await s.req('GET', `/orgs/${reseller}/customers?q=SOUP`)).body.items[0]
    const sus = await s.req('PATCH', `/orgs/${soup.id}`, { body: { status: 'suspended' }, headers: { 'if-match': `"${soup.version}"` } })
    assert.ok(sus.status < 300, sus.text)
    assert.deepEqual(names(await s.req('GET', `/orgs/${reseller}/customers?q=alpha&status=suspended`)), ['alphabet soup'])
    assert.deepEqual(names(await s.req('GET', `/orgs/${reseller}/customers?q=ALPHA&status=active`)), ['Alpha Hosting', 'Gamma'])
  })

  it('lists the recent requests the caller may see, newest first, filtered, never a sibling tenant\'s', async () => {
    const a = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'List Tenant A', isReseller: true } })).body.id
    const b = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'List Tenant B', isReseller: true } })).body.id
    for (const [org, user] of [[a, 'list-a'], [b, 'list-b']]) {
      assert.equal((await s.req('POST', `/orgs/${org}/members`, { body: { username: user, password: 'password-123', role: 'owner' } })).status, 201)
    }
    const asA = { auth: ['list-a', 'password-123'] as [string, string] }
    const asB = { auth: ['list-b', 'password-123'] as [string, string] }
    const g1 = (await s.req('POST', `/orgs/${a}/customers`, { body: { name: 'A one' }, ...asA })).headers.get('x-job-guid')
    const g2 = (await s.req('POST', `/orgs/${a}/customers`, { body: { name: 'A one' }, ...asA })).headers.get('x-job-guid') // a duplicate: fails
    const g3 = (await s.req('POST', `/orgs/${a}/customers`, { body: { name: 'A two' }, ...asA })).headers.get('x-job-guid')

    const mine = await s.req('GET', '/jobs', asA)
    assert.equal(mine.status, 200, mine.text)
    const guids = mine.body.items.map((j: any) => j.guid)
    assert.deepEqual(guids.slice(0, 3), [g3, g2, g1])
    assert.ok(mine.body.items.every((j: any) => j.target.length > 0 && !j.target.includes(b)))

    const failed = await s.req('GET', '/jobs?status=failed', asA)
    assert.deepEqual(failed.body.items.map((j: any) => j.guid), [g2])
    const byOp = await s.req('GET', '/jobs?operation=customer.create&limit=1&offset=1', asA)
    assert.deepEqual(byOp.body.items.map((j: any) => j.guid), [g2])

    // The sibling sees none of them, nor may it ask for A's organisation.
    const theirs = await s.req('GET', '/jobs', asB)
    assert.equal(theirs.status, 200)
    for (const g of [g1, g2, g3]) assert.equal(theirs.body.items.some((j: any) => j.guid === g), false)
    assert.equal((await s.req('GET', `/jobs?orgId=${a}`, asB)).status, 404)

    // The provider sees them, and narrows to one tenant with orgId.
    const provider = await s.req('GET', `/jobs?orgId=${a}&limit=1000`)
    assert.deepEqual(provider.body.items.map((j: any) => j.guid).slice(0, 3), [g3, g2, g1])
    assert.equal((await s.req('GET', `/jobs?orgId=${b}`)).body.items.some((j: any) => [g1, g2, g3].includes(j.guid)), false)
    assert.equal((await s.req('GET', '/jobs?status=nope')).status, 400)
  })
})
