/**
 * API key IP ACLs over real HTTP: managing entries, and the key refusing calls from outside
 * its listed networks on every route. The test server listens on 127.0.0.1; a second app on
 * the same database trusts X-Forwarded-For so that calls can come "from" other addresses.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, startServerOn, type Answer, type TestServer } from '../../helpers/harness.js'

interface Key {
  id: string
  secret: string
}

eachDialect('REST API key ACLs', (dialect) => {
  let s: TestServer
  /** Same database, trusting X-Forwarded-For. */
  let proxied: TestServer
  before(async () => {
    s = await startServer(dialect)
    proxied = await startServerOn(s.location, { trustProxy: true })
  })
  after(async () => {
    await proxied.close()
    await s.close()
  })

  async function newKey(name: string, auth?: [string, string]): Promise<Key> {
    const r = await s.req('POST', '/api-keys', { body: { name }, ...(auth ? { auth } : {}) })
    assert.equal(r.status, 201, r.text)
    return { id: r.body.id, secret: r.body.secret }
  }

  async function addAcl(k: Key, address: string, mask: number): Promise<Answer> {
    return s.req('POST', `/api-keys/${k.id}/acls`, { body: { address, mask } })
  }

  async function acls(k: Key): Promise<{ id: number; address: string; mask: number }[]> {
    const r = await s.req('GET', `/api-keys/${k.id}/acls`)
    assert.equal(r.status, 200, r.text)
    return r.body.items
  }

  async function aclCount(k: Key): Promise<number> {
    const r = await s.req('GET', '/api-keys')
    return r.body.items.find((x: { id: string }) => x.id === k.id).aclCount
  }

  /** Calls `/identity` with the key, from `ip` through the proxy-trusting app. */
  function from(ip: string, k: Key): Promise<Answer> {
    return proxied.req('GET', '/identity', { auth: k.secret, headers: { 'x-forwarded-for': ip } })
  }

  function assertRefused(r: Answer): void {
    assert.equal(r.status, 401, r.text)
    assert.equal(r.body.code, 'unauthenticated')
    assert.match(r.body.detail, /not allowed from this address/)
  }

  describe('managing entries', () => {
    it('adds, lists, changes and deletes entries, keeping aclCount', async () => {
      const k = await newKey('crud')
      assert.deepEqual(await acls(k), [])

      const a = await addAcl(k, '10.1.2.3', 8)
      assert.equal(a.status, 201, a.text)
      assert.equal(a.body.keyId, k.id)
      assert.equal(a.body.address, '10.1.2.3')
      assert.equal(a.body.mask, 8)
      assert.ok(Number.isInteger(a.body.id))
      const b = await addAcl(k, '2001:DB8:0:0::', 32)
      assert.equal(b.status, 201, b.text)
      assert.equal(b.body.address, '2001:db8::', 'IPv6 addresses are normalised')
      assert.equal(await aclCount(k), 2)
      assert.deepEqual(
        (await acls(k)).map((x) => [x.id, x.address, x.mask]),
        [
          [a.body.id, '10.1.2.3', 8],
          [b.body.id, '2001:db8::', 32],
        ],
      )

      const p = await s.req('PATCH', `/api-keys/${k.id}/acls/${a.body.id}`, { body: { mask: 16 } })
      assert.equal(p.status, 200, p.text)
      assert.equal(p.body.address, '10.1.2.3')
      assert.equal(p.body.mask, 16)
      const p2 = await s.req('PATCH', `/api-keys/${k.id}/acls/${a.body.id}`, { body: { address: '192.168.0.0', mask: 24 } })
      assert.equal(p2.status, 200, p2.text)
      assert.deepEqual([p2.body.address, p2.body.mask], ['192.168.0.0', 24])
      assert.deepEqual((await acls(k)).find((x) => x.id === a.body.id), { ...p2.body })

      assert.equal((await s.req('DELETE', `/api-keys/${k.id}/acls/${a.body.id}`)).status, 204)
      assert.equal(await aclCount(k), 1)
      assert.deepEqual((await acls(k)).map((x) => x.id), [b.body.id])
      const again = await s.req('DELETE', `/api-keys/${k.id}/acls/${a.body.id}`)
      assert.equal(again.status, 404)
      assert.equal(await aclCount(k), 1, 'a failed delete changes nothing')
    })

    it('refuses invalid addresses and masks with 400, changing nothing', async () => {
      const k = await newKey('invalid')
      const cases: [unknown, unknown][] = [
        ['not-an-ip', 8],
        ['300.1.1.1', 8],
        ['10.0.0.0/8', 8],
        ['10.1', 8],
        ['1234', 8],
        ['010.0.0.1', 32],
        ['10.0.0.1', 33],
        ['10.0.0.1', -1],
        ['2001:db8::', 129],
        ['10.0.0.1', 8.5],
        ['10.0.0.1', '8'],
        ['', 8],
      ]
      for (const [address, mask] of cases) {
        const r = await s.req('POST', `/api-keys/${k.id}/acls`, { body: { address, mask } })
        assert.equal(r.status, 400, `${address}/${mask}: ${r.text}`)
        assert.equal(r.body.code, 'invalid_argument')
      }
      assert.equal((await s.req('POST', `/api-keys/${k.id}/acls`, { body: { address: '10.0.0.1' } })).status, 400)
      assert.equal((await s.req('POST', `/api-keys/${k.id}/acls`, { body: { address: '10.0.0.1', mask: 8, extra: 1 } })).status, 400)

      const ok = await addAcl(k, '10.0.0.0', 8)
      const bad = await s.req('PATCH', `/api-keys/${k.id}/acls/${ok.body.id}`, { body: { mask: 64 } })
      assert.equal(bad.status, 400, bad.text)
      const bad2 = await s.req('PATCH', `/api-keys/${k.id}/acls/${ok.body.id}`, { body: { address: 'nope' } })
      assert.equal(bad2.status, 400, bad2.text)
      assert.deepEqual((await acls(k)).map((x) => [x.address, x.mask]), [['10.0.0.0', 8]])
      assert.equal(await aclCount(k), 1)
      // The entry that stands still fences the key (10.0.0.0/8 does not cover loopback).
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
    })

    it('accepts an IPv4-mapped IPv6 entry and applies it to IPv4 callers', async () => {
      const k = await newKey('mapped')
      const a = await addAcl(k, '::ffff:127.0.0.1', 128)
      assert.equal(a.status, 201, a.text)
      assert.equal((await s.req('GET', '/identity', { auth: k.secret })).status, 200)
      assertRefused(await from('127.0.0.2', k))
    })

    it("answers 404 for another user's key and for an entry of another key", async () => {
      const u = await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username: 'acl-member', password: 'acl-member-password' } })
      assert.equal(u.status, 201, u.text)
      const mine = await newKey('admin-key')
      const theirs = await newKey('member-key', ['acl-member', 'acl-member-password'])
      const entry = await addAcl(mine, '10.0.0.0', 8)
      const member = { auth: ['acl-member', 'acl-member-password'] as [string, string] }
      assert.equal((await s.req('GET', `/api-keys/${mine.id}/acls`, member)).status, 404)
      assert.equal((await s.req('POST', `/api-keys/${mine.id}/acls`, { ...member, body: { address: '127.0.0.1', mask: 32 } })).status, 404)
      assert.equal((await s.req('DELETE', `/api-keys/${mine.id}/acls/${entry.body.id}`, member)).status, 404)
      assert.equal((await s.req('PATCH', `/api-keys/${theirs.id}/acls/${entry.body.id}`, { ...member, body: { mask: 0 } })).status, 404)
      assert.equal((await s.req('DELETE', `/api-keys/${theirs.id}/acls/${entry.body.id}`, member)).status, 404)
      assert.deepEqual((await acls(mine)).map((x) => x.mask), [8])
      assert.equal((await s.req('GET', `/api-keys/nope/acls`)).status, 404)
    })
  })

  describe('enforcement', () => {
    it('a key whose ACL excludes 127.0.0.1 answers 401 on every route, /identity included', async () => {
      const k = await newKey('fenced')
      assert.equal((await s.req('GET', '/identity', { auth: k.secret })).status, 200)
      assert.equal((await addAcl(k, '10.0.0.0', 8)).status, 201)
      const customer = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Fenced Target' } })
      const calls: [string, string, unknown?][] = [
        ['GET', '/identity'],
        ['GET', `/orgs/${s.masterId}`],
        ['GET', `/orgs/${s.masterId}/customers`],
        ['POST', `/orgs/${s.masterId}/customers`, { name: 'From Outside' }],
        ['PATCH', `/orgs/${customer.body.id}`, { description: 'changed from outside' }],
        ['DELETE', `/orgs/${customer.body.id}`],
        ['GET', `/orgs/${s.masterId}/members`],
        ['POST', `/orgs/${s.masterId}/members`, { username: 'outsider', password: 'outsider-password' }],
        ['GET', `/orgs/${s.masterId}/groups`],
        ['POST', `/orgs/${s.masterId}/groups`, { name: 'outside' }],
        ['GET', '/api-keys'],
        ['POST', '/api-keys', { name: 'escape' }],
        ['GET', `/api-keys/${k.id}/acls`],
        ['DELETE', `/api-keys/${k.id}/acls/1`],
        ['DELETE', `/api-keys/${k.id}`],
        ['GET', '/no-such-route'],
      ]
      for (const [method, path, body] of calls) {
        const r = await s.req(method, path, { auth: k.secret, ...(body ? { body } : {}) })
        assert.equal(r.status, 401, `${method} ${path}: ${r.status} ${r.text}`)
        assert.match(r.headers.get('www-authenticate') ?? '', /Bearer/)
      }
      // Nothing happened.
      const list = await s.req('GET', `/orgs/${s.masterId}/customers`)
      assert.deepEqual(list.body.items.map((o: { name: string }) => o.name), ['Fenced Target'])
      assert.equal((await s.req('GET', `/orgs/${customer.body.id}`)).body.description, '')
      assert.equal(await aclCount(k), 1)
      assert.ok((await s.req('GET', '/api-keys')).body.items.some((x: { id: string }) => x.id === k.id))
    })

    it('works from 127.0.0.0/8, and from a listed network only', async () => {
      const k = await newKey('loopback')
      assert.equal((await addAcl(k, '10.0.0.0', 8)).status, 201)
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
      assert.equal((await addAcl(k, '127.0.0.0', 8)).status, 201)
      const r = await s.req('GET', '/identity', { auth: k.secret })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.user.username, 'admin')
      assert.equal((await from('10.200.3.4', k)).status, 200)
      assert.equal((await from('127.9.9.9', k)).status, 200)
      assertRefused(await from('11.0.0.1', k))
      assertRefused(await from('192.168.1.1', k))
    })

    it('matches IPv6 callers against IPv6 entries only', async () => {
      const k = await newKey('v6')
      assert.equal((await addAcl(k, '2001:db8::', 32)).status, 201)
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
      assert.equal((await from('2001:db8:1234::5', k)).status, 200)
      assertRefused(await from('2001:db9::5', k))
      assertRefused(await from('10.0.0.1', k))
      assert.equal((await addAcl(k, '::1', 128)).status, 201)
      assert.equal((await from('::1', k)).status, 200)
      assertRefused(await from('::2', k))
    })

    it('takes effect at once on every process, and a changed entry at once too', async () => {
      const k = await newKey('live')
      assert.equal((await proxied.req('GET', '/identity', { auth: k.secret })).status, 200)
      const a = await addAcl(k, '127.0.0.1', 32)
      assert.equal((await s.req('GET', '/identity', { auth: k.secret })).status, 200)
      assertRefused(await from('127.0.0.2', k))
      await s.req('PATCH', `/api-keys/${k.id}/acls/${a.body.id}`, { body: { address: '127.0.0.2' } })
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
      assert.equal((await from('127.0.0.2', k)).status, 200)
    })

    it('removing the last entry makes the key work from anywhere again', async () => {
      const k = await newKey('unfenced')
      const a = await addAcl(k, '10.0.0.0', 8)
      const b = await addAcl(k, '2001:db8::', 32)
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
      assert.equal((await s.req('DELETE', `/api-keys/${k.id}/acls/${a.body.id}`)).status, 204)
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
      assertRefused(await from('10.0.0.1', k))
      assert.equal((await s.req('DELETE', `/api-keys/${k.id}/acls/${b.body.id}`)).status, 204)
      assert.equal(await aclCount(k), 0)
      assert.equal((await s.req('GET', '/identity', { auth: k.secret })).status, 200)
      assert.equal((await from('10.0.0.1', k)).status, 200)
      assert.equal((await from('2001:db9::1', k)).status, 200)
    })

    it('entries added concurrently are all counted: the key stays fenced until the last is gone', async () => {
      const k = await newKey('concurrent')
      const added = await Promise.all(Array.from({ length: 8 }, (_, i) => addAcl(k, `10.0.${i}.0`, 24)))
      assert.deepEqual(added.map((a) => a.status), Array(8).fill(201))
      assert.equal(await aclCount(k), 8)
      // Remove all but one, concurrently too: the key must still be fenced.
      const dels = await Promise.all(added.slice(1).map((a) => s.req('DELETE', `/api-keys/${k.id}/acls/${a.body.id}`)))
      assert.deepEqual(dels.map((d) => d.status), Array(7).fill(204))
      assert.equal(await aclCount(k), 1)
      assertRefused(await s.req('GET', '/identity', { auth: k.secret }))
      assert.equal((await from('10.0.0.9', k)).status, 200)
    })

    it('a revoked key takes its entries with it', async () => {
      const k = await newKey('gone')
      await addAcl(k, '127.0.0.0', 8)
      assert.equal((await s.req('DELETE', `/api-keys/${k.id}`)).status, 204)
      assert.equal((await s.req('GET', `/api-keys/${k.id}/acls`)).status, 404)
      const r = await s.req('GET', '/identity', { auth: k.secret })
      assert.equal(r.status, 401)
    })
  })
})
