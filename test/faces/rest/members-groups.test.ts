/**
 * Members (`/orgs/:id/members`) and groups (`/orgs/:id/groups`) over real HTTP: CRUD, who may
 * grant which role, the last-user rule, self-edit rules, ETag/If-Match, group membership and
 * tenancy (another customer's users and groups are not found).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'

type Creds = [string, string]

eachDialect('REST members and groups', (dialect) => {
  let s: TestServer
  /** Customer "Acme" with an owner, an admin, a member and a support user. */
  let acme: string
  /** Another customer, with one user. */
  let other: string
  let otherUserId: string
  const ids: Record<string, string> = {}
  const creds = (name: string): Creds => [name, `${name}-password`]

  async function createCustomer(name: string): Promise<string> {
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name } })
    assert.equal(r.status, 201, r.text)
    return r.body.id
  }

  async function createMember(orgId: string, username: string, role: string, auth?: Creds, extra: object = {}): Promise<Answer> {
    return s.req('POST', `/orgs/${orgId}/members`, { body: { username, password: `${username}-password`, role, ...extra }, ...(auth ? { auth } : {}) })
  }

  before(async () => {
    s = await startServer(dialect)
    acme = await createCustomer('Acme Widgets')
    other = await createCustomer('Other Things')
    for (const [name, role] of [
      ['acme-owner', 'owner'],
      ['acme-admin', 'admin'],
      ['acme-member', 'member'],
      ['acme-support', 'support'],
    ] as const) {
      const r = await createMember(acme, name, role)
      assert.equal(r.status, 201, r.text)
      ids[name] = r.body.id
    }
    const o = await createMember(other, 'other-user', 'owner')
    assert.equal(o.status, 201, o.text)
    otherUserId = o.body.id
  })
  after(() => s.close())

  const members = (org: string) => `/orgs/${org}/members`
  const member = (org: string, id: string) => `/orgs/${org}/members/${id}`

  describe('members CRUD', () => {
    it('creates, reads, lists, changes and deletes a member', async () => {
      const c = await createMember(acme, 'Jane.Doe', 'billing', undefined, { email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' })
      assert.equal(c.status, 201, c.text)
      const id = c.body.id
      assert.match(id, /^[0-9a-f-]{36}$/)
      assert.deepEqual(Object.keys(c.body), ['id'])
      assert.equal(c.headers.get('location'), member(acme, id))
      assert.equal(c.headers.get('etag'), '"1"')

      const g = await s.req('GET', member(acme, id))
      assert.equal(g.status, 200, g.text)
      assert.equal(g.headers.get('etag'), '"1"')
      assert.equal(g.body.id, id)
      assert.equal(g.body.orgId, acme)
      assert.equal(g.body.username, 'Jane.Doe')
      assert.equal(g.body.email, 'jane@example.com')
      assert.equal(g.body.name, 'Jane Doe')
      assert.equal(g.body.role, 'billing')
      assert.deepEqual(g.body.roles, ['Business'])
      assert.equal(g.body.enabled, true)
      assert.equal(g.body.isActive, true)
      assert.equal(g.body.version, 1)

      const l = await s.req('GET', members(acme))
      assert.equal(l.status, 200)
      assert.equal(l.body.total, 5)
      assert.deepEqual(
        l.body.items.map((u: { username: string }) => u.username),
        ['Jane.Doe', 'acme-admin', 'acme-member', 'acme-owner', 'acme-support'],
      )
      const page = await s.req('GET', `${members(acme)}?offset=1&limit=2`)
      assert.deepEqual(page.body.items.map((u: { username: string }) => u.username), ['acme-admin', 'acme-member'])
      assert.equal(page.body.total, 5)

      const p = await s.req('PATCH', member(acme, id), { body: { firstName: 'Janet', email: '' } })
      assert.equal(p.status, 200, p.text)
      assert.equal(p.body.name, 'Janet Doe')
      // Seed 003's Member requires an address: a user without one answers a placeholder no mail reaches.
      assert.deepEqual([p.body.email, p.body.hasEmail], ['Jane.Doe@no-email.invalid', false])
      assert.equal(p.body.version, 2)
      assert.equal(p.headers.get('etag'), '"2"')
      assert.equal((await s.req('GET', member(acme, id))).body.firstName, 'Janet')

      // The new member can log in.
      assert.equal((await s.req('GET', '/identity', { auth: ['jane.doe', 'Jane.Doe-password'] })).status, 200)

      const d = await s.req('DELETE', member(acme, id))
      assert.equal(d.status, 204, d.text)
      assert.equal((await s.req('GET', member(acme, id))).status, 404)
      assert.equal((await s.req('DELETE', member(acme, id))).status, 404)
      assert.equal((await s.req('GET', members(acme))).body.total, 4)
      assert.equal((await s.req('GET', '/identity', { auth: ['jane.doe', 'Jane.Doe-password'] })).status, 401)
    })

    it('refuses a username taken anywhere, in any case, with 409', async () => {
      for (const [org, name] of [
        [acme, 'ACME-OWNER'],
        [other, 'acme-owner'],
        [acme, 'admin'],
      ] as const) {
        const r = await createMember(org, name, 'member')
        assert.equal(r.status, 409, r.text)
        assert.equal(r.body.code, 'already_exists')
      }
      assert.equal((await s.req('GET', members(acme))).body.total, 4)
    })

    it('refuses invalid input with 400 and creates nothing', async () => {
      const bad: object[] = [
        { username: 'shorty', password: 'short' },
        { username: 'no spaces', password: 'long-enough-password' },
        { username: 'roleless', password: 'long-enough-password', role: 'king' },
        { username: 'extra', password: 'long-enough-password', isAdmin: true },
        { username: 'mailer', password: 'long-enough-password', email: 'not-an-email' },
        { password: 'long-enough-password' },
      ]
      for (const body of bad) {
        const r = await s.req('POST', members(acme), { body })
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`)
        assert.equal(r.body.code, 'invalid_argument')
      }
      assert.equal((await s.req('PATCH', member(acme, ids['acme-member']!), { body: { password: 'short' } })).status, 400)
      assert.equal((await s.req('PATCH', member(acme, ids['acme-member']!), { body: { username: 'renamed' } })).status, 400)
      assert.equal((await s.req('GET', members(acme))).body.total, 4)
    })

    it('answers 404 for an unknown organisation or member, and for a member under the wrong organisation', async () => {
      const nobody = '00000000-0000-4000-8000-000000000000'
      assert.equal((await s.req('GET', members(nobody))).status, 404)
      assert.equal((await createMember(nobody, 'ghost', 'member')).status, 404)
      assert.equal((await s.req('GET', member(acme, nobody))).status, 404)
      assert.equal((await s.req('GET', member(acme, 'not-a-uuid'))).status, 404)
      assert.equal((await s.req('GET', member(acme, otherUserId))).status, 404)
      assert.equal((await s.req('PATCH', member(acme, otherUserId), { body: { firstName: 'X' } })).status, 404)
      assert.equal((await s.req('DELETE', member(acme, otherUserId))).status, 404)
    })
  })

  describe('roles: who may grant what', () => {
    it('an owner cannot grant superadmin (403), on create or change', async () => {
      const c = await createMember(acme, 'would-be-super', 'superadmin', creds('acme-owner'))
      assert.equal(c.status, 403, c.text)
      assert.equal(c.body.code, 'forbidden')
      const p = await s.req('PATCH', member(acme, ids['acme-member']!), { auth: creds('acme-owner'), body: { role: 'superadmin' } })
      assert.equal(p.status, 403, p.text)
      assert.equal((await s.req('GET', member(acme, ids['acme-member']!))).body.role, 'member')
      assert.equal((await s.req('GET', members(acme))).body.items.some((u: { username: string }) => u.username === 'would-be-super'), false)
    })

    it('a superadmin may grant superadmin; an owner may grant owner', async () => {
      const sup = await createMember(acme, 'acme-super', 'superadmin')
      assert.equal(sup.status, 201, sup.text)
      const own = await createMember(acme, 'acme-owner-2', 'owner', creds('acme-owner'))
      assert.equal(own.status, 201, own.text)
      // An owner may not change or delete the superadmin it could not have made.
      assert.equal((await s.req('PATCH', member(acme, sup.body.id), { auth: creds('acme-owner'), body: { firstName: 'X' } })).status, 403)
      assert.equal((await s.req('DELETE', member(acme, sup.body.id), { auth: creds('acme-owner') })).status, 403)
      assert.equal((await s.req('DELETE', member(acme, sup.body.id))).status, 204)
      assert.equal((await s.req('DELETE', member(acme, own.body.id), { auth: creds('acme-owner') })).status, 204)
    })

    it('an admin cannot create, promote to, change or delete an owner (403)', async () => {
      const admin = creds('acme-admin')
      assert.equal((await createMember(acme, 'admin-made-owner', 'owner', admin)).status, 403)
      const promote = await s.req('PATCH', member(acme, ids['acme-member']!), { auth: admin, body: { role: 'owner' } })
      assert.equal(promote.status, 403, promote.text)
      const change = await s.req('PATCH', member(acme, ids['acme-owner']!), { auth: admin, body: { lastName: 'Renamed' } })
      assert.equal(change.status, 403, change.text)
      assert.equal(change.body.code, 'forbidden')
      const pw = await s.req('PATCH', member(acme, ids['acme-owner']!), { auth: admin, body: { password: 'taken-over-password' } })
      assert.equal(pw.status, 403, pw.text)
      const disable = await s.req('PATCH', member(acme, ids['acme-owner']!), { auth: admin, body: { enabled: false } })
      assert.equal(disable.status, 403, disable.text)
      assert.equal((await s.req('DELETE', member(acme, ids['acme-owner']!), { auth: admin })).status, 403)
      const owner = await s.req('GET', member(acme, ids['acme-owner']!))
      assert.equal(owner.body.lastName, '')
      assert.equal(owner.body.enabled, true)
      assert.equal(owner.body.version, 1)
      assert.equal((await s.req('GET', '/identity', { auth: creds('acme-owner') })).status, 200)
    })

    it('an admin manages members up to admin', async () => {
      const admin = creds('acme-admin')
      const c = await createMember(acme, 'admin-made', 'admin', admin)
      assert.equal(c.status, 201, c.text)
      const p = await s.req('PATCH', member(acme, c.body.id), { auth: admin, body: { role: 'member' } })
      assert.equal(p.status, 200, p.text)
      assert.equal(p.body.role, 'member')
      assert.deepEqual(p.body.roles, ['SiteAccess'])
      assert.equal((await s.req('DELETE', member(acme, c.body.id), { auth: admin })).status, 204)
    })

    it('members and support users cannot manage members (403), but may read them', async () => {
      for (const who of ['acme-member', 'acme-support']) {
        const auth = creds(who)
        assert.equal((await s.req('GET', members(acme), { auth })).status, 200)
        assert.equal((await createMember(acme, `${who}-made`, 'member', auth)).status, 403)
        assert.equal((await s.req('PATCH', member(acme, ids['acme-admin']!), { auth, body: { firstName: 'X' } })).status, 403)
        assert.equal((await s.req('DELETE', member(acme, ids['acme-admin']!), { auth })).status, 403)
      }
      assert.equal((await s.req('GET', member(acme, ids['acme-admin']!))).body.version, 1)
    })

    it("a customer's users cannot see or touch the provider's or another customer's members (404)", async () => {
      const owner = creds('acme-owner')
      assert.equal((await s.req('GET', members(s.masterId), { auth: owner })).status, 404)
      assert.equal((await s.req('GET', members(other), { auth: owner })).status, 404)
      assert.equal((await createMember(other, 'intruder', 'member', owner)).status, 404)
      assert.equal((await s.req('PATCH', member(other, otherUserId), { auth: owner, body: { firstName: 'X' } })).status, 404)
      assert.equal((await s.req('DELETE', member(other, otherUserId), { auth: owner })).status, 404)
    })
  })

  describe('deleting', () => {
    it("refuses to delete an organisation's last user with 409 failed_precondition", async () => {
      const lone = await createCustomer('Lonely Ltd')
      const u = await createMember(lone, 'lonely-one', 'owner')
      const d = await s.req('DELETE', member(lone, u.body.id))
      assert.equal(d.status, 409, d.text)
      assert.equal(d.body.code, 'failed_precondition')
      assert.equal((await s.req('GET', member(lone, u.body.id))).status, 200)
      // With a second user, the first may go; then the second is the last.
      const u2 = await createMember(lone, 'lonely-two', 'member')
      assert.equal((await s.req('DELETE', member(lone, u.body.id))).status, 204)
      const d2 = await s.req('DELETE', member(lone, u2.body.id))
      assert.equal(d2.status, 409)
      assert.equal(d2.body.code, 'failed_precondition')
    })

    it('two concurrent deletes cannot take an organisation below one user', async () => {
      for (let round = 0; round < 3; round++) {
        const org = await createCustomer(`Race Ltd ${round}`)
        const a = await createMember(org, `race-a-${round}`, 'owner')
        const b = await createMember(org, `race-b-${round}`, 'owner')
        const answers = await Promise.all([s.req('DELETE', member(org, a.body.id)), s.req('DELETE', member(org, b.body.id))])
        const statuses = answers.map((x) => x.status).sort()
        assert.deepEqual(statuses, [204, 409], answers.map((x) => x.text).join('\n'))
        assert.equal((await s.req('GET', members(org))).body.total, 1)
      }
    })

    it('nobody deletes themselves', async () => {
      const d = await s.req('DELETE', member(acme, ids['acme-owner']!), { auth: creds('acme-owner') })
      assert.equal(d.status, 409, d.text)
      assert.equal(d.body.code, 'failed_precondition')
      assert.equal((await s.req('GET', member(acme, ids['acme-owner']!))).status, 200)
    })
  })

  describe('self-edit', () => {
    let selfId: string
    before(async () => {
      const r = await createMember(acme, 'selfie', 'member')
      selfId = r.body.id
    })

    it('a member changes its own names and e-mail', async () => {
      const r = await s.req('PATCH', member(acme, selfId), { auth: creds('selfie'), body: { firstName: 'Sel', lastName: 'Fie', email: 'selfie@example.com' } })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.name, 'Sel Fie')
      assert.equal(r.body.email, 'selfie@example.com')
    })

    it('its own password needs currentPassword: missing 400, wrong 403, right 200', async () => {
      const auth = creds('selfie')
      const missing = await s.req('PATCH', member(acme, selfId), { auth, body: { password: 'selfie-new-password' } })
      assert.equal(missing.status, 400, missing.text)
      assert.equal(missing.body.code, 'invalid_argument')
      assert.equal(missing.body.field, 'currentPassword')
      const wrong = await s.req('PATCH', member(acme, selfId), { auth, body: { password: 'selfie-new-password', currentPassword: 'not-it-at-all' } })
      assert.equal(wrong.status, 403, wrong.text)
      assert.equal((await s.req('GET', '/identity', { auth })).status, 200, 'the password is unchanged')

      const right = await s.req('PATCH', member(acme, selfId), { auth, body: { password: 'selfie-new-password', currentPassword: 'selfie-password' } })
      assert.equal(right.status, 200, right.text)
      assert.equal((await s.req('GET', '/identity', { auth })).status, 401)
      assert.equal((await s.req('GET', '/identity', { auth: ['selfie', 'selfie-new-password'] })).status, 200)
    })

    it('an admin sets another user’s password without currentPassword', async () => {
      const r = await s.req('PATCH', member(acme, selfId), { auth: creds('acme-admin'), body: { password: 'selfie-password' } })
      assert.equal(r.status, 200, r.text)
      assert.equal((await s.req('GET', '/identity', { auth: creds('selfie') })).status, 200)
    })

    it('guesses at currentPassword are throttled like logins', async () => {
      const u = await createMember(acme, 'guessed', 'member')
      const auth = creds('guessed')
      // A session stands in for a stolen cookie: it keeps working while the password is locked.
      const login = await s.req('POST', '/login', { auth: null, body: { username: 'guessed', password: 'guessed-password' } })
      const cookie = login.headers.getSetCookie().find((x) => x.startsWith('id0='))!.split(';')[0]!
      const answers: number[] = []
      for (let i = 0; i < 6; i++) {
        const r = await s.req('PATCH', member(acme, u.body.id), { auth: null, headers: { cookie }, body: { password: 'guessed-new-password', currentPassword: `guess-${i}` } })
        answers.push(r.status)
      }
      assert.deepEqual(answers, [403, 403, 403, 403, 403, 429])
      const right = await s.req('PATCH', member(acme, u.body.id), { auth: null, headers: { cookie }, body: { password: 'guessed-new-password', currentPassword: 'guessed-password' } })
      assert.equal(right.status, 429, right.text)
      assert.ok(Number(right.headers.get('retry-after')) > 0)
      // The guesses locked out the session that made them, not the owner, who logs in as usual.
      assert.equal((await s.req('GET', '/identity', { auth })).status, 200)
    })

    it('a readonly user or a readonly key cannot change even its own profile (403)', async () => {
      const ro = await createMember(acme, 'reader', 'readonly')
      const r1 = await s.req('PATCH', member(acme, ro.body.id), { auth: creds('reader'), body: { firstName: 'Changed' } })
      assert.equal(r1.status, 403, r1.text)
      const key = await s.req('POST', '/api-keys', { auth: creds('acme-owner'), body: { name: 'ro', type: 'readonly' } })
      assert.equal(key.status, 201, key.text)
      const r2 = await s.req('PATCH', member(acme, ids['acme-owner']!), { auth: key.body.secret, body: { firstName: 'Changed' } })
      assert.equal(r2.status, 403, r2.text)
      const r3 = await s.req('PATCH', member(acme, ids['acme-owner']!), {
        auth: key.body.secret,
        body: { password: 'hijacked-password', currentPassword: 'acme-owner-password' },
      })
      assert.equal(r3.status, 403, r3.text)
      assert.equal((await s.req('GET', member(acme, ro.body.id))).body.firstName, '')
      assert.equal((await s.req('GET', member(acme, ids['acme-owner']!))).body.firstName, '')
      assert.equal((await s.req('GET', '/identity', { auth: creds('acme-owner') })).status, 200)
    })

    it('nobody changes their own role or enabled flag (403)', async () => {
      for (const who of ['selfie', 'acme-owner']) {
        const id = who === 'selfie' ? selfId : ids['acme-owner']!
        const role = await s.req('PATCH', member(acme, id), { auth: creds(who), body: { role: 'superadmin' } })
        assert.equal(role.status, 403, role.text)
        const up = await s.req('PATCH', member(acme, id), { auth: creds(who), body: { role: who === 'selfie' ? 'admin' : 'owner' } })
        assert.equal(up.status, 403, up.text)
        const off = await s.req('PATCH', member(acme, id), { auth: creds(who), body: { enabled: false } })
        assert.equal(off.status, 403, off.text)
      }
      assert.equal((await s.req('GET', member(acme, selfId))).body.role, 'member')
    })
  })

  describe('ETag and If-Match', () => {
    it('a stale If-Match answers 412 and changes nothing; the current one succeeds', async () => {
      const c = await createMember(acme, 'etag-user', 'member')
      const id = c.body.id
      const g = await s.req('GET', member(acme, id))
      const tag = g.headers.get('etag')!
      assert.equal(tag, '"1"')
      const ok = await s.req('PATCH', member(acme, id), { body: { firstName: 'One' }, headers: { 'if-match': tag } })
      assert.equal(ok.status, 200, ok.text)
      assert.equal(ok.headers.get('etag'), '"2"')

      const stale = await s.req('PATCH', member(acme, id), { body: { firstName: 'Stale' }, headers: { 'if-match': tag } })
      assert.equal(stale.status, 412, stale.text)
      assert.equal(stale.body.code, 'version_mismatch')
      assert.equal((await s.req('GET', member(acme, id))).body.firstName, 'One')

      assert.equal((await s.req('PATCH', member(acme, id), { body: { firstName: 'Weak' }, headers: { 'if-match': 'W/"2"' } })).status, 200)
      assert.equal((await s.req('PATCH', member(acme, id), { body: { firstName: 'Any' }, headers: { 'if-match': '*' } })).status, 200)
      assert.equal((await s.req('PATCH', member(acme, id), { body: { firstName: 'Junk' }, headers: { 'if-match': 'junk' } })).status, 412)

      const delStale = await s.req('DELETE', member(acme, id), { headers: { 'if-match': '"2"' } })
      assert.equal(delStale.status, 412, delStale.text)
      assert.equal((await s.req('GET', member(acme, id))).status, 200)
      const cur = (await s.req('GET', member(acme, id))).headers.get('etag')!
      assert.equal(cur, '"4"')
      assert.equal((await s.req('DELETE', member(acme, id), { headers: { 'if-match': cur } })).status, 204)
    })
  })

  describe('groups', () => {
    const groups = (org: string) => `/orgs/${org}/groups`

    it('creates (201 {id}), lists and deletes groups', async () => {
      const c = await s.req('POST', groups(acme), { body: { name: 'Engineers', description: 'the builders' } })
      assert.equal(c.status, 201, c.text)
      assert.deepEqual(Object.keys(c.body), ['id'])
      assert.equal(c.headers.get('location'), `${groups(acme)}/${c.body.id}`)
      const c2 = await s.req('POST', groups(acme), { body: { name: 'Accounts' } })
      assert.equal(c2.status, 201, c2.text)

      const l = await s.req('GET', groups(acme))
      assert.equal(l.status, 200)
      assert.equal(l.body.total, 2)
      assert.deepEqual(l.body.items.map((g: { name: string }) => g.name), ['Accounts', 'Engineers'])
      const eng = l.body.items.find((g: { id: string }) => g.id === c.body.id)
      assert.equal(eng.orgId, acme)
      assert.equal(eng.description, 'the builders')
      assert.equal((await s.req('GET', groups(other))).body.total, 0)

      assert.equal((await s.req('DELETE', `${groups(acme)}/${c2.body.id}`)).status, 204)
      assert.equal((await s.req('DELETE', `${groups(acme)}/${c2.body.id}`)).status, 404)
      assert.deepEqual((await s.req('GET', groups(acme))).body.items.map((g: { name: string }) => g.name), ['Engineers'])
    })

    it('refuses a duplicate name in one organisation (409) but not in another', async () => {
      assert.equal((await s.req('POST', groups(acme), { body: { name: 'Dupes' } })).status, 201)
      const d = await s.req('POST', groups(acme), { body: { name: 'Dupes' } })
      assert.equal(d.status, 409, d.text)
      assert.equal(d.body.code, 'already_exists')
      const padded = await s.req('POST', groups(acme), { body: { name: '  Dupes ' } })
      assert.equal(padded.status, 409, padded.text)
      assert.equal((await s.req('POST', groups(other), { body: { name: 'Dupes' } })).status, 201)
      assert.equal((await s.req('GET', groups(acme))).body.items.filter((g: { name: string }) => g.name === 'Dupes').length, 1)
    })

    it('refuses invalid group input with 400', async () => {
      for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x', colour: 'red' }, { name: 'x'.repeat(201) }]) {
        const r = await s.req('POST', groups(acme), { body })
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`)
      }
    })

    it('support users manage groups; members cannot (403)', async () => {
      const sup = await s.req('POST', groups(acme), { auth: creds('acme-support'), body: { name: 'Helpdesk' } })
      assert.equal(sup.status, 201, sup.text)
      const mem = await s.req('POST', groups(acme), { auth: creds('acme-member'), body: { name: 'Members Club' } })
      assert.equal(mem.status, 403, mem.text)
      assert.equal((await s.req('DELETE', `${groups(acme)}/${sup.body.id}`, { auth: creds('acme-member') })).status, 403)
      assert.equal((await s.req('GET', groups(acme), { auth: creds('acme-member') })).status, 200)
      assert.equal((await s.req('DELETE', `${groups(acme)}/${sup.body.id}`, { auth: creds('acme-support') })).status, 204)
    })

    it("another customer's groups are not found (404)", async () => {
      const g = await s.req('POST', groups(other), { body: { name: 'Theirs' } })
      const owner = creds('acme-owner')
      assert.equal((await s.req('GET', groups(other), { auth: owner })).status, 404)
      assert.equal((await s.req('POST', groups(other), { auth: owner, body: { name: 'Planted' } })).status, 404)
      assert.equal((await s.req('DELETE', `${groups(other)}/${g.body.id}`, { auth: owner })).status, 404)
      // Nor through the wrong organisation's path.
      assert.equal((await s.req('DELETE', `${groups(acme)}/${g.body.id}`)).status, 404)
      assert.equal((await s.req('GET', `${groups(acme)}/${g.body.id}/members`)).status, 404)
      assert.equal((await s.req('GET', groups(other))).body.items.some((x: { name: string }) => x.name === 'Theirs'), true)
    })

    it('adds, lists and removes members of a group', async () => {
      const g = await s.req('POST', groups(acme), { body: { name: 'Team' } })
      const gm = `${groups(acme)}/${g.body.id}/members`
      assert.deepEqual((await s.req('GET', gm)).body, { items: [], total: 0 })
      assert.equal((await s.req('POST', gm, { body: { userId: ids['acme-member'] } })).status, 204)
      assert.equal((await s.req('POST', gm, { auth: creds('acme-support'), body: { userId: ids['acme-admin'] } })).status, 204)
      // Adding twice keeps one membership.
      assert.equal((await s.req('POST', gm, { body: { userId: ids['acme-member'] } })).status, 204)
      const l = await s.req('GET', gm)
      assert.equal(l.status, 200)
      assert.equal(l.body.total, 2)
      assert.deepEqual(l.body.items.map((u: { username: string }) => u.username), ['acme-admin', 'acme-member'])
      assert.equal('password' in l.body.items[0], false)

      assert.equal((await s.req('POST', gm, { auth: creds('acme-member'), body: { userId: ids['acme-owner'] } })).status, 403)
      assert.equal((await s.req('DELETE', `${gm}/${ids['acme-member']}`)).status, 204)
      const again = await s.req('DELETE', `${gm}/${ids['acme-member']}`)
      assert.equal(again.status, 404, again.text)
      assert.deepEqual((await s.req('GET', gm)).body.items.map((u: { username: string }) => u.username), ['acme-admin'])
      assert.equal((await s.req('POST', gm, { body: { userId: ids['acme-member'], role: 'x' } })).status, 400)
      assert.equal((await s.req('POST', gm, { body: {} })).status, 400)
    })

    it('a user from another customer (or the provider, or nobody) cannot be added (404)', async () => {
      const g = await s.req('POST', groups(acme), { body: { name: 'Closed' } })
      const gm = `${groups(acme)}/${g.body.id}/members`
      const adminId = (await s.req('GET', '/identity')).body.user.id
      for (const userId of [otherUserId, adminId, '00000000-0000-4000-8000-000000000000', 'nope']) {
        const r = await s.req('POST', gm, { body: { userId } })
        assert.equal(r.status, 404, `${userId}: ${r.text}`)
        assert.equal(r.body.code, 'not_found')
      }
      assert.equal((await s.req('GET', gm)).body.total, 0)
      assert.equal((await s.req('DELETE', `${gm}/${otherUserId}`)).status, 404)
    })

    it('deleting a user leaves its groups; deleting a group leaves its users', async () => {
      const g = await s.req('POST', groups(acme), { body: { name: 'Transient' } })
      const gm = `${groups(acme)}/${g.body.id}/members`
      const u = await createMember(acme, 'transient-user', 'member')
      await s.req('POST', gm, { body: { userId: u.body.id } })
      await s.req('POST', gm, { body: { userId: ids['acme-support'] } })
      assert.equal((await s.req('DELETE', member(acme, u.body.id))).status, 204)
      assert.deepEqual((await s.req('GET', gm)).body.items.map((x: { username: string }) => x.username), ['acme-support'])
      assert.equal((await s.req('DELETE', `${groups(acme)}/${g.body.id}`)).status, 204)
      assert.equal((await s.req('GET', gm)).status, 404)
      assert.equal((await s.req('GET', member(acme, ids['acme-support']!))).status, 200)
    })
  })
})
