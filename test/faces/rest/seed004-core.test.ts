/**
 * Seed 004's core capabilities over native REST, on both databases: password options and their
 * effect on every password credential, properties, a customer's provisioning status through the
 * worker, distribution groups, contacts, resource configuration, and the OpenAPI document.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

const CATALOG = {
  services: [{ name: 'HE', displayName: 'Hosted Exchange', plans: [{ name: 'EXBASIC' }] }, { name: 'MySQL' }],
  locations: [{ name: 'csm.Local', services: ['HE', 'MySQL'] }],
}

eachDialect('seed 004 core over REST', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let org: string

  async function until(path: string, want: string): Promise<Answer> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.status === want) return r
      if (Date.now() - t0 > 10_000) assert.fail(`${path} stayed ${r.body?.status} (${r.text}), wanted ${want}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    assert.equal((await s.req('PUT', '/catalog', { body: CATALOG })).status, 200)
    org = await p.customer('Justice League Unlimited')
  })
  after(() => s.close())

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    const want: [string, string[]][] = [
      ['/orgs/{org_id}/customer-properties', ['get', 'patch']],
      ['/orgs/{org_id}/members/{member_id}/additional-properties', ['get', 'patch']],
      ['/orgs/{org_id}/provisioning', ['post']],
      ['/orgs/{org_id}/services/{service}/resource-configuration', ['get', 'patch']],
      ['/orgs/{org_id}/services/{service}/distribution-groups', ['get', 'post']],
      ['/orgs/{org_id}/services/{service}/distribution-groups/{group_id}', ['get', 'delete']],
      ['/orgs/{org_id}/members/{member_id}/services/{service}/distribution-groups', ['get', 'post']],
      ['/orgs/{org_id}/services/{service}/contacts', ['get', 'post']],
      ['/orgs/{org_id}/services/{service}/contacts/{contact_id}', ['get', 'delete']],
    ]
    for (const [path, methods] of want) for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
  })

  it('password options: change at next logon, an expired password and an expired account refuse every password credential', async () => {
    const name = `user1_jlu_${dialect}`
    const id = await p.user(org, name, 'member', { changePasswordAtNextLogon: true, passwordExpiresAt: 'NEVER' })
    const login = await s.req('POST', '/login', { auth: null, body: { username: name, password: `${name}-password` } })
    assert.equal(login.status, 200, login.text)
    assert.equal(login.body.passwordChangeRequired, true)
    assert.equal(login.body.user.changePasswordAtNextLogon, true)
    assert.equal((await s.req('GET', `/orgs/${org}/members/${id}`, p.as(name))).status, 200, 'the flag does not stop Basic')
    // Changing its own password clears it.
    const own = await s.req('PATCH', `/orgs/${org}/members/${id}`, { ...p.as(name), body: { password: 'a-new-password-1', currentPassword: `${name}-password` } })
    assert.equal(own.status, 200, own.text)
    assert.equal(own.body.changePasswordAtNextLogon, false)
    const again = await s.req('POST', '/login', { auth: null, body: { username: name, password: 'a-new-password-1' } })
    assert.equal(again.body.passwordChangeRequired, false)
    const cookie = again.headers.getSetCookie().find((c) => c.startsWith('id0='))!.split(';')[0]!

    // A password expired yesterday: Basic and login refuse it; the session (not a password credential) goes on.
    const bad = await s.req('PATCH', `/orgs/${org}/members/${id}`, { body: { passwordExpiresAt: '2020-13-01' } })
    assert.deepEqual([bad.status, bad.body.field], [400, 'password.expires'])
    const expired = await s.req('PATCH', `/orgs/${org}/members/${id}`, { body: { passwordExpiresAt: '2020-01-01' } })
    assert.equal(expired.status, 200, expired.text)
    assert.equal(expired.body.passwordExpiresAt, '2020-01-01')
    const basic = await s.req('GET', `/orgs/${org}/members/${id}`, { auth: [name, 'a-new-password-1'] })
    assert.deepEqual([basic.status, basic.body.detail], [401, 'password expired'])
    const l = await s.req('POST', '/login', { auth: null, body: { username: name, password: 'a-new-password-1' } })
    assert.deepEqual([l.status, l.body.detail], [401, 'password expired'])
    const wrong = await s.req('POST', '/login', { auth: null, body: { username: name, password: 'not-the-password' } })
    assert.equal(wrong.body.detail, 'invalid credentials', 'a wrong password does not learn the expiry')
    assert.equal((await s.req('GET', '/login', { auth: null, headers: { cookie } })).status, 200)

    // An expired account refuses every credential, the session included.
    await s.req('PATCH', `/orgs/${org}/members/${id}`, { body: { passwordExpiresAt: null } })
    assert.equal((await s.req('GET', `/orgs/${org}/members/${id}`, { auth: [name, 'a-new-password-1'] })).status, 200)
    const badDay = await s.req('PATCH', `/orgs/${org}/members/${id}`, { body: { accountExpiresAt: '31/12/2030' } })
    assert.deepEqual([badDay.status, badDay.body.field], [400, 'accountExpires'])
    assert.equal((await s.req('PATCH', `/orgs/${org}/members/${id}`, { body: { accountExpiresAt: '2021-06-30' } })).status, 200)
    const acc = await s.req('GET', `/orgs/${org}/members/${id}`, { auth: [name, 'a-new-password-1'] })
    assert.deepEqual([acc.status, acc.body.detail], [401, 'account expired'])
    const sess = await s.req('GET', '/login', { auth: null, headers: { cookie } })
    assert.deepEqual([sess.status, sess.body.detail], [401, 'account expired'])
  })

  it('passwordNeverExpiresAllowed: NEVER refused with 409 on password.expires, nothing changed', async () => {
    const o = await p.customer(`Strict Customer ${dialect}`)
    assert.equal((await s.req('PATCH', `/orgs/${o}`, { body: { passwordNeverExpiresAllowed: false } })).status, 204)
    assert.equal((await s.req('GET', `/orgs/${o}`)).body.passwordNeverExpiresAllowed, false)
    const r = await s.req('POST', `/orgs/${o}/members`, { body: { username: `strict_${dialect}`, password: 'strict-password-1', passwordExpiresAt: 'NEVER' } })
    assert.deepEqual([r.status, r.body.code, r.body.field, r.body.detail], [409, 'failed_precondition', 'password.expires', 'passwords of this customer must expire'])
    assert.equal((await s.req('GET', `/orgs/${o}/members`)).body.total, 0)
    const ok = await s.req('POST', `/orgs/${o}/members`, { body: { username: `strict_${dialect}`, password: 'strict-password-1', passwordExpiresAt: '2099-12-31' } })
    assert.equal(ok.status, 201, ok.text)
  })

  it('customer and additional properties merge; a refused change answers property.<name> and changes nothing', async () => {
    const uid = await p.user(org, `props_${dialect}`, 'member', { additionalProperties: { department: 'Heroes' } })
    const path = `/orgs/${org}/members/${uid}/additional-properties`
    assert.deepEqual((await s.req('GET', path)).body.properties, { department: 'Heroes' })
    const r = await s.req('PATCH', path, { body: { properties: { department: '', title: 'Knight' } } })
    assert.deepEqual([r.status, r.body.properties], [200, { title: 'Knight' }])
    const bad = await s.req('PATCH', path, { body: { properties: { title: 'x'.repeat(1001) } } })
    assert.deepEqual([bad.status, bad.body.field], [400, 'property.title'])
    assert.deepEqual((await s.req('GET', path)).body.properties, { title: 'Knight' })
    const cp = await s.req('PATCH', `/orgs/${org}/customer-properties`, { body: { properties: { Region: 'EU' } } })
    assert.deepEqual([cp.status, cp.body.properties], [200, { Region: 'EU' }])
    assert.deepEqual((await s.req('GET', `/orgs/${org}/customer-properties`)).body.properties, { Region: 'EU' })
    const nf = await s.req('GET', `/orgs/00000000-0000-4000-8000-000000000000/customer-properties`)
    assert.deepEqual([nf.status, nf.body.resource], [404, 'customer'])
  })

  it('distribution groups, contacts and resource configuration of a held service', async () => {
    const base = `/orgs/${org}/services/HE`
    const none = await s.req('GET', `${base}/distribution-groups`)
    assert.deepEqual([none.status, none.body.resource], [404, 'service'])
    assert.equal((await s.req('PUT', base, { body: { location: 'csm.Local' } })).status, 202)
    await until(base, 'Provisioned')
    const uid = await p.user(org, `batman_${dialect}`, 'member')
    assert.equal((await s.req('PUT', `/orgs/${org}/members/${uid}/services/HE`, { body: {} })).status, 202)
    await until(`/orgs/${org}/members/${uid}/services/HE`, 'Provisioned')

    const heroes = await s.req('POST', `${base}/distribution-groups`, { body: { displayName: 'Heroes', path: 'CN=Heroes', email: 'heroes@jlu.test', members: [{ displayName: 'Superman' }] } })
    assert.equal(heroes.status, 201, heroes.text)
    assert.equal((await s.req('POST', `${base}/distribution-groups`, { body: { displayName: 'Enemies', email: 'enemies@jlu.test' } })).status, 201)
    const merged = await s.req('POST', `${base}/distribution-groups`, { body: { path: 'CN=Heroes', mailTip: 'Save the day' } })
    assert.deepEqual([merged.status, merged.body.id, merged.body.members.length], [200, heroes.body.id, 1])
    const list = await s.req('GET', `${base}/distribution-groups?displayNameFilter=h&pageIndex=1&pageSize=10`)
    assert.deepEqual([list.body.total, list.body.items.map((g: { displayName: string }) => g.displayName), list.body.items[0].members], [1, ['Heroes'], undefined])
    const withMembers = await s.req('GET', `${base}/distribution-groups/${heroes.body.id}?members=true`)
    assert.equal(withMembers.body.members[0].displayName, 'Superman')
    assert.equal((await s.req('GET', `${base}/distribution-groups?pageSize=1001`)).status, 400)

    const userGroups = `/orgs/${org}/members/${uid}/services/HE/distribution-groups`
    const sel = await s.req('POST', userGroups, { body: { groups: [{ path: 'CN=Heroes', selected: true }, { displayName: 'Enemies', selected: false }] } })
    assert.deepEqual([sel.status, sel.body.items.map((g: { displayName: string }) => g.displayName)], [200, ['Heroes']])
    const miss = await s.req('POST', userGroups, { body: { groups: [{ displayName: 'Enemies', selected: true }, { displayName: 'Nobody', selected: true }] } })
    assert.deepEqual([miss.status, miss.body.resource], [404, 'distributiongroup'])
    assert.deepEqual((await s.req('GET', userGroups)).body.items.map((g: { displayName: string }) => g.displayName), ['Heroes'])

    const c = await s.req('POST', `${base}/contacts`, { body: { displayName: 'Alfred', syncObjectId: 'ABC-1', city: 'Gotham' } })
    assert.equal(c.status, 201, c.text)
    assert.equal((await s.req('GET', `${base}/contacts?syncFilter=abc`)).body.items[0].city, 'Gotham')
    assert.equal((await s.req('DELETE', `${base}/contacts/${c.body.id}`)).status, 204)
    assert.equal((await s.req('GET', `${base}/contacts/${c.body.id}`)).status, 404)

    const rc = await s.req('PATCH', `${base}/resource-configuration`, { body: { properties: { MaxMailboxes: '10' } } })
    assert.deepEqual([rc.status, rc.body.properties], [200, { MaxMailboxes: '10' }])
    assert.equal((await s.req('DELETE', `${base}/distribution-groups/${heroes.body.id}`)).status, 204)
  })

  it("customer provisioning: NotProvisioned deprovisions every held service as one request's jobs", async () => {
    const bad = await s.req('POST', `/orgs/${org}/provisioning`, { body: { status: 'Gone' } })
    assert.deepEqual([bad.status, bad.body.field], [400, 'status'])
    assert.equal((await s.req('GET', `/orgs/${org}`)).body.provisioningStatus, 'Provisioned')
    const r = await s.req('POST', `/orgs/${org}/provisioning`, { body: { status: 'NotProvisioned' } })
    assert.equal(r.status, 202, r.text)
    assert.equal(r.body.org.provisioningStatus, 'NotProvisioned')
    assert.ok(r.body.jobGuids.length >= 2, r.text)
    assert.match(r.headers.get('location') ?? '', /^\/jobs\//)
    await until(`/orgs/${org}/services/HE`, 'NotProvisioned')
    const users = (await s.req('GET', `/orgs/${org}/members`)).body.items as { id: string; username: string }[]
    const batman = users.find((u) => u.username === `batman_${dialect}`)!
    await until(`/orgs/${org}/members/${batman.id}/services/HE`, 'NotProvisioned')
    const back = await s.req('POST', `/orgs/${org}/provisioning`, { body: { status: 'Provisioned' } })
    assert.deepEqual([back.status, back.body.org.provisioningStatus, back.body.jobGuids], [200, 'Provisioned', []])
    assert.equal((await s.req('GET', `/orgs/${org}/services/HE`)).body.status, 'NotProvisioned')
  })
})
