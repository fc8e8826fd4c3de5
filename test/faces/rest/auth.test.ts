/**
 * Authentication over real HTTP: Basic, Bearer API keys, the session cookie, the Basic
 * credential cache, per-account throttling (across two server processes) and the rule that no
 * secret is ever answered back.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, basic, eachDialect, startServer, startServerOn, type Answer, type TestServer } from '../../helpers/harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Creates a user in `orgId` (master by default) through the API; answers its id. */
async function newUser(s: TestServer, username: string, password: string, role = 'member', orgId = s.masterId): Promise<string> {
  const r = await s.req('POST', `/orgs/${orgId}/members`, { body: { username, password, role } })
  assert.equal(r.status, 201, r.text)
  return r.body.id
}

/** The `id0` cookie an answer sets, as `id0=<token>`, or undefined. */
function sessionCookie(a: Answer): string | undefined {
  const c = a.headers.getSetCookie().find((x) => x.startsWith('id0='))
  return c?.split(';')[0]
}

function assertUnauthenticated(r: Answer): void {
  assert.equal(r.status, 401, r.text)
  assert.equal(r.body.code, 'unauthenticated')
  assert.match(r.headers.get('www-authenticate') ?? '', /Basic realm="clientele"/)
  assert.match(r.headers.get('www-authenticate') ?? '', /Bearer/)
}

function assertLocked(r: Answer): void {
  assert.equal(r.status, 429, r.text)
  assert.equal(r.body.code, 'too_many_attempts')
  const retry = Number(r.headers.get('retry-after'))
  assert.ok(Number.isInteger(retry) && retry > 0, `Retry-After should be a positive number of seconds, got ${r.headers.get('retry-after')}`)
}

