import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

const LIST_FIELDS = ['admin', 'external_id', 'id', 'licensing_enabled', 'name', 'resource_type', 'skin_names']
const SHOW_FIELDS = [...LIST_FIELDS, 'external_metadata', 'resource_usage'].sort()
const CREATE_FIELDS = [...LIST_FIELDS, 'resource_usage'].sort()
const PROVIDER_FIELDS = ['cse_syntax', 'disambiguation', 'discoverable', 'id', 'name', 'required_credentials', 'resource_type', 'standalone_incompatible']
const PASSWORD = 'a-long-enough-password'

const keys = (o: object) => Object.keys(o).sort()

eachDialect('/v3/admin customers', (dialect) => {
  let s: TestServer
  /** A reseller under the master organisation, with a customer of its own, and their admins. */
  let reseller: string
  let sub: string
  let sibling: string
  const resellerAdmin: [string, string] = ['reseller-admin', PASSWORD]
  const subAdmin: [string, string] = ['sub-admin', PASSWORD]
  const resellerReader: [string, string] = ['reseller-reader', PASSWORD]

  async function org(parent: string, body: Record<string, unknown>, auth?: [string, string]): Promise<string> {
    const r = await s.req('POST', `/orgs/${parent}/customers`, { body, auth })
    assert.equal(r.status, 201, r.text)
    return r.body.id as string
  }
  async function user(orgId: string, [username, password]: [string, string], role = 'admin'): Promise<void> {
    const r = await s.req('POST', `/orgs/${orgId}/members`, { body: { username, password, role } })
    assert.equal(r.status, 201, r.text)
  }

  before(async () => {
    s = await startServer(dialect)
    reseller = await org(s.masterId, { name: 'Reseller One', isReseller: true })
    sibling = await org(s.masterId, { name: 'Sibling Customer' })
    sub = await org(reseller, { name: 'Sub Customer', isReseller: true })
    await user(reseller, resellerAdmin)
    await user(reseller, resellerReader, 'readonly')
    await user(sub, subAdmin)
  })
  after(() => s.close())

  describe('GET /v3/admin/customers', () => {
    it("answers the caller's own organisation first with admin: true, then its direct customers", async () => {
      const r = await s.req('GET', '/v3/admin/customers')
      assert.equal(r.status, 200, r.text)
      assert.ok(Array.isArray(r.body))
      const [first, ...rest] = r.body
      assert.equal(first.id, s.masterId)
      assert.equal(first.admin, true)
      assert.equal(first.name, 'Master Organisation')
      assert.deepEqual(rest.map((c: any) => c.name), ['Reseller One', 'Sibling Customer'])
      for (const c of rest) assert.equal(c.admin, false)
      for (const c of r.body) {
        assert.deepEqual(keys(c), LIST_FIELDS)
        assert.equal(c.resource_type, 'customer')
        assert.equal(typeof c.external_id, 'string')
        assert.equal(typeof c.licensing_enabled, 'boolean')
        assert.ok(Array.isArray(c.skin_names))
      }
    })

    it("shows a reseller's user only its own organisation and its own customers", async () => {
      const r = await s.req('GET', '/v3/admin/customers', { auth: resellerAdmin })
      assert.equal(r.status, 200, r.text)
      assert.deepEqual(
        r.body.map((c: any) => [c.id, c.admin]),
        [
          [reseller, true],
          [sub, false],
        ],
      )
    })

    it("shows a sub-customer's user only itself: not its parent nor its parent's other customers", async () => {
      const r = await s.req('GET', '/v3/admin/customers', { auth: subAdmin })
      assert.equal(r.status, 200, r.text)
      assert.deepEqual(r.body.map((c: any) => [c.id, c.admin]), [[sub, true]])
    })

    it('refuses a call without credentials with 401 problem+json', async () => {
      const r = await s.req('GET', '/v3/admin/customers', { auth: null })
      assert.equal(r.status, 401)
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/)
      assert.equal(r.body.code, 'unauthenticated')
    })
  })

  describe('POST /v3/admin/customers', () => {
    it('creates a customer with every input of the seed and answers 201 with it', async () => {
      const body = { name: 'Acme Corp', skin_names: ['acme', 'default'], external_id: 'hub-42', licensing_enabled: true }
      const r = await s.req('POST', '/v3/admin/customers', { body })
      assert.equal(r.status, 201, r.text)
      assert.deepEqual(keys(r.body), CREATE_FIELDS)
      assert.match(r.body.id, /^[0-9a-f-]{36}$/)
      assert.deepEqual(
        { ...r.body, id: undefined },
        { id: undefined, name: 'Acme Corp', external_id: 'hub-42', licensing_enabled: true, admin: false, skin_names: ['acme', 'default'], resource_usage: {}, resource_type: 'customer' },
      )
      assert.equal(r.headers.get('location'), `/v3/admin/customers/${r.body.id}`)
      // The customer is the caller's: the native face sees it under the master organisation.
      const native = await s.req('GET', `/orgs/${r.body.id}`)
      assert.equal(native.body.parentId, s.masterId)
      const list = await s.req('GET', '/v3/admin/customers')
      assert.ok(list.body.some((c: any) => c.id === r.body.id && c.admin === false))
    })

    it('creates with the name alone, the other fields taking their defaults', async () => {
      const r = await s.req('POST', '/v3/admin/customers', { body: { name: 'Bare Name' } })
      assert.equal(r.status, 201, r.text)
      assert.equal(r.body.external_id, '')
      assert.equal(r.body.licensing_enabled, false)
      assert.deepEqual(r.body.skin_names, [])
      assert.deepEqual(r.body.resource_usage, {})
    })

    it("creates under the caller's own organisation when a reseller calls", async () => {
      const r = await s.req('POST', '/v3/admin/customers', { body: { name: 'Reseller Child' }, auth: resellerAdmin })
      assert.equal(r.status, 201, r.text)
      assert.equal((await s.req('GET', `/orgs/${r.body.id}`)).body.parentId, reseller)
    })

    const bad: [string, unknown, RegExp][] = [
      ['an unknown field', { name: 'X1', colour: 'red' }, /^unknown field in body \(accepted: name, skin_names, external_id, licensing_enabled\)$/],
      ['a camelCase field of the native API', { name: 'X2', externalId: 'e' }, /^unknown field in body \(accepted: [a-z_, ]+\)$/],
      ['external_metadata, which create does not take', { name: 'X3', external_metadata: {} }, /^unknown field in body \(accepted: name, skin_names, external_id, licensing_enabled\)$/],
      ['no name', { external_id: 'e' }, /name is required/],
      ['an empty name', { name: '' }, /name/],
      ['a name of the wrong type', { name: 7 }, /name/],
      ['skin_names that are not strings', { name: 'X4', skin_names: [1] }, /skin_names/],
      ['licensing_enabled as text', { name: 'X5', licensing_enabled: 'yes' }, /licensing_enabled/],
    ]
    for (const [what, body, detail] of bad) {
      it(`refuses ${what} with 400 and creates nothing`, async () => {
        const before = (await s.req('GET', '/v3/admin/customers')).body.length
        const r = await s.req('POST', '/v3/admin/customers', { body })
        assert.equal(r.status, 400, r.text)
        assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/)
        assert.equal(r.body.code, 'invalid_argument')
        assert.match(r.body.detail, detail)
        assert.equal((await s.req('GET', '/v3/admin/customers')).body.length, before)
      })
    }

    it('refuses a body that is not JSON with 400', async () => {
      const r = await s.req('POST', '/v3/admin/customers', { raw: '{"name":', headers: { 'content-type': 'application/json' } })
      assert.equal(r.status, 400)
    })

    it('refuses a name already used by a sibling with 409', async () => {
      const r = await s.req('POST', '/v3/admin/customers', { body: { name: 'Sibling Customer' } })
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.code, 'already_exists')
    })

    it('refuses a caller whose role may not create customers with 403', async () => {
      const r = await s.req('POST', '/v3/admin/customers', { body: { name: 'Nope' }, auth: resellerReader })
      assert.equal(r.status, 403, r.text)
      assert.equal(r.body.code, 'forbidden')
    })
  })

  describe('GET /v3/admin/customers/:id', () => {
    it('shows a customer with every field of the seed', async () => {
      const c = await s.req('POST', '/v3/admin/customers', { body: { name: 'Shown Co', external_id: 'ext-1', skin_names: ['s1'] } })
      const r = await s.req('GET', `/v3/admin/customers/${c.body.id}`)
      assert.equal(r.status, 200, r.text)
      assert.deepEqual(keys(r.body), SHOW_FIELDS)
      assert.deepEqual(r.body, {
        id: c.body.id,
        name: 'Shown Co',
        external_id: 'ext-1',
        external_metadata: {},
        licensing_enabled: false,
        admin: false,
        skin_names: ['s1'],
        resource_usage: {},
        resource_type: 'customer',
      })
    })

    it("shows the caller's own organisation with admin: true", async () => {
      const r = await s.req('GET', `/v3/admin/customers/${reseller}`, { auth: resellerAdmin })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.admin, true)
      const m = await s.req('GET', `/v3/admin/customers/${reseller}`)
      assert.equal(m.body.admin, false)
    })

    it("shows a customer's customer to an ancestor", async () => {
      const r = await s.req('GET', `/v3/admin/customers/${sub}`)
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.name, 'Sub Customer')
    })

    it('answers 404 for an organisation outside the subtree, exactly like one that does not exist', async () => {
      for (const id of [s.masterId, sibling, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const r = await s.req('GET', `/v3/admin/customers/${id}`, { auth: resellerAdmin })
        assert.equal(r.status, 404, `${id}: ${r.text}`)
        assert.equal(r.body.code, 'not_found')
        assert.equal(r.body.detail, 'organisation not found')
      }
    })

    it("keeps a sub-customer's user from its parent and its parent's other customers", async () => {
      const other = await org(reseller, { name: 'Sub Sibling' })
      for (const id of [reseller, other, s.masterId, sibling]) {
        for (const [method, body] of [['GET', undefined], ['PUT', { name: 'Taken Over' }], ['DELETE', undefined]] as const) {
          const r = await s.req(method, `/v3/admin/customers/${id}`, { auth: subAdmin, body })
          assert.equal(r.status, 404, `${method} ${id}: ${r.text}`)
        }
        const p = await s.req('GET', `/v3/admin/customers/${id}/cloud_providers`, { auth: subAdmin })
        assert.equal(p.status, 404)
      }
      assert.equal((await s.req('GET', `/v3/admin/customers/${other}`)).body.name, 'Sub Sibling')
    })
  })

  describe('PUT /v3/admin/customers/:id', () => {
    it('updates every field the seed names and answers 200 with the customer', async () => {
      const c = await s.req('POST', '/v3/admin/customers', { body: { name: 'Before Co' } })
      const body = {
        name: 'After Co',
        external_id: 'hub-7',
        external_metadata: { hub: 'eu-1', nested: { a: [1, 2] } },
        licensing_enabled: true,
        skin_names: ['blue', 'green'],
      }
      const r = await s.req('PUT', `/v3/admin/customers/${c.body.id}`, { body })
      assert.equal(r.status, 200, r.text)
      assert.deepEqual(keys(r.body), SHOW_FIELDS)
      assert.deepEqual(r.body, { id: c.body.id, ...body, admin: false, resource_usage: {}, resource_type: 'customer' })
      assert.deepEqual((await s.req('GET', `/v3/admin/customers/${c.body.id}`)).body, r.body)
    })

    it('changes only the fields given', async () => {
      const c = await s.req('POST', '/v3/admin/customers', { body: { name: 'Partial Co', external_id: 'keep', skin_names: ['k'] } })
      const r = await s.req('PUT', `/v3/admin/customers/${c.body.id}`, { body: { licensing_enabled: true } })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.name, 'Partial Co')
      assert.equal(r.body.external_id, 'keep')
      assert.deepEqual(r.body.skin_names, ['k'])
      assert.equal(r.body.licensing_enabled, true)
    })

    it('lets an organisation update itself (admin: true)', async () => {
      const r = await s.req('PUT', `/v3/admin/customers/${sub}`, { body: { skin_names: ['sub-skin'] }, auth: subAdmin })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.admin, true)
      assert.deepEqual(r.body.skin_names, ['sub-skin'])
    })

    it('refuses unknown fields and fields of the wrong type with 400, changing nothing', async () => {
      for (const body of [{ name: 'Z', status: 'suspended' }, { isReseller: true }, { external_metadata: 'text' }, { name: null }]) {
        const r = await s.req('PUT', `/v3/admin/customers/${sibling}`, { body })
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`)
        assert.equal(r.body.code, 'invalid_argument')
      }
      assert.equal((await s.req('GET', `/v3/admin/customers/${sibling}`)).body.name, 'Sibling Customer')
    })

    it('refuses a name a sibling has with 409', async () => {
      const r = await s.req('PUT', `/v3/admin/customers/${sibling}`, { body: { name: 'Reseller One' } })
      assert.equal(r.status, 409, r.text)
    })

    it('refuses a caller whose role may not write with 403, even with nothing to change', async () => {
      const before = (await s.req('GET', `/orgs/${sub}`)).body.version
      for (const body of [{ name: 'Renamed' }, {}]) {
        const r = await s.req('PUT', `/v3/admin/customers/${sub}`, { body, auth: resellerReader })
        assert.equal(r.status, 403, `${JSON.stringify(body)}: ${r.text}`)
      }
      assert.equal((await s.req('GET', `/orgs/${sub}`)).body.version, before)
    })
  })

  describe('DELETE /v3/admin/customers/:id', () => {
    it('deletes a customer with all its resources, its own customers included, and answers 204', async () => {
      const parent = await org(s.masterId, { name: 'Doomed Reseller', isReseller: true })
      const child = await org(parent, { name: 'Doomed Child' })
      const p = await s.req('POST', '/cloud-providers', { body: { name: 'Doomed Cloud' } })
      assert.equal(p.status, 201, p.text)
      assert.equal((await s.req('POST', `/orgs/${parent}/cloud-providers`, { body: { providerId: p.body.id } })).status, 201)
      assert.equal((await s.req('POST', `/orgs/${child}/cloud-providers`, { body: { providerId: p.body.id } })).status, 201)
      const acct = await s.req('POST', `/orgs/${child}/cloud-accounts`, { body: { providerId: p.body.id, name: 'main', servers: 3 } })
      assert.equal(acct.status, 201, acct.text)
      await user(child, ['doomed-user', PASSWORD])

      const r = await s.req('DELETE', `/v3/admin/customers/${parent}`)
      assert.equal(r.status, 204, r.text)
      assert.equal(r.text, '')

      for (const id of [parent, child]) {
        assert.equal((await s.req('GET', `/v3/admin/customers/${id}`)).status, 404)
        assert.equal((await s.req('GET', `/orgs/${id}`)).body.status, 'deleted')
      }
      const list = (await s.req('GET', '/v3/admin/customers')).body.map((c: any) => c.id)
      assert.ok(!list.includes(parent))
      // Its users are gone with it, and so are its cloud accounts: the provider is free to go.
      assert.equal((await s.req('GET', '/v3/admin/customers', { auth: ['doomed-user', PASSWORD] })).status, 401)
      assert.equal((await s.req('DELETE', `/cloud-providers/${p.body.id}`)).status, 204)
      assert.equal((await s.req('DELETE', `/v3/admin/customers/${parent}`)).status, 404)
    })

    it("refuses to delete the caller's own organisation with 403", async () => {
      const r = await s.req('DELETE', `/v3/admin/customers/${reseller}`, { auth: resellerAdmin })
      assert.equal(r.status, 403, r.text)
      assert.equal((await s.req('GET', `/v3/admin/customers/${reseller}`)).status, 200)
    })

    it('refuses a caller whose role may not delete with 403', async () => {
      const r = await s.req('DELETE', `/v3/admin/customers/${sub}`, { auth: resellerReader })
      assert.equal(r.status, 403, r.text)
    })
  })

  describe('GET /v3/admin/customers/:customer_id/cloud_providers', () => {
    it('lists the providers allowed to the customer with every field of the seed', async () => {
      const body = {
        name: 'Seed Cloud',
        disambiguation: 'Frankfurt',
        requiredCredentials: ['api_key', 'api_secret'],
        discoverable: true,
        cseSyntax: 'cse-v2',
        standaloneIncompatible: true,
      }
      const p = await s.req('POST', '/cloud-providers', { body })
      assert.equal(p.status, 201, p.text)
      const none = await s.req('GET', `/v3/admin/customers/${sibling}/cloud_providers`)
      assert.equal(none.status, 200, none.text)
      assert.deepEqual(none.body, [])
      assert.equal((await s.req('POST', `/orgs/${sibling}/cloud-providers`, { body: { providerId: p.body.id } })).status, 201)
      const r = await s.req('GET', `/v3/admin/customers/${sibling}/cloud_providers`)
      assert.equal(r.status, 200)
      assert.equal(r.body.length, 1)
      assert.deepEqual(keys(r.body[0]), PROVIDER_FIELDS)
      assert.deepEqual(r.body[0], {
        id: p.body.id,
        name: 'Seed Cloud',
        disambiguation: 'Frankfurt',
        required_credentials: ['api_key', 'api_secret'],
        discoverable: true,
        cse_syntax: 'cse-v2',
        standalone_incompatible: true,
        resource_type: 'cloud_provider',
      })
      // The master organisation has every provider.
      const all = await s.req('GET', `/v3/admin/customers/${s.masterId}/cloud_providers`)
      assert.ok(all.body.some((x: any) => x.id === p.body.id))
    })

    it('answers 404 for a customer outside the subtree', async () => {
      const r = await s.req('GET', `/v3/admin/customers/${sibling}/cloud_providers`, { auth: resellerAdmin })
      assert.equal(r.status, 404)
    })
  })

  it('documents the face in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    for (const path of ['/v3/admin/customers', '/v3/admin/customers/{id}', '/v3/admin/customers/{customer_id}/cloud_providers']) {
      assert.ok(doc.paths[path], path)
    }
    assert.ok(doc.paths['/v3/admin/customers'].post.responses['400'])
    assert.deepEqual(doc.paths['/v3/admin/customers/{id}'].put.tags, ['admin-v3'])
    for (const op of [doc.paths['/v3/admin/customers'].post, doc.paths['/v3/admin/customers/{id}'].put]) {
      assert.equal(op.requestBody.content['application/json'].schema.additionalProperties, false)
    }
  })
})
