import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, startServerOn, type TestServer } from '../../helpers/harness.js'

eachDialect('/orgs face', (dialect) => {
  let s: TestServer
  const mk = async (parent: string, body: Record<string, unknown>, auth?: [string, string] | string) => {
    const r = await s.req('POST', `/orgs/${parent}/customers`, { body, ...(auth ? { auth } : {}) })
    assert.equal(r.status, 201, r.text)
    return r.body.id as string
  }
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  describe('create', () => {
    it('answers 201 {id} with a UUID and a Location', async () => {
      const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Create Test One' } })
      assert.equal(r.status, 201)
      assert.match(r.body.id, /^[0-9a-f-]{36}$/)
      assert.deepEqual(Object.keys(r.body), ['id'])
      assert.equal(r.headers.get('location'), `/orgs/${r.body.id}`)
    })

    it('stores every field given in camelCase and answers them back', async () => {
      const body = {
        name: 'Field Keeper',
        description: 'desc',
        address: '1 Road',
        city: 'Ghent',
        country: 'BE',
        contactName: 'Ann',
        contactEmail: 'ann@example.com',
        primaryDomain: 'Example.COM',
        billingId: 'B-1',
        externalId: 'ext-1',
        externalMetadata: { hub: 'h1', n: 2 },
        licensingEnabled: true,
        skinNames: ['b', 'a'],
        locale: 'nl-BE',
        code: 'fk9',
      }
      const id = await mk(s.masterId, body)
      const g = (await s.req('GET', `/orgs/${id}`)).body
      for (const [k, v] of Object.entries(body)) {
        const want = k === 'primaryDomain' ? 'example.com' : k === 'code' ? 'FK9' : v
        assert.deepEqual(g[k], want, k)
      }
      assert.equal(g.status, 'active')
      assert.equal(g.parentId, s.masterId)
      assert.equal(g.isReseller, false)
      assert.equal(g.subscriptionsCount, 0)
      assert.equal(g.websitesCount, 0)
      assert.equal(typeof g.number, 'number')
      assert.ok(Date.parse(g.createdAt) > 0)
    })

    it('derives the code from the initials, with a numeric suffix on a clash', async () => {
      const a = await mk(s.masterId, { name: 'Basic API Customer' })
      const b = await mk(s.masterId, { name: 'Basic Api customer two' })
      const c = await mk(s.masterId, { name: 'Big Apple Company' })
      const codes = await Promise.all([a, b, c].map(async (id) => (await s.req('GET', `/orgs/${id}`)).body.code))
      assert.equal(codes[0], 'BAC')
      assert.equal(codes[1], 'BACT')
      assert.equal(codes[2], 'BAC1')
    })

    it('refuses a duplicate sibling name with 409, but allows it under another parent', async () => {
      const p = await mk(s.masterId, { name: 'Dup Parent', isReseller: true })
      await mk(s.masterId, { name: 'Twin' })
      const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Twin' } })
      assert.equal(r.status, 409)
      assert.equal(r.body.code, 'already_exists')
      await mk(p, { name: 'Twin' })
    })

    it('refuses a given code that is taken with 409', async () => {
      await mk(s.masterId, { name: 'Coded One', code: 'TAKEN' })
      const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Coded Two', code: 'taken' } })
      assert.equal(r.status, 409)
    })

    const bad: [string, unknown, string][] = [
      ['missing name', {}, 'name'],
      ['empty name', { name: '' }, 'name'],
      ['blank name', { name: '   ' }, 'name'],
      ['name too long', { name: 'x'.repeat(201) }, 'name'],
      // The unknown name is not repeated (it may be a secret); the object holding it is named.
      ['unknown field', { name: 'U', colour: 'red' }, 'body'],
      ['wrong type', { name: 'U', licensingEnabled: 'yes' }, 'licensingEnabled'],
      ['bad email', { name: 'U', contactEmail: 'not-an-email' }, 'contactEmail'],
      ['bad domain', { name: 'U', primaryDomain: 'bad domain' }, 'primaryDomain'],
      ['bad code', { name: 'U', code: 'no spaces' }, 'code'],
      ['skin names not strings', { name: 'U', skinNames: [1] }, 'skinNames'],
      ['metadata not object', { name: 'U', externalMetadata: [1] }, 'externalMetadata'],
      ['status deleted', { name: 'U', status: 'deleted' }, 'status'],
    ]
    for (const [what, body, field] of bad) {
      it(`answers 400 for ${what}, naming the field, and creates nothing`, async () => {
        const before = (await s.req('GET', `/orgs/${s.masterId}/customers?limit=1`)).body.total
        const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body })
        assert.equal(r.status, 400, r.text)
        assert.equal(r.body.code, 'invalid_argument')
        assert.match(r.body.detail, new RegExp(field))
        assert.equal((await s.req('GET', `/orgs/${s.masterId}/customers?limit=1`)).body.total, before)
      })
    }

    it('answers a limit above 1000 as 1000 items (seed 003 sets no maximum), on every /orgs listing', async () => {
      const paths = [`/orgs/${s.masterId}/customers`, `/orgs/${s.masterId}/plans`, `/orgs/${s.masterId}/members`, `/orgs/${s.masterId}/subscriptions`]
      for (const path of paths) {
        for (const limit of [1001, 1000000]) {
          const r = await s.req('GET', `${path}?limit=${limit}`)
          assert.equal(r.status, 200, `${path}?limit=${limit}: ${r.text.slice(0, 200)}`)
        }
      }
      for (let i = 0; i < 3; i++) await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: `Clamp ${i}` } })
      const page = await s.req('GET', `/orgs/${s.masterId}/customers?limit=5000`)
      assert.equal(page.body.items.length, Math.min(1000, page.body.total))
      assert.equal((await s.req('GET', `/orgs/${s.masterId}/customers?limit=0`)).status, 400)
    })

    it('answers 400 for malformed JSON, 415 for a wrong content type, 413 for a huge body', async () => {
      const m = await s.req('POST', `/orgs/${s.masterId}/customers`, { raw: '{"name": ', headers: { 'content-type': 'application/json' } })
      assert.equal(m.status, 400)
      assert.equal(m.body.code, 'invalid_argument')
      // The error names the place, never the text: a mistyped body may hold a password.
      const leak = await s.req('POST', '/api-keys', { raw: 'password=secret-in-a-bad-body', headers: { 'content-type': 'application/json' } })
      assert.equal(leak.status, 400)
      assert.match(leak.body.detail, /^malformed JSON( at position \d+)?$/)
      assert.equal(leak.text.includes('secret-in'), false)
      const t = await s.req('POST', `/orgs/${s.masterId}/customers`, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      assert.equal(t.status, 415)
      assert.equal(t.body.code, 'unsupported_media_type')
      const h = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'x', description: 'y'.repeat(2 * 1024 * 1024) } })
      assert.equal(h.status, 413)
      assert.equal(h.body.code, 'payload_too_large')
    })

    it('answers 404 for an unknown or malformed parent id', async () => {
      assert.equal((await s.req('POST', `/orgs/00000000-0000-4000-8000-000000000000/customers`, { body: { name: 'x' } })).status, 404)
      assert.equal((await s.req('POST', `/orgs/not-a-uuid/customers`, { body: { name: 'x' } })).status, 404)
    })

    it('refuses customers under an organisation that is not a reseller (403)', async () => {
      const leaf = await mk(s.masterId, { name: 'Leaf Org' })
      const r = await s.req('POST', `/orgs/${leaf}/customers`, { body: { name: 'Under leaf' } })
      assert.equal(r.status, 403)
    })
  })

  describe('listing', () => {
    let root: string
    const kids: string[] = []
    before(async () => {
      root = await mk(s.masterId, { name: 'List Root', isReseller: true })
      for (const n of ['Charlie', 'alpha', 'Bravo', 'Delta']) kids.push(await mk(root, { name: n, isReseller: true }))
      await mk(kids[0]!, { name: 'Grandchild One', isReseller: true })
      const g2 = await mk(kids[0]!, { name: 'Grandchild Two', isReseller: true })
      await mk(g2, { name: 'Great Grandchild' })
      await s.req('PATCH', `/orgs/${kids[3]}`, { body: { isSuspended: true } })
    })

    it('lists direct customers with total, default order by name', async () => {
      const r = await s.req('GET', `/orgs/${root}/customers`)
      assert.equal(r.status, 200)
      assert.equal(r.body.total, 4)
      assert.deepEqual(r.body.items.map((o: any) => o.name), ['Bravo', 'Charlie', 'Delta', 'alpha'])
    })

    it('recurses, bounded by maxDepth in either spelling', async () => {
      assert.equal((await s.req('GET', `/orgs/${root}/customers?recursive=true`)).body.total, 7)
      assert.equal((await s.req('GET', `/orgs/${root}/customers?recursive=true&maxDepth=2`)).body.total, 6)
      assert.equal((await s.req('GET', `/orgs/${root}/customers?recursive=true&max_depth=1`)).body.total, 4)
      const all = (await s.req('GET', `/orgs/${root}/customers?recursive=true&limit=100`)).body
      assert.equal(all.items.length, 7)
      assert.ok(all.items.some((o: any) => o.name === 'Great Grandchild'))
    })

    it('pages with offset and limit; total counts the whole result', async () => {
      const p1 = (await s.req('GET', `/orgs/${root}/customers?recursive=true&limit=3&offset=0`)).body
      const p2 = (await s.req('GET', `/orgs/${root}/customers?recursive=true&limit=3&offset=3`)).body
      const p3 = (await s.req('GET', `/orgs/${root}/customers?recursive=true&limit=3&offset=6`)).body
      assert.equal(p1.total, 7)
      assert.equal(p2.total, 7)
      const names = [...p1.items, ...p2.items, ...p3.items].map((o: any) => o.name)
      assert.equal(names.length, 7)
      assert.equal(new Set(names).size, 7)
      assert.deepEqual(names, [...names].sort())
    })

    it('sorts by each key in both spellings and both orders', async () => {
      const desc = (await s.req('GET', `/orgs/${root}/customers?sort_by=name&sort_order=desc`)).body.items.map((o: any) => o.name)
      assert.deepEqual(desc, ['alpha', 'Delta', 'Charlie', 'Bravo'])
      const created = (await s.req('GET', `/orgs/${root}/customers?sortBy=createdAt`)).body.items.map((o: any) => o.id)
      assert.deepEqual(created, kids)
      for (const k of ['id', 'status', 'subscriptionsCount', 'websitesCount']) {
        const r = await s.req('GET', `/orgs/${root}/customers?sortBy=${k}`)
        assert.equal(r.status, 200, k)
        assert.equal(r.body.total, 4)
      }
      const ids = (await s.req('GET', `/orgs/${root}/customers?sortBy=id`)).body.items.map((o: any) => o.id)
      assert.deepEqual(ids, [...ids].sort())
    })

    it('answers 400 for an unknown sort key, a bad order, a negative offset, an unknown parameter', async () => {
      for (const q of ['sortBy=colour', 'sortOrder=up', 'offset=-1', 'limit=0', 'colour=red', 'maxDepth=0', 'sortBy=name&sort_by=id']) {
        const r = await s.req('GET', `/orgs/${root}/customers?${q}`)
        assert.equal(r.status, 400, q)
        assert.equal(r.body.code, 'invalid_argument')
      }
    })

    it('filters by status in seed 003 words', async () => {
      const sus = (await s.req('GET', `/orgs/${root}/customers?status=suspended`)).body
      assert.equal(sus.total, 1)
      assert.equal(sus.items[0].name, 'Delta')
      // Seed 003's document answers a suspension as status active with isSuspended.
      assert.deepEqual([sus.items[0].status, sus.items[0].isSuspended, sus.items[0].lifecycleStatus], ['active', true, 'suspended'])
      assert.equal((await s.req('GET', `/orgs/${root}/customers?status=active`)).body.total, 3)
      assert.equal((await s.req('GET', `/orgs/${root}/customers?status=deleted`)).body.total, 0)
    })

    it('answers an empty listing (200) for an organisation that is not a reseller', async () => {
      const leaf = await mk(root, { name: 'Plain leaf' })
      const r = await s.req('GET', `/orgs/${leaf}/customers`)
      assert.equal(r.status, 200)
      assert.deepEqual(r.body, { items: [], total: 0 })
    })
  })

  describe('tenancy', () => {
    let resA: string
    let resB: string
    let childA: string
    before(async () => {
      resA = await mk(s.masterId, { name: 'Tenant A', isReseller: true })
      resB = await mk(s.masterId, { name: 'Tenant B', isReseller: true })
      childA = await mk(resA, { name: 'Child of A' })
      for (const [org, user, role] of [
        [resA, 'owner-a', 'owner'],
        [resB, 'owner-b', 'owner'],
        [childA, 'member-ca', 'member'],
        [resA, 'readonly-a', 'readonly'],
      ] as const) {
        const r = await s.req('POST', `/orgs/${org}/members`, { body: { username: user, password: 'password-123', role } })
        assert.equal(r.status, 201, r.text)
      }
    })

    it('a reseller sees its subtree and gets 404 for anything else, as for a nonexistent id', async () => {
      const a: [string, string] = ['owner-a', 'password-123']
      assert.equal((await s.req('GET', `/orgs/${resA}`, { auth: a })).status, 200)
      assert.equal((await s.req('GET', `/orgs/${childA}`, { auth: a })).status, 200)
      const sibling = await s.req('GET', `/orgs/${resB}`, { auth: a })
      const parent = await s.req('GET', `/orgs/${s.masterId}`, { auth: a })
      const none = await s.req('GET', `/orgs/00000000-0000-4000-8000-000000000000`, { auth: a })
      assert.equal(sibling.status, 404)
      assert.equal(parent.status, 404)
      assert.deepEqual(sibling.body, none.body)
      assert.equal((await s.req('GET', `/orgs/${s.masterId}/customers`, { auth: a })).status, 404)
      assert.equal((await s.req('POST', `/orgs/${resB}/customers`, { body: { name: 'x' }, auth: a })).status, 404)
    })

    it("a customer's user never sees a sibling or its parent", async () => {
      const m: [string, string] = ['member-ca', 'password-123']
      assert.equal((await s.req('GET', `/orgs/${childA}`, { auth: m })).status, 200)
      assert.equal((await s.req('GET', `/orgs/${resA}`, { auth: m })).status, 404)
      assert.equal((await s.req('GET', `/orgs/${resA}/customers`, { auth: m })).status, 404)
    })

    it('answers 403 for an action the role forbids inside the subtree', async () => {
      const ro: [string, string] = ['readonly-a', 'password-123']
      assert.equal((await s.req('GET', `/orgs/${childA}`, { auth: ro })).status, 200)
      const r = await s.req('POST', `/orgs/${resA}/customers`, { body: { name: 'nope' }, auth: ro })
      assert.equal(r.status, 403)
      assert.equal(r.body.code, 'forbidden')
      assert.equal((await s.req('PATCH', `/orgs/${childA}`, { body: { city: 'x' }, auth: ro })).status, 403)
    })

    it('a customer cannot unsuspend or delete itself; only a parent can', async () => {
      const a: [string, string] = ['owner-a', 'password-123']
      assert.equal((await s.req('PATCH', `/orgs/${resA}`, { body: { isSuspended: true }, auth: a })).status, 403)
      assert.equal((await s.req('DELETE', `/orgs/${resA}`, { auth: a })).status, 403)
      assert.equal((await s.req('PATCH', `/orgs/${childA}`, { body: { isSuspended: true }, auth: a })).status, 204)
      assert.equal((await s.req('GET', `/orgs/${childA}`)).body.isSuspended, true)
      assert.equal((await s.req('GET', `/orgs/${childA}`)).body.lifecycleStatus, 'suspended')
      assert.equal((await s.req('PATCH', `/orgs/${childA}`, { body: { isSuspended: false }, auth: a })).status, 204)
      assert.equal((await s.req('GET', `/orgs/${childA}`)).body.isSuspended, false)
      assert.equal((await s.req('GET', `/orgs/${childA}`)).body.lifecycleStatus, 'active')
    })

    it('only the master organisation sets isReseller', async () => {
      const a: [string, string] = ['owner-a', 'password-123']
      assert.equal((await s.req('PATCH', `/orgs/${childA}`, { body: { isReseller: true }, auth: a })).status, 403)
      assert.equal((await s.req('POST', `/orgs/${resA}/customers`, { body: { name: 'R', isReseller: true }, auth: a })).status, 403)
      assert.equal((await s.req('PATCH', `/orgs/${childA}`, { body: { isReseller: true } })).status, 204)
      assert.equal((await s.req('GET', `/orgs/${childA}`)).body.isReseller, true)
    })
  })

  describe('update and optimistic concurrency', () => {
    it('answers an ETag, applies If-Match, and refuses a stale version with 412', async () => {
      const id = await mk(s.masterId, { name: 'Versioned' })
      const g = await s.req('GET', `/orgs/${id}`)
      const tag = g.headers.get('etag')!
      const p1 = await s.req('PATCH', `/orgs/${id}`, { body: { city: 'Lyon' }, headers: { 'if-match': tag } })
      assert.equal(p1.status, 204)
      assert.equal(p1.headers.get('etag'), '"2"')
      const p2 = await s.req('PATCH', `/orgs/${id}`, { body: { city: 'Nice' }, headers: { 'if-match': tag } })
      assert.equal(p2.status, 412)
      assert.equal(p2.body.code, 'version_mismatch')
      assert.equal((await s.req('GET', `/orgs/${id}`)).body.city, 'Lyon')
      assert.equal((await s.req('DELETE', `/orgs/${id}`, { headers: { 'if-match': tag } })).status, 412)
    })

    it('renames, refusing a sibling clash with 409', async () => {
      const a = await mk(s.masterId, { name: 'Rename A' })
      await mk(s.masterId, { name: 'Rename B' })
      assert.equal((await s.req('PATCH', `/orgs/${a}`, { body: { name: 'Rename B' } })).status, 409)
      assert.equal((await s.req('PATCH', `/orgs/${a}`, { body: { name: 'Rename C' } })).status, 204)
      assert.equal((await s.req('GET', `/orgs/${a}`)).body.name, 'Rename C')
    })

    it('rejects unknown fields and bad values with 400, changing nothing', async () => {
      const a = await mk(s.masterId, { name: 'Patch Bad' })
      assert.equal((await s.req('PATCH', `/orgs/${a}`, { body: { nope: 1 } })).status, 400)
      assert.equal((await s.req('PATCH', `/orgs/${a}`, { body: { city: 5 } })).status, 400)
      assert.equal((await s.req('PATCH', `/orgs/${a}`, { body: { status: 'frozen' } })).status, 400)
      assert.equal((await s.req('GET', `/orgs/${a}`)).body.version, 1)
    })
  })

  describe('delete', () => {
    it('deletes an organisation with its live customers, as seed 003 does; cascade=false refuses', async () => {
      const p = await mk(s.masterId, { name: 'Del Parent', isReseller: true })
      const c = await mk(p, { name: 'Del Child', isReseller: true })
      const g = await mk(c, { name: 'Del Grandchild' })
      const r = await s.req('DELETE', `/orgs/${p}?cascade=false`)
      assert.equal(r.status, 409)
      assert.equal(r.body.code, 'failed_precondition')
      assert.equal((await s.req('GET', `/orgs/${p}`)).body.status, 'active')
      assert.equal((await s.req('DELETE', `/orgs/${p}?force=false`)).status, 204)
      for (const id of [p, c, g]) assert.equal((await s.req('GET', `/orgs/${id}`)).body.status, 'deleted')
      const del = (await s.req('GET', `/orgs/${s.masterId}/customers?status=deleted&recursive=true&limit=1000`)).body
      assert.ok([p, c, g].every((id) => del.items.some((o: any) => o.id === id)))
      // The name is free again among the siblings.
      await mk(s.masterId, { name: 'Del Parent' })
      assert.equal((await s.req('DELETE', `/orgs/${p}`)).status, 404)
    })

    it("deletes with seed 003's PATCH status: deleted, customers included, and nothing else in the same change", async () => {
      const p = await mk(s.masterId, { name: 'Patch Del Parent', isReseller: true })
      const c = await mk(p, { name: 'Patch Del Child' })
      assert.equal((await s.req('PATCH', `/orgs/${p}`, { body: { status: 'deleted', name: 'Renamed' } })).status, 400)
      assert.equal((await s.req('GET', `/orgs/${p}`)).body.name, 'Patch Del Parent')
      assert.equal((await s.req('PATCH', `/orgs/${p}`, { body: { status: 'deleted' } })).status, 204)
      for (const id of [p, c]) assert.equal((await s.req('GET', `/orgs/${id}`)).body.status, 'deleted')
    })

    it("deleting an organisation ends its users' access", async () => {
      const p = await mk(s.masterId, { name: 'Del Users' })
      assert.equal((await s.req('POST', `/orgs/${p}/members`, { body: { username: 'gone-user', password: 'password-123' } })).status, 201)
      assert.equal((await s.req('GET', '/identity', { auth: ['gone-user', 'password-123'] })).status, 200)
      assert.equal((await s.req('DELETE', `/orgs/${p}`)).status, 204)
      assert.equal((await s.req('GET', '/identity', { auth: ['gone-user', 'password-123'] })).status, 401)
    })

    it('never deletes the master organisation', async () => {
      assert.equal((await s.req('DELETE', `/orgs/${s.masterId}`)).status, 403)
    })
  })

  describe('documents', () => {
    it('serves an OpenAPI 3.1 document without auth, with the routes and schemas', async () => {
      const r = await s.req('GET', '/openapi.json', { auth: null })
      assert.equal(r.status, 200)
      assert.equal(r.body.openapi, '3.1.0')
      assert.ok(r.body.paths['/orgs/{org_id}/customers'].get)
      assert.ok(r.body.paths['/orgs/{org_id}/customers'].post.requestBody)
      assert.ok(r.body.components.securitySchemes.bearerAuth)
      const docs = await s.req('GET', '/docs/', { auth: null })
      assert.equal(docs.status, 200)
    })
  })
})

