import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

function is(r: Answer, status: number, code?: string): void {
  assert.equal(r.status, status, r.text)
  if (code) {
    assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/)
    assert.equal(r.body.code, code, r.text)
  }
}

eachDialect('REST IP pools and addresses', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let resellerA: string
  let resellerB: string
  let custA: string
  let custB: string
  const ra = `ipra_${dialect}`
  const ca = `ipca_${dialect}`
  before(async () => {
    s = await startServer(dialect)
    resellerA = await p.customer('IP Reseller A')
    resellerB = await p.customer('IP Reseller B')
    for (const r of [resellerA, resellerB]) is(await s.req('PATCH', `/orgs/${r}`, { body: { isReseller: true } }), 204)
    custA = (await s.req('POST', `/orgs/${resellerA}/customers`, { body: { name: 'IP Customer A' } })).body.id
    custB = (await s.req('POST', `/orgs/${resellerB}/customers`, { body: { name: 'IP Customer B' } })).body.id
    assert.ok(custA && custB)
    await p.user(resellerA, ra, 'admin')
    await p.user(custA, ca, 'admin')
  })
  after(() => s.close())

  it('defines pools (master only), lists, gets, renames and refuses overlaps and bad ranges', async () => {
    const r = await s.req('POST', '/ip-pools', { body: { name: 'Rest v4', cidr: '198.18.0.0/24' } })
    is(r, 201)
    assert.equal(r.headers.get('location'), `/ip-pools/${r.body.id}`)
    assert.deepEqual([r.body.netmask, r.body.gateway, r.body.capacity, r.body.location], ['255.255.255.0', '198.18.0.1', '253', null])
    is(await s.req('POST', '/ip-pools', { body: { name: 'Overlap', cidr: '198.18.0.64/26' } }), 409, 'already_exists')
    is(await s.req('POST', '/ip-pools', { body: { name: 'Bad', cidr: '198.18.1.0/33' } }), 400, 'invalid_argument')
    is(await s.req('POST', '/ip-pools', { body: { name: 'Bad', cidr: 'nonsense' } }), 400, 'invalid_argument')
    is(await s.req('POST', '/ip-pools', { body: { name: 'Reseller', cidr: '198.18.2.0/24' }, ...p.as(ra) }), 403, 'forbidden')
    const list = await s.req('GET', '/ip-pools', p.as(ca))
    is(list, 200)
    assert.ok(list.body.items.some((x: { name: string }) => x.name === 'Rest v4'))
    is(await s.req('GET', `/ip-pools/${r.body.id}`), 200)
    const renamed = await s.req('PATCH', `/ip-pools/${r.body.id}`, { body: { name: 'Rest v4 renamed' } })
    is(renamed, 200)
    assert.equal(renamed.body.name, 'Rest v4 renamed')
    is(await s.req('GET', '/ip-pools/00000000-0000-4000-8000-000000000000'), 404, 'not_found')
    const doc = await s.req('GET', '/openapi.json')
    for (const path of ['/ip-pools', '/ip-pools/{id}', '/orgs/{org_id}/ip-addresses', '/orgs/{org_id}/ip-addresses/{address}']) assert.ok(doc.body.paths[path], path)
    assert.ok(doc.body.paths['/ip-pools/{id}'].delete && doc.body.paths['/ip-pools/{id}'].patch)
  })

  it('gives addresses in order, a requested one, never a reserved one, and runs a /30 out with 409 failed_precondition', async () => {
    is(await s.req('POST', '/ip-pools', { body: { name: 'Rest 30', cidr: '198.18.3.0/30' } }), 201)
    const a = await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { pool: 'Rest 30' }, ...p.as(ra) })
    is(a, 201)
    assert.deepEqual([a.body.address, a.body.netmask, a.body.gateway, a.body.pool], ['198.18.3.2', '255.255.255.252', '198.18.3.1', 'Rest 30'])
    const out = await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { pool: 'Rest 30' }, ...p.as(ra) })
    is(out, 409, 'failed_precondition')
    assert.match(out.body.detail, /no free address/)

    is(await s.req('POST', '/ip-pools', { body: { name: 'Rest 28', cidr: '198.18.4.0/28' } }), 201)
    const order: string[] = []
    for (let i = 0; i < 3; i++) order.push((await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { pool: 'Rest 28' }, ...p.as(ra) })).body.address)
    assert.deepEqual(order, ['198.18.4.2', '198.18.4.3', '198.18.4.4'])
    is(await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { address: '198.18.4.10' }, ...p.as(ra) }), 201)
    is(await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { address: '198.18.4.10' }, ...p.as(ra) }), 409, 'already_exists')
    for (const reserved of ['198.18.4.0', '198.18.4.1', '198.18.4.15']) {
      is(await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { address: reserved }, ...p.as(ra) }), 400, 'invalid_argument')
    }
    is(await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { address: '203.0.113.9' }, ...p.as(ra) }), 400, 'invalid_argument')
    is(await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { address: 'not an ip' }, ...p.as(ra) }), 400, 'invalid_argument')
    const del = await s.req('DELETE', '/ip-pools/Rest%2028')
    is(del, 409, 'failed_precondition')
  })

  it('frees an address and gives it again; a customer lists its own; another reseller\'s customer is 404', async () => {
    is(await s.req('DELETE', `/orgs/${custA}/ip-addresses/198.18.4.3`, p.as(ra)), 204)
    is(await s.req('DELETE', `/orgs/${custA}/ip-addresses/198.18.4.3`, p.as(ra)), 404, 'not_found')
    is(await s.req('DELETE', `/orgs/${custA}/ip-addresses/banana`, p.as(ra)), 400, 'invalid_argument')
    const again = await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { pool: 'Rest 28' }, ...p.as(ra) })
    assert.equal(again.body.address, '198.18.4.3')
    const own = await s.req('GET', `/orgs/${custA}/ip-addresses`, p.as(ca))
    is(own, 200)
    assert.deepEqual(
      own.body.items.map((x: { address: string }) => x.address),
      ['198.18.3.2', '198.18.4.2', '198.18.4.3', '198.18.4.4', '198.18.4.10'],
    )
    assert.ok(own.body.items.every((x: { since: string }) => !Number.isNaN(Date.parse(x.since))))
    is(await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { pool: 'Rest 28' }, ...p.as(ca) }), 403, 'forbidden')
    is(await s.req('GET', `/orgs/${custB}/ip-addresses`, p.as(ra)), 404, 'not_found')
    is(await s.req('POST', `/orgs/${custB}/ip-addresses`, { body: { pool: 'Rest 28' }, ...p.as(ra) }), 404, 'not_found')
    is(await s.req('DELETE', `/orgs/${custB}/ip-addresses/198.18.4.2`, p.as(ra)), 404, 'not_found')
    is(await s.req('GET', `/orgs/${custB}/ip-addresses`, p.as(ca)), 404, 'not_found')
  })

  it('allocates from an IPv6 /64 (netmask is the prefix length) and frees by its address in the path', async () => {
    const pool = await s.req('POST', '/ip-pools', { body: { name: 'Rest v6', cidr: '2001:db8:42::/64' } })
    is(pool, 201)
    assert.equal(pool.body.family, 'ipv6')
    const a = await s.req('POST', `/orgs/${custA}/ip-addresses`, { body: { pool: pool.body.id }, ...p.as(ra) })
    is(a, 201)
    assert.deepEqual([a.body.address, a.body.netmask, a.body.prefixLength, a.body.gateway], ['2001:db8:42::2', '64', 64, '2001:db8:42::1'])
    is(await s.req('DELETE', `/orgs/${custA}/ip-addresses/${encodeURIComponent('2001:db8:42::2')}`, p.as(ra)), 204)
    is(await s.req('DELETE', `/ip-pools/${pool.body.id}`), 204)
    is(await s.req('GET', `/ip-pools/${pool.body.id}`), 404, 'not_found')
  })

  it('50 concurrent allocations from a /26 give 50 distinct addresses', async () => {
    is(await s.req('POST', '/ip-pools', { body: { name: 'Rest race', cidr: '198.18.64.0/26' } }), 201)
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.req('POST', `/orgs/${i % 2 ? custA : custB}/ip-addresses`, { body: { pool: 'Rest race' } })),
    )
    for (const r of answers) is(r, 201)
    const got = answers.map((r) => r.body.address as string)
    assert.equal(new Set(got).size, 50)
    const listed = [
      ...(await s.req('GET', `/orgs/${custA}/ip-addresses`)).body.items,
      ...(await s.req('GET', `/orgs/${custB}/ip-addresses`)).body.items,
    ].filter((x: { pool: string }) => x.pool === 'Rest race')
    assert.equal(listed.length, 50)
    assert.equal(new Set(listed.map((x: { address: string }) => x.address)).size, 50)
    assert.equal((await s.req('GET', '/ip-pools/rest%20race')).body.allocated, 50)
  })
})
