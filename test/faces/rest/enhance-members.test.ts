/**
 * Seed 003's members, owner, logins and access tokens held to Enhance's published OpenAPI
 * document (test/fixtures/enhance/), on both databases: every answer of the operations below is
 * validated against the document's schema for its status, with bodies the document calls valid,
 * and the behaviour a user notices is asserted beside it (a token's roles limit what it may do,
 * its allowed addresses fence it, a foreign or stale id is 404, a login of another
 * organisation cannot become a member here).
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { conformanceCaller } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'

const NOBODY = '00000000-0000-4000-8000-000000000000'
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b))

eachDialect("seed 003's members, logins and access tokens against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  const checked = new Set<string>()

  const call = conformanceCaller(() => s, checked)

  // Users made with Clientele's own body (still accepted on the same route as the document's).
  const { customer, user, as } = people(() => s)

  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(() => s.close())

  it('logins: create in an organisation, list, change your own', async () => {
    const org = await customer('Login Customer')
    const other = await customer('Login Other')
    const created = await call('POST', '/logins', `/logins?orgId=${org}`, { body: { email: 'Ann.Login@example.com', password: 'ann-login-password', name: 'Ann Login' } }, 201)
    const ann = created.body.id as string
    await call('POST', '/logins', `/logins?orgId=${org}`, { body: { email: 'ann.login@example.com', password: 'another-password', name: 'Ann Again' } }, 409)
    await call('POST', '/logins', `/logins?orgId=${org}`, { body: { email: 'not an address', password: 'ann-login-password', name: 'Ann' } }, 400)
    await call('POST', '/logins', `/logins?orgId=${org}`, { body: { email: 'x@example.com', password: 'x-password', name: 'X', role: 'owner' } }, 400)
    await call('POST', '/logins', `/logins?orgId=${org}`, { auth: null, body: { email: 'y@example.com', password: 'y-password', name: 'Y' } }, 401)
    // A login made here holds no role until a membership gives it one.
    const m = await s.req('GET', `/orgs/${org}/members/${ann}`)
    assert.deepEqual([m.body.roles, m.body.role, m.body.email, m.body.name], [[], 'readonly', 'Ann.Login@example.com', 'Ann Login'])
    // A member (no member.write) may not create logins.
    await user(org, 'login-member', 'member')
    await call('POST', '/logins', `/logins?orgId=${org}`, { ...as('login-member'), body: { email: 'z@example.com', password: 'z-password', name: 'Z' } }, 403)

    await user(org, 'no-mail-user', 'billing')
    await user(other, 'elsewhere', 'owner', { email: 'elsewhere@example.com' })
    const mine = await call('GET', '/orgs/{org_id}/logins', `/orgs/${org}/logins?sortBy=email&sortOrder=desc`, {}, 200)
    assert.equal(mine.body.total, 3)
    assert.equal(mine.body.items.some((l: { email: string }) => l.email === 'elsewhere@example.com'), false)
    // A user without an e-mail address answers a placeholder that validates and is never delivered.
    assert.ok(mine.body.items.some((l: { email: string }) => l.email === 'no-mail-user@no-email.invalid'), mine.text)
    for (const q of ['', '?sortBy=name', '?sortBy=registrationDate&sortOrder=asc', '?limit=1&offset=1']) {
      await call('GET', '/orgs/{org_id}/logins', `/orgs/${org}/logins${q}`, {}, 200)
    }
    assert.equal((await s.req('GET', `/orgs/${other}/logins`, as('login-member'))).status, 404)

    const all = await call('GET', '/logins', '/logins', {}, 200)
    assert.ok(all.body.total >= 5)
    const realm = await call('GET', '/logins', `/logins?realmId=${org}&sortBy=name&limit=2`, {}, 200)
    assert.deepEqual([realm.body.total, realm.body.items.length], [3, 2])
    // From a customer, only its own subtree's logins.
    const seen = await call('GET', '/logins', '/logins', as('login-member'), 200)
    assert.equal(seen.body.total, 3)
    await call('GET', '/logins', '/logins', { auth: null }, 401)

    // updateLoginInfo: one's own name, e-mail and password (with currentPassword).
    await call('PATCH', '/login', '/login', { ...as('login-member'), body: { name: 'Mia Member', email: 'mia@example.com' } }, 200)
    const me = await s.req('GET', '/login', as('login-member'))
    assert.deepEqual([me.body.name, me.body.email], ['Mia Member', 'mia@example.com'])
    await call('PATCH', '/login', '/login', { ...as('login-member'), body: { password: 'new-member-password' } }, 403)
    await call('PATCH', '/login', '/login', { ...as('login-member'), body: { password: 'new-member-password', currentPassword: 'wrong-password' } }, 403)
    await call('PATCH', '/login', '/login', { ...as('login-member'), body: { authMethod: 'otp' } }, 400)
    await call('PATCH', '/login', '/login', { ...as('login-member'), body: { locale: me.body.locale, authMethod: 'basic' } }, 200)
    await call('PATCH', '/login', '/login', { ...as('login-member'), body: { password: 'new-member-password', currentPassword: 'login-member-password' } }, 200)
    assert.equal((await s.req('GET', '/login', as('login-member'))).status, 401)
    assert.equal((await s.req('GET', '/login', { auth: ['login-member', 'new-member-password'] })).status, 200)
    await call('PATCH', '/login', '/login', { auth: null, body: { name: 'Nobody' } }, 401)
  })

  it('members: the document\'s createMember, getMembers, getMember, updateMember, deleteMember', async () => {
    const org = await customer('Member Customer')
    const other = await customer('Member Other')
    await user(org, 'mc-owner', 'owner', { email: 'mc-owner@example.com' })
    const login = (await s.req('POST', `/logins?orgId=${org}`, { body: { email: 'bo@example.com', password: 'bo-login-password', name: 'Bo' } })).body.id as string
    const foreign = (await s.req('POST', `/logins?orgId=${other}`, { body: { email: 'fo@example.com', password: 'fo-login-password', name: 'Fo' } })).body.id as string

    const made = await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { body: { loginId: login, roles: ['Sysadmin'] } }, 201)
    assert.equal(made.body.id, login, 'a member id is its login id')
    await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { body: { loginId: login, roles: ['Support'] } }, 409)
    const refused = await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { body: { loginId: foreign, roles: ['Support'] } }, 409)
    assert.equal(refused.body.code, 'conflict')
    await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { body: { loginId: NOBODY, roles: [] } }, 404)
    await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { body: { loginId: login } }, 400)
    await call('POST', '/orgs/{org_id}/members', `/orgs/${NOBODY}/members`, { body: { loginId: login, roles: [] } }, 404)
    // Clientele's own body still works on the same route.
    const clt = await user(org, 'mc-support', 'support')
    // A support user may not make members.
    const third = (await s.req('POST', `/logins?orgId=${org}`, { body: { email: 'cy@example.com', password: 'cy-login-password', name: 'Cy' } })).body.id as string
    await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { ...as('mc-support'), body: { loginId: third, roles: ['Business', 'Support'] } }, 403)
    await call('POST', '/orgs/{org_id}/members', `/orgs/${org}/members`, { body: { loginId: third, roles: ['Business', 'Support'] } }, 201)
    // Several roles: the one with the most rights.
    assert.deepEqual((await s.req('GET', `/orgs/${org}/members/${third}`)).body.roles, ['Support'])

    const got = await call('GET', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, {}, 200)
    assert.deepEqual([got.body.loginId, got.body.roles, got.body.isActive, got.body.joinedAt.length], [login, ['Sysadmin'], true, 10])
    await call('GET', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${foreign}`, {}, 404)
    await call('GET', '/orgs/{org_id}/members/{member_id}', `/orgs/${other}/members/${login}`, as('mc-owner'), 404)
    await call('GET', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { auth: null }, 401)

    for (const q of ['', '?sortBy=joinedAt&sortOrder=desc', '?sortBy=status', '?limit=2&offset=1', '?role=Sysadmin', '?role=Owner', `?siteAccess=${NOBODY}`]) {
      await call('GET', '/orgs/{org_id}/members', `/orgs/${org}/members${q}`, {}, 200)
    }
    const admins = await s.req('GET', `/orgs/${org}/members?role=Sysadmin`)
    assert.deepEqual(admins.body.items.map((m: { id: string }) => m.id), [login])
    assert.equal((await s.req('GET', `/orgs/${org}/members?siteAccess=${NOBODY}`)).body.total, 0)
    await call('GET', '/orgs/{org_id}/members', `/orgs/${NOBODY}/members`, {}, 404)
    await call('GET', '/orgs/{org_id}/members', `/orgs/${org}/members`, { auth: null }, 401)

    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { body: { roles: ['Business'], siteAccesses: [], notifications: [] } }, 200)
    assert.deepEqual((await s.req('GET', `/orgs/${org}/members/${login}`)).body.roles, ['Business'])
    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { body: {} }, 200)
    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { body: { siteAccesses: [NOBODY] } }, 404)
    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { body: { roles: ['Owner'] }, ...as('mc-support') }, 403)
    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { body: { roles: ['King'] } }, 400)
    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${NOBODY}`, { body: { roles: ['Support'] } }, 404)
    await call('PUT', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { auth: null, body: {} }, 401)
    assert.deepEqual((await s.req('GET', `/orgs/${org}/members/${login}`)).body.roles, ['Business'], 'refused changes change nothing')

    await call('DELETE', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${clt}`, as('mc-support'), 403)
    await call('DELETE', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${clt}`, {}, 204)
    await call('DELETE', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${clt}`, {}, 404)
    await call('DELETE', '/orgs/{org_id}/members/{member_id}', `/orgs/${other}/members/${login}`, {}, 404)
    await call('DELETE', '/orgs/{org_id}/members/{member_id}', `/orgs/${org}/members/${login}`, { auth: null }, 401)
  })

  it('the owner: updateOwner hands ownership over, deleteOwner leaves none', async () => {
    const org = await customer('Owner Customer')
    const first = await user(org, 'oc-first', 'owner')
    const second = await user(org, 'oc-second', 'admin')
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { body: { memberId: second }, ...as('oc-second') }, 403)
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { body: { memberId: second }, ...as('oc-first') }, 200)
    const roles = async () => (await s.req('GET', `/orgs/${org}/members?sortBy=joinedAt`)).body.items.map((m: { roles: string[] }) => m.roles[0])
    assert.deepEqual(await roles(), ['Sysadmin', 'Owner'])
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { body: { memberId: second } }, 200)
    assert.deepEqual(await roles(), ['Sysadmin', 'Owner'])
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { body: { memberId: NOBODY } }, 404)
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${NOBODY}/owner`, { body: { memberId: first } }, 404)
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { body: {} }, 400)
    await call('PUT', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { auth: null, body: { memberId: first } }, 401)

    await call('DELETE', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, as('oc-first'), 403)
    await call('DELETE', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, {}, 204)
    assert.deepEqual(await roles(), ['Sysadmin', 'Sysadmin'])
    await call('DELETE', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, {}, 404)
    await call('DELETE', '/orgs/{org_id}/owner', `/orgs/${org}/owner`, { auth: null }, 401)
  })

  it('access tokens: API keys with at most their roles, fenced by their allowed addresses', async () => {
    const org = await customer('Token Customer')
    assert.equal((await s.req('PATCH', `/orgs/${org}`, { body: { isReseller: true } })).status, 204)
    const child = (await s.req('POST', `/orgs/${org}/customers`, { body: { name: 'Token Child' } })).body.id as string
    const sibling = await customer('Token Sibling')
    await user(org, 'tc-admin', 'admin')
    await user(org, 'tc-billing', 'billing')
    const path = `/orgs/${org}/access_tokens`

    const made = await call('POST', '/orgs/{org_id}/access_tokens', path, { ...as('tc-admin'), body: { roles: ['Business'], friendlyName: 'billing robot', tokenExpires: '2099-01-01T00:00:00Z' } }, 201)
    const token = made.body.unencryptedToken as string
    assert.equal(made.body.firstFive, token.slice(0, 5))
    // The token works on every face, for its organisation and below, with at most its roles.
    assert.equal((await s.req('GET', `/orgs/${org}`, { auth: token })).status, 200)
    assert.equal((await s.req('GET', `/orgs/${child}`, { auth: token })).status, 200)
    assert.equal((await s.req('GET', `/orgs/${sibling}`, { auth: token })).status, 404)
    assert.equal((await s.req('GET', '/v3/admin/customers', { auth: token })).status, 200)
    const refusedCreate = await s.req('POST', `/orgs/${org}/customers`, { auth: token, body: { name: 'Not By Billing' } })
    assert.equal(refusedCreate.status, 403, 'a Business token may not do what its admin creator may')
    assert.equal((await s.req('GET', '/identity', { auth: token })).body.user.role, 'billing')

    // Never more than its creator holds.
    await call('POST', '/orgs/{org_id}/access_tokens', path, { ...as('tc-billing'), body: { roles: ['Sysadmin'] } }, 403)
    await call('POST', '/orgs/{org_id}/access_tokens', `/orgs/${sibling}/access_tokens`, { ...as('tc-admin'), body: { roles: [] } }, 404)
    await call('POST', '/orgs/{org_id}/access_tokens', path, { body: { friendlyName: 'no roles' } }, 400)
    await call('POST', '/orgs/{org_id}/access_tokens', path, { body: { roles: ['Support'], allowedIps: ['not-an-ip'], ipRestricted: true } }, 400)
    await call('POST', '/orgs/{org_id}/access_tokens', path, { auth: null, body: { roles: [] } }, 401)

    // allowedIps become the key's ACL entries: another address is refused, a listed one works.
    const fenced = await call('POST', '/orgs/{org_id}/access_tokens', path, { ...as('tc-admin'), body: { roles: ['Sysadmin'], allowedIps: ['203.0.113.0/24', '2001:db8::1'], ipRestricted: true } }, 201)
    assert.equal((await s.req('GET', `/orgs/${org}`, { auth: fenced.body.unencryptedToken })).status, 401)
    const readOnly = await call('POST', '/orgs/{org_id}/access_tokens', path, { ...as('tc-admin'), body: { roles: [] } }, 201)
    assert.equal((await s.req('PATCH', `/orgs/${org}`, { auth: readOnly.body.unencryptedToken, body: { description: 'x' } })).status, 403)

    const list = await call('GET', '/orgs/{org_id}/access_tokens', path, as('tc-admin'), 200)
    assert.deepEqual(
      list.body.map((t: { friendlyName: string; roles: string[]; allowedIps: string[]; ipRestricted: boolean }) => [t.friendlyName, t.roles, t.allowedIps, t.ipRestricted]).sort(byJson),
      [
        ['billing robot', ['Business'], [], false],
        ['access token', ['Sysadmin'], ['203.0.113.0/24', '2001:db8::1'], true],
        ['access token', [], [], false],
      ].sort(byJson),
    )
    assert.equal(list.text.includes(token.slice(10)), false, 'a token is never answered again')
    await call('GET', '/orgs/{org_id}/access_tokens', `/orgs/${sibling}/access_tokens`, as('tc-admin'), 404)
    await call('GET', '/orgs/{org_id}/access_tokens', path, { auth: null }, 401)
    // Another user sees only its own tokens (billing has no member.write).
    assert.deepEqual((await call('GET', '/orgs/{org_id}/access_tokens', path, as('tc-billing'), 200)).body, [])

    const fencedPath = `${path}/${fenced.body.id}`
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', fencedPath, { ...as('tc-admin'), body: { allowedIps: ['127.0.0.1'] } }, 200)
    assert.equal((await s.req('GET', `/orgs/${org}`, { auth: fenced.body.unencryptedToken })).status, 200)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', fencedPath, { ...as('tc-admin'), body: { roles: ['Support'], friendlyName: 'support robot' } }, 200)
    assert.equal((await s.req('POST', `/orgs/${org}/customers`, { auth: fenced.body.unencryptedToken, body: { name: 'Not By Support' } })).status, 403)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', fencedPath, { ...as('tc-admin'), body: { roles: ['Owner'] } }, 403)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', fencedPath, { ...as('tc-billing'), body: { roles: [] } }, 404)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', `/orgs/${sibling}/access_tokens/${fenced.body.id}`, { ...as('tc-admin'), body: {} }, 404)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', `${path}/${NOBODY}`, { ...as('tc-admin'), body: {} }, 404)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', fencedPath, { auth: null, body: {} }, 401)
    await call('PATCH', '/orgs/{org_id}/access_tokens/{token_id}', fencedPath, { ...as('tc-admin'), body: { ipRestricted: false } }, 200)
    const after = (await s.req('GET', path, as('tc-admin'))).body.find((t: { id: string }) => t.id === fenced.body.id)
    assert.deepEqual([after.friendlyName, after.roles, after.ipRestricted], ['support robot', ['Support'], false])

    await call('DELETE', '/orgs/{org_id}/access_tokens/{token_id}', `${path}/${made.body.id}`, as('tc-billing'), 404)
    await call('DELETE', '/orgs/{org_id}/access_tokens/{token_id}', `${path}/${made.body.id}`, { auth: null }, 401)
    await call('DELETE', '/orgs/{org_id}/access_tokens/{token_id}', `${path}/${made.body.id}`, as('tc-admin'), 204)
    await call('DELETE', '/orgs/{org_id}/access_tokens/{token_id}', `${path}/${made.body.id}`, as('tc-admin'), 404)
    assert.equal((await s.req('GET', `/orgs/${org}`, { auth: token })).status, 401, 'a deleted token stops working at once')
    // A readonly token may not make tokens.
    await call('POST', '/orgs/{org_id}/access_tokens', path, { auth: readOnly.body.unencryptedToken, body: { roles: [] } }, 403)
  })

  it('covered every operation it names', () => {
    const named = COVERED['enhance-members.test.ts']
    assert.deepEqual([...checked].sort(), [...named].sort())
  })
})