eachDialect('reads see another process\'s writes at once', (dialect) => {
  let a: TestServer
  let b: TestServer
  before(async () => {
    a = await startServer(dialect)
    b = await startServerOn(a.location)
  })
  after(async () => {
    await b.close()
    await a.close()
  })

  it('a listing, a read and a key on one process follow writes made through another', async () => {
    const key = (await a.req('POST', '/api-keys', { body: { name: 'shared' } })).body.secret
    const r = (await a.req('POST', `/orgs/${a.masterId}/customers`, { body: { name: 'Seen Reseller', isReseller: true } })).body.id
    for (let i = 0; i < 3; i++) {
      assert.equal((await a.req('GET', `/orgs/${r}/customers`, { auth: key })).body.total, i)
      assert.equal((await b.req('POST', `/orgs/${r}/customers`, { body: { name: `seen ${i}` }, auth: key })).status, 201)
      assert.equal((await a.req('GET', `/orgs/${r}/customers`, { auth: key })).body.total, i + 1)
    }
    assert.equal((await a.req('GET', `/orgs/${r}`, { auth: key })).body.city, '')
    assert.equal((await b.req('PATCH', `/orgs/${r}`, { body: { city: 'Oslo' }, auth: key })).status, 204)
    assert.equal((await a.req('GET', `/orgs/${r}`, { auth: key })).body.city, 'Oslo')
    const keyId = key.slice(4, 20)
    assert.equal((await b.req('DELETE', `/api-keys/${keyId}`)).status, 204)
    assert.equal((await a.req('GET', `/orgs/${r}`, { auth: key })).status, 401)
  })
})
