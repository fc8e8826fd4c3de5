/**
 * A customer's account over native REST, on both databases: the routes in the OpenAPI document,
 * the username, a password change that ends the old password at once, the support PIN checked by
 * staff above and throttled (429 with Retry-After), an e-mail change made at once without mail,
 * keys by type and ACL entries by id.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { MAX_FAILURES } from '../../../src/store/throttle.repo.js'

eachDialect('customer account over REST', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let org: string

  before(async () => {
    s = await startServer(dialect)
    org = await p.customer('REST Account Customer')
    await p.user(org, 'rest-owner', 'owner', { email: 'owner@example.com' })
    await p.user(s.masterId, 'rest-helpdesk', 'support')
  })
  after(() => s.close())

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    const want: [string, string[]][] = [
      ['/roles', ['get']],
      ['/orgs/{org_id}/username', ['get']],
      ['/orgs/{org_id}/password', ['put']],
      ['/orgs/{org_id}/pin', ['put']],
      ['/orgs/{org_id}/pin/verify', ['post']],
      ['/orgs/{org_id}/email-change', ['post']],
      ['/email-change/confirm', ['post']],
      ['/orgs/{org_id}/api-keys', ['get', 'post']],
      ['/api-key-acls/{acl_id}', ['patch', 'delete']],
    ]
    for (const [path, methods] of want) for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
  })

  it('answers roles and the username; a new password works at once and the old one stops', async () => {
    const roles = await s.req('GET', `/roles?orgId=${org}`)
    assert.equal(roles.status, 200, roles.text)
    assert.ok(roles.body.items.some((r: any) => r.id === 'support' && r.permissions.includes('org.read')))
    const u = await s.req('GET', `/orgs/${org}/username`)
    assert.equal(u.body.username, 'rest-owner')
    assert.equal((await s.req('PUT', `/orgs/${org}/password`, { body: { password: 'short' } })).status, 400)
    const put = await s.req('PUT', `/orgs/${org}/password`, { body: { password: 'brand-new-password' } })
    assert.equal(put.status, 204, put.text)
    assert.equal((await s.req('GET', `/orgs/${org}/username`, p.as('rest-owner'))).status, 401)
    assert.equal((await s.req('GET', `/orgs/${org}/username`, { auth: ['rest-owner', 'brand-new-password'] })).status, 200)
  })

  it('sets a PIN that support staff above can check, until the throttle answers 429', async () => {
    assert.equal((await s.req('PUT', `/orgs/${org}/pin`, { body: { pin: '12ab' } })).status, 400)
    assert.equal((await s.req('PUT', `/orgs/${org}/pin`, { body: { pin: '975310' } })).status, 204)
    const staff = p.as('rest-helpdesk')
    const ok = await s.req('POST', `/orgs/${org}/pin/verify`, { ...staff, body: { pin: '975310' } })
    assert.deepEqual([ok.status, ok.body], [200, { match: true }])
    for (let i = 0; i < MAX_FAILURES; i++) assert.equal((await s.req('POST', `/orgs/${org}/pin/verify`, { ...staff, body: { pin: '000000' } })).body.match, false)
    const locked = await s.req('POST', `/orgs/${org}/pin/verify`, { ...staff, body: { pin: '975310' } })
    assert.equal(locked.status, 429, locked.text)
    assert.ok(Number(locked.headers.get('retry-after')) >= 1)
  })

  it('changes the e-mail address at once where mail is not configured; a bad token is refused', async () => {
    const r = await s.req('POST', `/orgs/${org}/email-change`, { body: { email: 'fresh@example.com' } })
    assert.deepEqual([r.status, r.body], [200, { current: 'fresh@example.com', pending: null, confirmationRequired: false }])
    const bad = await s.req('POST', '/email-change/confirm', { auth: null, body: { token: '00000000-0000-4000-8000-000000000000' } })
    assert.equal(bad.status, 400, bad.text)
  })

  it('creates and lists keys by role, and changes an ACL entry by its id alone', async () => {
    const k = await s.req('POST', `/orgs/${org}/api-keys`, { body: { role: 'billing' } })
    assert.equal(k.status, 201, k.text)
    assert.ok(k.body.secret && k.body.name.startsWith('billing key'))
    await s.req('POST', `/orgs/${org}/api-keys`, { body: { role: 'member' } })
    const billing = await s.req('GET', `/orgs/${org}/api-keys?role=billing`)
    assert.deepEqual(billing.body.items.map((x: any) => [x.id, x.actsAs]), [[k.body.id, 'billing']])
    assert.ok(!JSON.stringify(billing.body).includes(k.body.secret))
    const acl = await s.req('POST', `/api-keys/${k.body.id}/acls`, { body: { address: '2001:db8::', mask: 48 } })
    assert.equal(acl.status, 201, acl.text)
    const patched = await s.req('PATCH', `/api-key-acls/${acl.body.id}`, { body: { mask: 129 } })
    assert.equal(patched.status, 400, patched.text)
    const ok = await s.req('PATCH', `/api-key-acls/${acl.body.id}`, { body: { mask: 56 } })
    assert.deepEqual([ok.status, ok.body.address, ok.body.mask], [200, '2001:db8::', 56])
    assert.equal((await s.req('DELETE', `/api-key-acls/${acl.body.id}`)).status, 204)
    assert.equal((await s.req('DELETE', `/api-key-acls/${acl.body.id}`)).status, 404)
  })
})