eachDialect('REST authentication', (dialect) => {
  let s: TestServer
  let s2: TestServer
  before(async () => {
    s = await startServer(dialect)
    s2 = await startServerOn(s.location)
  })
  after(async () => {
    await s2.close()
    await s.close()
  })

  describe('Basic', () => {
    it('accepts the right username and password and says who the caller is', async () => {
      const r = await s.req('GET', '/identity')
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.user.username, 'admin')
      assert.equal(r.body.user.role, 'superadmin')
      assert.equal(r.body.org.id, s.masterId)
    })

    it('matches the username case-insensitively', async () => {
      assert.equal((await s.req('GET', '/identity', { auth: ['ADMIN', ADMIN_PASSWORD] })).status, 200)
    })

    it('refuses a wrong password with 401 and WWW-Authenticate', async () => {
      await newUser(s, 'wrongpw', 'right-password-1')
      assertUnauthenticated(await s.req('GET', '/identity', { auth: ['wrongpw', 'not-the-password'] }))
    })

    it('refuses an unknown user exactly like a wrong password', async () => {
      const r = await s.req('GET', '/identity', { auth: ['no-such-user', 'whatever-password'] })
      assertUnauthenticated(r)
      assert.equal(r.body.detail, 'invalid credentials')
    })

    it('refuses malformed Basic credentials', async () => {
      assertUnauthenticated(await s.req('GET', '/identity', { auth: null, headers: { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` } }))
      assertUnauthenticated(await s.req('GET', '/identity', { auth: null, headers: { authorization: 'Basic' } }))
    })
  })

  describe('schemes', () => {
    it('refuses an unknown scheme with 401', async () => {
      const r = await s.req('GET', '/identity', { auth: null, headers: { authorization: 'Digest username="admin"' } })
      assertUnauthenticated(r)
      assert.match(r.body.detail, /unsupported authorization scheme/)
    })

    it('refuses a call without credentials with 401', async () => {
      assertUnauthenticated(await s.req('GET', '/identity', { auth: null }))
      assertUnauthenticated(await s.req('GET', `/orgs/${s.masterId}`, { auth: null }))
    })
  })

  describe('Bearer API keys', () => {
    it('creates a key whose secret is shown once and works as Bearer', async () => {
      const c = await s.req('POST', '/api-keys', { body: { name: 'ci' } })
      assert.equal(c.status, 201, c.text)
      assert.equal(c.headers.get('cache-control'), 'no-store')
      assert.match(c.body.secret, /^clt_[0-9a-f]{16}_\S+$/)
      assert.equal(c.body.prefix, `clt_${c.body.id}`)
      assert.ok(c.body.secret.startsWith(c.body.prefix + '_'))
      assert.equal(c.body.type, 'full')
      assert.equal(c.body.expiresAt, null)

      const id = await s.req('GET', '/identity', { auth: c.body.secret })
      assert.equal(id.status, 200, id.text)
      assert.equal(id.body.user.username, 'admin')

      const list = await s.req('GET', '/api-keys')
      assert.equal(list.status, 200)
      const listed = list.body.items.find((k: { id: string }) => k.id === c.body.id)
      assert.ok(listed, 'the new key is listed')
      assert.equal(listed.name, 'ci')
      assert.equal('secret' in listed, false)
      assert.ok(!list.text.includes(c.body.secret), 'the key list never shows the secret')
      assert.ok(!list.text.includes(c.body.secret.slice(c.body.prefix.length + 1)), 'nor its random part')
    })

    it('refuses a wrong secret for an existing key id, and tokens of the wrong shape', async () => {
      const c = await s.req('POST', '/api-keys', { body: { name: 'tamper' } })
      const forged = `${c.body.prefix}_${'A'.repeat(43)}`
      assertUnauthenticated(await s.req('GET', '/identity', { auth: forged }))
      assertUnauthenticated(await s.req('GET', '/identity', { auth: 'not-a-key' }))
      assertUnauthenticated(await s.req('GET', '/identity', { auth: c.body.secret.slice(0, -1) }))
    })

    it('stops working once expiresAt has passed', async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString()
      const c = await s.req('POST', '/api-keys', { body: { name: 'short-lived', expiresAt } })
      assert.equal(c.status, 201, c.text)
      assert.equal(c.body.expiresAt, expiresAt)
      assert.equal((await s.req('GET', '/identity', { auth: c.body.secret })).status, 200)
      await sleep(Date.parse(expiresAt) - Date.now() + 50)
      const r = await s.req('GET', '/identity', { auth: c.body.secret })
      assertUnauthenticated(r)
      assert.match(r.body.detail, /expired/)
    })

    it('refuses an expiresAt in the past or malformed, creating nothing', async () => {
      const before = (await s.req('GET', '/api-keys')).body.items.length
      const past = await s.req('POST', '/api-keys', { body: { name: 'past', expiresAt: new Date(Date.now() - 1000).toISOString() } })
      assert.equal(past.status, 400, past.text)
      assert.equal(past.body.code, 'invalid_argument')
      const bad = await s.req('POST', '/api-keys', { body: { name: 'bad', expiresAt: 'tomorrow' } })
      assert.equal(bad.status, 400, bad.text)
      assert.equal((await s.req('GET', '/api-keys')).body.items.length, before)
    })

    it('takes a revocation into account at once, on every server process', async () => {
      const c = await s.req('POST', '/api-keys', { body: { name: 'revoke-me' } })
      assert.equal((await s.req('GET', '/identity', { auth: c.body.secret })).status, 200)
      assert.equal((await s2.req('GET', '/identity', { auth: c.body.secret })).status, 200)
      const d = await s.req('DELETE', `/api-keys/${c.body.id}`)
      assert.equal(d.status, 204, d.text)
      assertUnauthenticated(await s.req('GET', '/identity', { auth: c.body.secret }))
      assertUnauthenticated(await s2.req('GET', '/identity', { auth: c.body.secret }))
      assert.equal((await s.req('GET', '/api-keys')).body.items.some((k: { id: string }) => k.id === c.body.id), false)
      assert.equal((await s.req('DELETE', `/api-keys/${c.body.id}`)).status, 404)
    })

    it('a readonly key reads but cannot create a customer or another key (403)', async () => {
      const c = await s.req('POST', '/api-keys', { body: { name: 'ro', type: 'readonly' } })
      assert.equal(c.status, 201, c.text)
      assert.equal(c.body.type, 'readonly')
      const ro = c.body.secret as string
      assert.equal((await s.req('GET', `/orgs/${s.masterId}`, { auth: ro })).status, 200)
      const cust = await s.req('POST', `/orgs/${s.masterId}/customers`, { auth: ro, body: { name: 'Readonly Attempt' } })
      assert.equal(cust.status, 403, cust.text)
      assert.equal(cust.body.code, 'forbidden')
      const key = await s.req('POST', '/api-keys', { auth: ro, body: { name: 'escalate' } })
      assert.equal(key.status, 403, key.text)
      const list = await s.req('GET', `/orgs/${s.masterId}/customers`)
      assert.equal(list.body.items.some((o: { name: string }) => o.name === 'Readonly Attempt'), false)
    })

    it('another user cannot see or revoke my key (404)', async () => {
      await newUser(s, 'keyless', 'keyless-password')
      const c = await s.req('POST', '/api-keys', { body: { name: 'mine' } })
      const other = ['keyless', 'keyless-password'] as [string, string]
      assert.equal((await s.req('GET', '/api-keys', { auth: other })).body.items.length, 0)
      assert.equal((await s.req('DELETE', `/api-keys/${c.body.id}`, { auth: other })).status, 404)
      assert.equal((await s.req('GET', '/identity', { auth: c.body.secret })).status, 200)
    })
  })

  describe('session cookie', () => {
    it('logs in, works on /identity, and logs out for good', async () => {
      const l = await s.req('POST', '/login', { auth: null, body: { username: 'admin', password: ADMIN_PASSWORD } })
      assert.equal(l.status, 200, l.text)
      assert.equal(l.body.user.username, 'admin')
      assert.equal(l.body.org.id, s.masterId)
      assert.ok(Date.parse(l.body.expiresAt) > Date.now())
      const setCookie = l.headers.getSetCookie().find((x) => x.startsWith('id0=')) ?? ''
      assert.match(setCookie, /HttpOnly/i)
      assert.match(setCookie, /SameSite=Lax/i)
      const cookie = sessionCookie(l)!
      assert.ok(cookie && cookie.length > 'id0='.length + 20)

      const id = await s.req('GET', '/identity', { auth: null, headers: { cookie } })
      assert.equal(id.status, 200, id.text)
      assert.equal(id.body.user.username, 'admin')
      // The session is in the database: another process knows it too.
      assert.equal((await s2.req('GET', '/identity', { auth: null, headers: { cookie } })).status, 200)

      const out = await s.req('POST', '/logout', { auth: null, headers: { cookie } })
      assert.equal(out.status, 204, out.text)
      assert.match(out.headers.getSetCookie().find((x) => x.startsWith('id0=')) ?? '', /Expires=Thu, 01 Jan 1970|Max-Age=0/)
      assertUnauthenticated(await s.req('GET', '/identity', { auth: null, headers: { cookie } }))
      assertUnauthenticated(await s2.req('GET', '/identity', { auth: null, headers: { cookie } }))
    })

    it('refuses a wrong password at login without setting a cookie', async () => {
      await newUser(s, 'loginfail', 'loginfail-password')
      const l = await s.req('POST', '/login', { auth: null, body: { username: 'loginfail', password: 'nope-nope-nope' } })
      assertUnauthenticated(l)
      assert.equal(sessionCookie(l), undefined)
    })

    it('refuses a forged session cookie', async () => {
      assertUnauthenticated(await s.req('GET', '/identity', { auth: null, headers: { cookie: 'id0=forged-token-value' } }))
    })

    it("seed 003's POST /login/sessions answers memberships and sets id0", async () => {
      const l = await s.req('POST', '/login/sessions', { auth: null, body: { email: 'admin', password: ADMIN_PASSWORD } })
      assert.equal(l.status, 200, l.text)
      assert.equal(l.body.memberships.length, 1)
      const m = l.body.memberships[0]
      assert.equal(m.orgId, s.masterId)
      assert.equal(m.isMasterOrg, true)
      assert.deepEqual(m.roles, ['SuperAdmin'])
      assert.equal(typeof m.memberId, 'string')
      assert.equal(m.orgName, 'Master Organisation')
      const cookie = sessionCookie(l)!
      const id = await s.req('GET', '/identity', { auth: null, headers: { cookie } })
      assert.equal(id.status, 200)
      assert.equal(id.body.user.id, m.memberId)
    })

    it('/login/sessions works for a user named by e-mail and refuses a wrong password', async () => {
      const uid = await newUser(s, 'mail.user@example.com', 'mail-user-password', 'admin')
      const ok = await s.req('POST', '/login/sessions', { auth: null, body: { email: 'mail.user@example.com', password: 'mail-user-password' } })
      assert.equal(ok.status, 200, ok.text)
      assert.equal(ok.body.memberships[0].memberId, uid)
      assert.deepEqual(ok.body.memberships[0].roles, ['Sysadmin'])
      assertUnauthenticated(await s.req('POST', '/login/sessions', { auth: null, body: { email: 'mail.user@example.com', password: 'wrong-password' } }))
    })

    it("a password change ends the user's sessions", async () => {
      const uid = await newUser(s, 'sessy', 'sessy-password-1')
      const l = await s.req('POST', '/login', { auth: null, body: { username: 'sessy', password: 'sessy-password-1' } })
      const cookie = sessionCookie(l)!
      assert.equal((await s.req('GET', '/identity', { auth: null, headers: { cookie } })).status, 200)
      const p = await s.req('PATCH', `/orgs/${s.masterId}/members/${uid}`, { body: { password: 'sessy-password-2' } })
      assert.equal(p.status, 200, p.text)
      assertUnauthenticated(await s.req('GET', '/identity', { auth: null, headers: { cookie } }))
    })
  })

  describe('Basic credential cache', () => {
    it('after a password change the old password stops at once (on every process) and the new one works', async () => {
      const uid = await newUser(s, 'carol', 'carol-password-1')
      const old = ['carol', 'carol-password-1'] as [string, string]
      // Both processes have verified (and cached) the old password.
      assert.equal((await s.req('GET', '/identity', { auth: old })).status, 200)
      assert.equal((await s2.req('GET', '/identity', { auth: old })).status, 200)
      assert.equal((await s.req('GET', '/identity', { auth: old })).status, 200)

      const p = await s.req('PATCH', `/orgs/${s.masterId}/members/${uid}`, { body: { password: 'carol-password-2' } })
      assert.equal(p.status, 200, p.text)

      assertUnauthenticated(await s.req('GET', '/identity', { auth: old }))
      assertUnauthenticated(await s2.req('GET', '/identity', { auth: old }))
      assert.equal((await s.req('GET', '/identity', { auth: ['carol', 'carol-password-2'] })).status, 200)
      assert.equal((await s2.req('GET', '/identity', { auth: ['carol', 'carol-password-2'] })).status, 200)
    })

    it("disabling a user stops its cached Basic credentials and its keys at once; enabling restores them", async () => {
      const uid = await newUser(s, 'dave', 'dave-password-1')
      const creds = ['dave', 'dave-password-1'] as [string, string]
      assert.equal((await s.req('GET', '/identity', { auth: creds })).status, 200)
      assert.equal((await s2.req('GET', '/identity', { auth: creds })).status, 200)
      const k = await s.req('POST', '/api-keys', { auth: creds, body: { name: 'dave-key' } })
      assert.equal(k.status, 201, k.text)

      const off = await s.req('PATCH', `/orgs/${s.masterId}/members/${uid}`, { body: { enabled: false } })
      assert.equal(off.status, 200, off.text)
      assert.equal(off.body.enabled, false)
      assertUnauthenticated(await s.req('GET', '/identity', { auth: creds }))
      assertUnauthenticated(await s2.req('GET', '/identity', { auth: creds }))
      assertUnauthenticated(await s.req('GET', '/identity', { auth: k.body.secret }))
      assertUnauthenticated(await s.req('POST', '/login', { auth: null, body: { username: 'dave', password: 'dave-password-1' } }))

      const on = await s.req('PATCH', `/orgs/${s.masterId}/members/${uid}`, { body: { enabled: true } })
      assert.equal(on.status, 200, on.text)
      assert.equal((await s.req('GET', '/identity', { auth: creds })).status, 200)
      assert.equal((await s.req('GET', '/identity', { auth: k.body.secret })).status, 200)
    })

    it("a role change takes effect at once for cached credentials", async () => {
      const uid = await newUser(s, 'rolly', 'rolly-password-1', 'admin')
      const creds = ['rolly', 'rolly-password-1'] as [string, string]
      assert.equal((await s.req('GET', '/identity', { auth: creds })).body.user.role, 'admin')
      await s.req('PATCH', `/orgs/${s.masterId}/members/${uid}`, { body: { role: 'readonly' } })
      const c = await s.req('POST', `/orgs/${s.masterId}/customers`, { auth: creds, body: { name: 'Demoted Attempt' } })
      assert.equal(c.status, 403, c.text)
    })
  })

  describe('throttling', () => {
    it('after 5 failures the account answers 429 with Retry-After, even with the right password, on both processes', async () => {
      await newUser(s, 'erin', 'erin-password-1')
      for (let i = 0; i < 5; i++) {
        assertUnauthenticated(await (i % 2 ? s2 : s).req('GET', '/identity', { auth: ['erin', `wrong-${i}`] }))
      }
      assertLocked(await s.req('GET', '/identity', { auth: ['erin', 'erin-password-1'] }))
      assertLocked(await s2.req('GET', '/identity', { auth: ['erin', 'erin-password-1'] }))
      assertLocked(await s.req('POST', '/login', { auth: null, body: { username: 'erin', password: 'erin-password-1' } }))
      assertLocked(await s2.req('POST', '/login/sessions', { auth: null, body: { email: 'erin', password: 'erin-password-1' } }))
      // The lock is per account: others are unaffected.
      assert.equal((await s.req('GET', '/identity')).status, 200)
    })

    it('a lock made on one process holds on another that never saw a failure', async () => {
      await newUser(s, 'fred', 'fred-password-1')
      for (let i = 0; i < 5; i++) assertUnauthenticated(await s.req('GET', '/identity', { auth: ['fred', `wrong-${i}`] }))
      const r = await s2.req('GET', '/identity', { auth: ['fred', 'fred-password-1'] })
      assertLocked(r)
      assert.ok(Number(r.headers.get('retry-after')) <= 30)
    })

    it('a lock also refuses credentials that were verified (and cached) before it', async () => {
      await newUser(s, 'gina', 'gina-password-1')
      const right = ['gina', 'gina-password-1'] as [string, string]
      assert.equal((await s.req('GET', '/identity', { auth: right })).status, 200)
      assert.equal((await s2.req('GET', '/identity', { auth: right })).status, 200)
      for (let i = 0; i < 5; i++) assertUnauthenticated(await s.req('GET', '/identity', { auth: ['gina', `wrong-${i}`] }))
      assertLocked(await s.req('GET', '/identity', { auth: right }))
      assertLocked(await s2.req('GET', '/identity', { auth: right }))
    })

    it('a burst of concurrent wrong passwords is checked no more than the limit allows', async () => {
      await newUser(s, 'hank', 'hank-password-1')
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? s2 : s).req('GET', '/identity', { auth: ['hank', `wrong-${i}`] })),
      )
      const statuses = answers.map((a) => a.status).sort()
      assert.ok(statuses.every((x) => x === 401 || x === 429), statuses.join(','))
      assert.ok(statuses.filter((x) => x === 401).length <= 5, `at most 5 guesses may be checked, got ${statuses.join(',')}`)
      assertLocked(await s.req('GET', '/identity', { auth: ['hank', 'hank-password-1'] }))
    })

    it('once the lock has passed, the right password works again and one more failure locks anew', async () => {
      await newUser(s, 'jack', 'jack-password-1')
      await newUser(s, 'kate', 'kate-password-1')
      for (const who of ['jack', 'kate']) {
        for (let i = 0; i < 5; i++) assertUnauthenticated(await s.req('GET', '/identity', { auth: [who, `wrong-${i}`] }))
        assertLocked(await s.req('GET', '/identity', { auth: [who, `${who}-password-1`] }))
      }
      // Let the locks pass (the failures stay counted in their window).
      const past = new Date(Date.now() - 1000).toISOString()
      await s.deps.store.write((trx) => trx.updateTable('auth_throttle').set({ locked_until: past }).where('locked_until', 'is not', null).execute())

      assert.equal((await s2.req('GET', '/identity', { auth: ['jack', 'jack-password-1'] })).status, 200)
      // Jack's success cleared his count: he has five tries again.
      for (let i = 0; i < 4; i++) assertUnauthenticated(await s.req('GET', '/identity', { auth: ['jack', `again-${i}`] }))
      assert.equal((await s.req('POST', '/login', { auth: null, body: { username: 'jack', password: 'jack-password-1' } })).status, 200)

      // Kate fails once more: locked again at once, for longer than the first time.
      assertUnauthenticated(await s.req('GET', '/identity', { auth: ['kate', 'wrong-again'] }))
      const r = await s.req('GET', '/identity', { auth: ['kate', 'kate-password-1'] })
      assertLocked(r)
      assert.ok(Number(r.headers.get('retry-after')) > 30, `the second lock is longer: ${r.headers.get('retry-after')}`)
    })

    it('a success before the limit clears the count', async () => {
      await newUser(s, 'ivy', 'ivy-password-1')
      for (let i = 0; i < 4; i++) assertUnauthenticated(await s.req('GET', '/identity', { auth: ['ivy', `wrong-${i}`] }))
      assert.equal((await s.req('POST', '/login', { auth: null, body: { username: 'ivy', password: 'ivy-password-1' } })).status, 200)
      for (let i = 0; i < 4; i++) assertUnauthenticated(await s.req('GET', '/identity', { auth: ['ivy', `wrong-again-${i}`] }))
      assert.equal((await s.req('POST', '/login', { auth: null, body: { username: 'ivy', password: 'ivy-password-1' } })).status, 200)
    })
  })

  describe('secrets never answered', () => {
    it('no password, hash or key secret appears in members, identity, keys or login answers', async () => {
      const password = 'Very-Secret-Passw0rd-xyz'
      const create = await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username: 'secretive', password, role: 'admin' } })
      assert.equal(create.status, 201)
      const uid = create.body.id
      const creds = ['secretive', password] as [string, string]
      const key = await s.req('POST', '/api-keys', { auth: creds, body: { name: 'k' } })
      const secret = key.body.secret as string
      const newPassword = 'Another-Secret-Passw0rd-abc'
      const answers: Answer[] = [
        create,
        await s.req('GET', `/orgs/${s.masterId}/members/${uid}`),
        await s.req('GET', `/orgs/${s.masterId}/members`),
        await s.req('GET', '/identity', { auth: creds }),
        await s.req('GET', '/identity', { auth: secret }),
        await s.req('GET', '/api-keys', { auth: creds }),
        await s.req('GET', '/api-keys?all=true'),
        await s.req('POST', '/login', { auth: null, body: { username: 'secretive', password } }),
        await s.req('POST', '/login/sessions', { auth: null, body: { email: 'secretive', password } }),
        await s.req('PATCH', `/orgs/${s.masterId}/members/${uid}`, { auth: creds, body: { password: newPassword, currentPassword: password } }),
        await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username: 'x', password: 'short' } }),
      ]
      for (const a of answers) {
        for (const needle of [password, newPassword, secret, secret.slice(key.body.prefix.length + 1), '$argon2', 'password_hash', 'passwordHash']) {
          assert.ok(!a.text.includes(needle), `an answer (${a.status}) shows ${needle}: ${a.text.slice(0, 200)}`)
        }
        for (const [name, value] of a.headers) {
          if (name === 'set-cookie') continue
          assert.ok(!value.includes(password) && !value.includes(secret), `header ${name} shows a secret`)
        }
      }
      const member = answers[1]!.body
      assert.equal('password' in member, false)
    })
  })
})

eachDialect('identity with a readonly key', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('answers the role the caller acts with', async () => {
    const k = await s.req('POST', '/api-keys', { body: { name: 'ro', type: 'readonly' } })
    const id = await s.req('GET', '/identity', { auth: k.body.secret })
    assert.equal(id.status, 200)
    assert.equal(id.body.user.role, 'readonly')
    assert.equal((await s.req('GET', '/identity')).body.user.role, 'superadmin')
  })
})

eachDialect("seed 003's login by e-mail", (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('finds a user by a unique e-mail, case-insensitively, and refuses an ambiguous one', async () => {
    const mk = (username: string, email: string) =>
      s.req('POST', `/orgs/${s.masterId}/members`, { body: { username, email, password: 'password-123' } })
    assert.equal((await mk('mail-one', 'One@Example.com')).status, 201)
    const ok = await s.req('POST', '/login/sessions', { auth: null, body: { email: 'one@example.COM', password: 'password-123' } })
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.body.memberships[0].orgId, s.masterId)
    assert.equal((await mk('mail-two', 'shared@example.com')).status, 201)
    assert.equal((await mk('mail-three', 'shared@example.com')).status, 201)
    const amb = await s.req('POST', '/login/sessions', { auth: null, body: { email: 'shared@example.com', password: 'password-123' } })
    assert.equal(amb.status, 401)
  })

  it('purges spent throttle counters and keeps live ones', async () => {
    const { runHousekeeping } = await import('../../../src/ops/housekeeping.js')
    const old = new Date(Date.now() - 3 * 24 * 3600_000).toISOString()
    await s.deps.store.write((trx) =>
      trx.insertInto('auth_throttle').values([
        { account: 'spent', failures: 2, window_start: old, locked_until: null },
        { account: 'fresh', failures: 2, window_start: new Date().toISOString(), locked_until: null },
      ]).execute(),
    )
    const r = await runHousekeeping(s.deps)
    assert.ok(r.throttles >= 1)
    const left = (await s.deps.store.db.selectFrom('auth_throttle').select('account').execute()).map((x) => x.account)
    assert.ok(!left.includes('spent'))
    assert.ok(left.includes('fresh'))
  })
})

eachDialect('a burst of calls with the same right Basic credentials', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('all succeed on a cold cache: the burst is one password check, not one failure each', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.req('GET', '/identity')))
    assert.deepEqual(answers.map((a) => a.status), Array(20).fill(200))
  })
})
