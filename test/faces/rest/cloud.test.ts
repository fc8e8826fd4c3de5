import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

const PASSWORD = 'a-long-enough-password'
const PROVIDER_FIELDS = ['createdAt', 'cseSyntax', 'disambiguation', 'discoverable', 'id', 'name', 'requiredCredentials', 'standaloneIncompatible']
const ACCOUNT_FIELDS = ['createdAt', 'id', 'name', 'orgId', 'providerId', 'servers']

const keys = (o: object) => Object.keys(o).sort()

eachDialect('cloud providers and cloud accounts', (dialect) => {
  let s: TestServer
  let reseller: string
  let customer: string
  let other: string
  const masterReader: [string, string] = ['master-reader', PASSWORD]
  const resellerAdmin: [string, string] = ['cl-reseller-admin', PASSWORD]
  const resellerReader: [string, string] = ['cl-reseller-reader', PASSWORD]
  const customerAdmin: [string, string] = ['cl-customer-admin', PASSWORD]

  async function org(parent: string, body: Record<string, unknown>): Promise<string> {
    const r = await s.req('POST', `/orgs/${parent}/customers`, { body })
    assert.equal(r.status, 201, r.text)
    return r.body.id as string
  }
  async function user(orgId: string, [username, password]: [string, string], role = 'admin'): Promise<void> {
    const r = await s.req('POST', `/orgs/${orgId}/members`, { body: { username, password, role } })
    assert.equal(r.status, 201, r.text)
  }
  async function provider(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await s.req('POST', '/cloud-providers', { body: { name, ...extra } })
    assert.equal(r.status, 201, r.text)
    return r.body.id as string
  }
  async function allow(orgId: string, providerId: string, auth?: [string, string]) {
    return s.req('POST', `/orgs/${orgId}/cloud-providers`, { body: { providerId }, auth })
  }
  const allowedIds = async (orgId: string, auth?: [string, string]) =>
    (await s.req('GET', `/orgs/${orgId}/cloud-providers`, { auth })).body.items.map((p: any) => p.id)

  before(async () => {
    s = await startServer(dialect)
    reseller = await org(s.masterId, { name: 'Cloud Reseller', isReseller: true })
    customer = await org(reseller, { name: 'Cloud Customer', isReseller: true })
    other = await org(s.masterId, { name: 'Other Customer' })
    await user(s.masterId, masterReader, 'support')
    await user(reseller, resellerAdmin)
    await user(reseller, resellerReader, 'readonly')
    await user(customer, customerAdmin)
  })
  after(() => s.close())

  describe('the provider catalogue', () => {
    it('creates, lists, gets, changes and deletes a provider', async () => {
      const body = {
        name: 'Amazon Web Services',
        disambiguation: 'eu-west-1',
        requiredCredentials: ['access_key_id', 'secret_access_key'],
        discoverable: true,
        cseSyntax: 'aws',
        standaloneIncompatible: false,
      }
      const c = await s.req('POST', '/cloud-providers', { body })
      assert.equal(c.status, 201, c.text)
      assert.deepEqual(keys(c.body), PROVIDER_FIELDS)
      assert.deepEqual({ ...c.body, id: undefined, createdAt: undefined }, { ...body, id: undefined, createdAt: undefined })
      assert.equal(c.headers.get('location'), `/cloud-providers/${c.body.id}`)

      const g = await s.req('GET', `/cloud-providers/${c.body.id}`)
      assert.equal(g.status, 200)
      assert.deepEqual(g.body, c.body)

      const l = await s.req('GET', '/cloud-providers')
      assert.equal(l.status, 200)
      assert.equal(l.body.total, l.body.items.length)
      assert.ok(l.body.items.some((p: any) => p.id === c.body.id))

      const u = await s.req('PATCH', `/cloud-providers/${c.body.id}`, { body: { disambiguation: 'us-east-1', requiredCredentials: ['role_arn'], standaloneIncompatible: true } })
      assert.equal(u.status, 200, u.text)
      assert.equal(u.body.name, 'Amazon Web Services')
      assert.equal(u.body.disambiguation, 'us-east-1')
      assert.deepEqual(u.body.requiredCredentials, ['role_arn'])
      assert.equal(u.body.standaloneIncompatible, true)
      assert.equal(u.body.discoverable, true)
      assert.deepEqual((await s.req('GET', `/cloud-providers/${c.body.id}`)).body, u.body)

      assert.equal((await s.req('DELETE', `/cloud-providers/${c.body.id}`)).status, 204)
      assert.equal((await s.req('GET', `/cloud-providers/${c.body.id}`)).status, 404)
      assert.equal((await s.req('DELETE', `/cloud-providers/${c.body.id}`)).status, 404)
      assert.equal((await s.req('PATCH', `/cloud-providers/${c.body.id}`, { body: { name: 'x' } })).status, 404)
    })

    it('defaults every optional field', async () => {
      const r = await s.req('POST', '/cloud-providers', { body: { name: 'Plain Cloud' } })
      assert.equal(r.status, 201, r.text)
      assert.deepEqual(
        { d: r.body.disambiguation, rc: r.body.requiredCredentials, di: r.body.discoverable, cs: r.body.cseSyntax, si: r.body.standaloneIncompatible },
        { d: '', rc: [], di: false, cs: '', si: false },
      )
    })

    it('keeps name and disambiguation unique together (409)', async () => {
      await provider('Twin Cloud', { disambiguation: 'a' })
      const b = await provider('Twin Cloud', { disambiguation: 'b' })
      assert.equal((await s.req('POST', '/cloud-providers', { body: { name: 'Twin Cloud', disambiguation: 'a' } })).status, 409)
      const r = await s.req('PATCH', `/cloud-providers/${b}`, { body: { disambiguation: 'a' } })
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.code, 'already_exists')
    })

    const bad: [string, unknown][] = [
      ['an unknown field', { name: 'Bad', colour: 'red' }],
      ['a snake_case field', { name: 'Bad', cse_syntax: 'x' }],
      ['no name', { disambiguation: 'x' }],
      ['a blank name', { name: '   ' }],
      ['credentials that are not strings', { name: 'Bad', requiredCredentials: [1] }],
      ['repeated credentials', { name: 'Bad', requiredCredentials: ['a', 'a'] }],
      ['discoverable as text', { name: 'Bad', discoverable: 'true' }],
    ]
    for (const [what, body] of bad) {
      it(`refuses ${what} with 400`, async () => {
        const r = await s.req('POST', '/cloud-providers', { body })
        assert.equal(r.status, 400, r.text)
        assert.equal(r.body.code, 'invalid_argument')
      })
    }

    it('lets anyone authenticated read the catalogue', async () => {
      const p = await provider('Readable Cloud')
      for (const auth of [customerAdmin, resellerReader, masterReader]) {
        assert.equal((await s.req('GET', '/cloud-providers', { auth })).status, 200)
        assert.equal((await s.req('GET', `/cloud-providers/${p}`, { auth })).status, 200)
      }
      assert.equal((await s.req('GET', '/cloud-providers', { auth: null })).status, 401)
    })

    it('lets only the master organisation with catalog.write change it (403 otherwise)', async () => {
      const p = await provider('Guarded Cloud')
      for (const auth of [resellerAdmin, customerAdmin, masterReader]) {
        const c = await s.req('POST', '/cloud-providers', { body: { name: 'Intruder Cloud' }, auth })
        assert.equal(c.status, 403, c.text)
        assert.equal(c.body.code, 'forbidden')
        assert.equal((await s.req('PATCH', `/cloud-providers/${p}`, { body: { name: 'Renamed' }, auth })).status, 403)
        assert.equal((await s.req('DELETE', `/cloud-providers/${p}`, { auth })).status, 403)
      }
      assert.equal((await s.req('GET', `/cloud-providers/${p}`)).body.name, 'Guarded Cloud')
      assert.ok(!(await s.req('GET', '/cloud-providers')).body.items.some((x: any) => x.name === 'Intruder Cloud'))
    })
  })

  describe('allowing providers to customers', () => {
    it('gives the master organisation every provider', async () => {
      const p = await provider('Everywhere Cloud')
      assert.ok((await allowedIds(s.masterId)).includes(p))
    })

    it('allows down the hierarchy, each level only what its parent has', async () => {
      const p = await provider('Chain Cloud')
      const q = await provider('Unshared Cloud')
      // The reseller cannot pass on a provider it was not allowed.
      const early = await allow(customer, p, resellerAdmin)
      assert.equal(early.status, 409, early.text)
      assert.equal(early.body.code, 'failed_precondition')

      const first = await allow(reseller, p)
      assert.equal(first.status, 201, first.text)
      assert.deepEqual(keys(first.body), PROVIDER_FIELDS)
      assert.equal(first.body.id, p)
      assert.equal((await allow(reseller, p)).status, 200, 'allowing again changes nothing')

      assert.equal((await allow(customer, p, resellerAdmin)).status, 201)
      assert.equal((await allow(customer, q, resellerAdmin)).status, 409)
      assert.deepEqual(await allowedIds(reseller, resellerAdmin), [p])
      assert.deepEqual(await allowedIds(customer, customerAdmin), [p])
      assert.deepEqual(await allowedIds(other), [])
      // An ancestor further up may allow too, with the same rule.
      assert.equal((await allow(customer, q)).status, 409)
    })

    it('refuses a customer granting itself a provider (403), and any role without org.write', async () => {
      const p = await provider('Self Cloud')
      assert.equal((await allow(reseller, p)).status, 201)
      const self = await allow(reseller, p, resellerAdmin)
      assert.equal(self.status, 403, self.text)
      assert.equal(self.body.code, 'forbidden')
      assert.equal((await allow(customer, p, resellerReader)).status, 403)
      assert.equal((await allow(s.masterId, p)).status, 403)
      assert.equal((await s.req('DELETE', `/orgs/${reseller}/cloud-providers/${p}`, { auth: resellerAdmin })).status, 403)
    })

    it('answers 404 for organisations outside the subtree and for unknown providers', async () => {
      const p = await provider('Hidden Cloud')
      assert.equal((await allow(other, p, resellerAdmin)).status, 404)
      assert.equal((await s.req('GET', `/orgs/${other}/cloud-providers`, { auth: resellerAdmin })).status, 404)
      assert.equal((await s.req('GET', `/orgs/${reseller}/cloud-providers`, { auth: customerAdmin })).status, 404)
      assert.equal((await allow(other, '00000000-0000-4000-8000-000000000000')).status, 404)
      assert.equal((await allow(other, 'nope')).status, 404)
      const bad = await s.req('POST', `/orgs/${other}/cloud-providers`, { body: { providerId: p, extra: 1 } })
      assert.equal(bad.status, 400)
    })

    it('withdraws a provider from a customer and its whole subtree', async () => {
      const p = await provider('Withdrawn Cloud')
      assert.equal((await allow(reseller, p)).status, 201)
      assert.equal((await allow(customer, p, resellerAdmin)).status, 201)
      const r = await s.req('DELETE', `/orgs/${reseller}/cloud-providers/${p}`)
      assert.equal(r.status, 204, r.text)
      assert.ok(!(await allowedIds(reseller)).includes(p))
      assert.ok(!(await allowedIds(customer)).includes(p), "the customer's allowance went with its parent's")
      assert.equal((await s.req('DELETE', `/orgs/${reseller}/cloud-providers/${p}`)).status, 404)
    })

    it('refuses to withdraw a provider while cloud accounts in the subtree use it, changing nothing', async () => {
      const p = await provider('Busy Cloud')
      assert.equal((await allow(reseller, p)).status, 201)
      assert.equal((await allow(customer, p, resellerAdmin)).status, 201)
      const a = await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: p, name: 'busy' } })
      assert.equal(a.status, 201, a.text)
      const r = await s.req('DELETE', `/orgs/${reseller}/cloud-providers/${p}`)
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.code, 'failed_precondition')
      assert.ok((await allowedIds(reseller)).includes(p))
      assert.ok((await allowedIds(customer)).includes(p))
      assert.equal((await s.req('DELETE', `/cloud-providers/${p}`)).status, 409, 'nor may the provider be deleted')
      assert.equal((await s.req('DELETE', `/orgs/${customer}/cloud-accounts/${a.body.id}`)).status, 204)
      assert.equal((await s.req('DELETE', `/orgs/${reseller}/cloud-providers/${p}`)).status, 204)
    })

    it('drops the allowances of a deleted provider', async () => {
      const p = await provider('Short-lived Cloud')
      assert.equal((await allow(reseller, p)).status, 201)
      assert.equal((await s.req('DELETE', `/cloud-providers/${p}`)).status, 204)
      assert.ok(!(await allowedIds(reseller)).includes(p))
      // It may come back under the same name.
      await provider('Short-lived Cloud')
    })
  })

  describe('cloud accounts', () => {
    let p: string
    before(async () => {
      p = await provider('Account Cloud', { requiredCredentials: ['token'] })
      assert.equal((await allow(reseller, p)).status, 201)
      assert.equal((await allow(customer, p, resellerAdmin)).status, 201)
    })

    it('creates, lists, changes and deletes cloud accounts, reflected in resource_usage', async () => {
      const a = await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: p, name: 'production', servers: 4 }, auth: customerAdmin })
      assert.equal(a.status, 201, a.text)
      assert.deepEqual(keys(a.body), ACCOUNT_FIELDS)
      assert.deepEqual({ orgId: a.body.orgId, providerId: a.body.providerId, name: a.body.name, servers: a.body.servers }, { orgId: customer, providerId: p, name: 'production', servers: 4 })
      assert.equal(a.headers.get('location'), `/orgs/${customer}/cloud-accounts/${a.body.id}`)
      const b = await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: p, name: 'staging' }, auth: resellerAdmin })
      assert.equal(b.status, 201, b.text)
      assert.equal(b.body.servers, 0)

      const l = await s.req('GET', `/orgs/${customer}/cloud-accounts`, { auth: customerAdmin })
      assert.equal(l.status, 200)
      assert.equal(l.body.total, 2)
      assert.deepEqual(l.body.items.map((x: any) => x.name).sort(), ['production', 'staging'])
      const page = await s.req('GET', `/orgs/${customer}/cloud-accounts?limit=1&offset=1`)
      assert.equal(page.body.items.length, 1)
      assert.equal(page.body.total, 2)

      const usage = async () => (await s.req('GET', `/v3/admin/customers/${customer}`, { auth: customerAdmin })).body.resource_usage
      assert.deepEqual(await usage(), { [a.body.id]: { servers: 4 }, [b.body.id]: { servers: 0 } })

      const u = await s.req('PATCH', `/orgs/${customer}/cloud-accounts/${b.body.id}`, { body: { servers: 9, name: 'stage' } })
      assert.equal(u.status, 200, u.text)
      assert.equal(u.body.servers, 9)
      assert.equal(u.body.name, 'stage')
      assert.deepEqual(await usage(), { [a.body.id]: { servers: 4 }, [b.body.id]: { servers: 9 } })
      const viaPut = await s.req('PUT', `/v3/admin/customers/${customer}`, { body: { name: 'Cloud Customer' } })
      assert.deepEqual(viaPut.body.resource_usage, { [a.body.id]: { servers: 4 }, [b.body.id]: { servers: 9 } })

      assert.equal((await s.req('DELETE', `/orgs/${customer}/cloud-accounts/${a.body.id}`, { auth: customerAdmin })).status, 204)
      assert.deepEqual(await usage(), { [b.body.id]: { servers: 9 } })
      assert.equal((await s.req('DELETE', `/orgs/${customer}/cloud-accounts/${a.body.id}`)).status, 404)
      assert.equal((await s.req('DELETE', `/orgs/${customer}/cloud-accounts/${b.body.id}`)).status, 204)
      assert.deepEqual(await usage(), {})
    })

    it('keeps the servers counter at 0 or more and names unique per organisation', async () => {
      const a = await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: p, name: 'counted' } })
      assert.equal(a.status, 201)
      for (const body of [{ servers: -1 }, { servers: 1.5 }, { servers: '3' }, { providerId: p }, { color: 'red' }]) {
        const r = await s.req('PATCH', `/orgs/${customer}/cloud-accounts/${a.body.id}`, { body })
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`)
      }
      assert.equal((await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: p, name: 'negative', servers: -2 } })).status, 400)
      const dup = await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: p, name: 'counted' } })
      assert.equal(dup.status, 409, dup.text)
      assert.equal(dup.body.code, 'already_exists')
      // The same name in another organisation is fine.
      assert.equal((await s.req('POST', `/orgs/${reseller}/cloud-accounts`, { body: { providerId: p, name: 'counted' } })).status, 201)
      assert.equal((await s.req('PATCH', `/orgs/${customer}/cloud-accounts/${a.body.id}`, { body: { servers: 0 } })).body.servers, 0)
    })

    it('refuses an account on a provider not allowed to the organisation (409)', async () => {
      const q = await provider('Forbidden Fruit Cloud')
      const r = await s.req('POST', `/orgs/${customer}/cloud-accounts`, { body: { providerId: q, name: 'nope' } })
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.code, 'failed_precondition')
      // The master organisation has every provider, so it may hold accounts on any.
      assert.equal((await s.req('POST', `/orgs/${s.masterId}/cloud-accounts`, { body: { providerId: q, name: 'master-acct' } })).status, 201)
    })

    it('keeps accounts to their organisation and subtree (404) and writes to org.write (403)', async () => {
      const a = await s.req('POST', `/orgs/${reseller}/cloud-accounts`, { body: { providerId: p, name: 'reseller-only' } })
      assert.equal(a.status, 201)
      // Named under the wrong organisation, an account does not exist.
      assert.equal((await s.req('PATCH', `/orgs/${customer}/cloud-accounts/${a.body.id}`, { body: { servers: 1 } })).status, 404)
      assert.equal((await s.req('DELETE', `/orgs/${customer}/cloud-accounts/${a.body.id}`)).status, 404)
      // A customer's user cannot reach its parent's accounts.
      assert.equal((await s.req('GET', `/orgs/${reseller}/cloud-accounts`, { auth: customerAdmin })).status, 404)
      assert.equal((await s.req('PATCH', `/orgs/${reseller}/cloud-accounts/${a.body.id}`, { body: { servers: 1 }, auth: customerAdmin })).status, 404)
      assert.equal((await s.req('GET', `/orgs/${other}/cloud-accounts`, { auth: resellerAdmin })).status, 404)
      // A read-only user may read but not write.
      assert.equal((await s.req('GET', `/orgs/${reseller}/cloud-accounts`, { auth: resellerReader })).status, 200)
      assert.equal((await s.req('POST', `/orgs/${reseller}/cloud-accounts`, { body: { providerId: p, name: 'ro' }, auth: resellerReader })).status, 403)
      assert.equal((await s.req('PATCH', `/orgs/${reseller}/cloud-accounts/${a.body.id}`, { body: { servers: 2 }, auth: resellerReader })).status, 403)
      assert.equal((await s.req('DELETE', `/orgs/${reseller}/cloud-accounts/${a.body.id}`, { auth: resellerReader })).status, 403)
    })
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    for (const path of [
      '/cloud-providers',
      '/cloud-providers/{provider_id}',
      '/orgs/{org_id}/cloud-providers',
      '/orgs/{org_id}/cloud-providers/{provider_id}',
      '/orgs/{org_id}/cloud-accounts',
      '/orgs/{org_id}/cloud-accounts/{account_id}',
    ]) {
      assert.ok(doc.paths[path], path)
    }
    assert.ok(doc.paths['/cloud-providers'].post.responses['403'])
    for (const [path, method] of [
      ['/cloud-providers', 'post'],
      ['/cloud-providers/{provider_id}', 'patch'],
      ['/orgs/{org_id}/cloud-providers', 'post'],
      ['/orgs/{org_id}/cloud-accounts', 'post'],
      ['/orgs/{org_id}/cloud-accounts/{account_id}', 'patch'],
    ] as const) {
      const schema = doc.paths[path][method].requestBody.content['application/json'].schema
      assert.equal(schema.additionalProperties, false, `${method} ${path}`)
    }
    assert.deepEqual(doc.paths['/orgs/{org_id}/cloud-accounts'].post.tags, ['cloud-accounts'])
  })
})
