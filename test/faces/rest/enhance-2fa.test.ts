/**
 * Seed 003's second factor by e-mail PIN (`verify2FA`, `resendPin`, and `createSession`'s 201
 * `SessionResult`) held to Enhance's published OpenAPI document, on both databases: with the
 * factor on, the password alone opens no session (the pending cookie opens nothing), the mailed
 * PIN does, once; five tries kill a pending login; a resent PIN replaces the old; a password
 * change or turning the factor off voids a pending login; the PIN is in no log line and no
 * outbox listing; Basic credentials and API keys stay single-factor; turning the factor on or
 * off needs the current password. Mail is read from the outbox through the store.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { conformanceCaller } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'
import { mailBodyAad } from '../../../src/core/mail.js'

/** A logger that keeps every line, to show that no PIN is ever logged. */
function capturingLogger() {
  const lines: string[] = []
  const keep = (obj: unknown, msg?: string) => lines.push(JSON.stringify(obj, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)) + (msg ?? ''))
  return { lines, logger: { info: keep, warn: keep, error: keep } }
}

const cookieOf = (r: { headers: Headers }) => r.headers.get('set-cookie')!.split(';')[0]!

eachDialect("seed 003's second factor by e-mail PIN against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  let skew = 0
  const log = capturingLogger()
  const checked = new Set<string>()
  /** For this file's operations (the ledger's list). */
  const call = conformanceCaller(() => s, checked)
  /** For the operations other files cover, still held to the document. */
  const also = conformanceCaller(() => s, new Set<string>())
  const pins: string[] = []
  let org: string
  const PASSWORD = (u: string) => `${u}-password-1`

  before(async () => {
    s = await startServer(dialect, { worker: false }, { logger: log.logger, clock: () => Date.now() + skew })
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Second Factor Customer' } })
    org = r.body.id
    for (const username of ['pia', 'wes', 'rex', 'pat', 'hal', 'dee', 'flo']) {
      const u = await s.req('POST', `/orgs/${org}/members`, { body: { username, password: PASSWORD(username), role: 'owner', email: `${username}@example.com` } })
      assert.equal(u.status, 201, u.text)
    }
    const nora = await s.req('POST', `/orgs/${org}/members`, { body: { username: 'nora', password: PASSWORD('nora'), role: 'owner' } })
    assert.equal(nora.status, 201, nora.text)
  })
  after(() => s.close())

  /** The PIN mailed last to `address`, read from the outbox as only the worker does. */
  async function lastPin(address: string): Promise<string> {
    const row = await s.deps.store.db.selectFrom('mail_outbox').selectAll().where('recipient', '=', address).orderBy('id', 'desc').executeTakeFirstOrThrow()
    assert.ok(row.body.startsWith('sealed:v1:'), 'the body is sealed at rest')
    const pin = /\b([0-9]{6})\b/.exec(String(s.deps.secrets.open(row.body, mailBodyAad(row.guid))))![1]!
    assert.ok(!row.subject.includes(pin), 'the PIN is in no subject')
    pins.push(pin)
    return pin
  }

  const mailCount = async (address: string) => (await s.deps.store.db.selectFrom('mail_outbox').select('id').where('recipient', '=', address).execute()).length

  async function enable(username: string) {
    await also('PATCH', '/login', '/login', { auth: [username, PASSWORD(username)], body: { authMethod: 'email', currentPassword: PASSWORD(username) } }, 200)
  }

  /** A password login of `username` with the factor on: its pending cookie and the PIN mailed. */
  async function pendingLogin(username: string, password = PASSWORD(username)) {
    const r = await also('POST', '/login/sessions', '/login/sessions', { auth: null, body: { email: `${username}@example.com`, password } }, 201)
    assert.deepEqual(r.body, { authMethod: 'email' })
    return { cookie: cookieOf(r), setCookie: r.headers.get('set-cookie')!, pin: await lastPin(`${username}@example.com`) }
  }

  const verify = (cookie: string | null, pin: string, expect: number, extra: Record<string, unknown> = {}) =>
    call('POST', '/login/2fa', '/login/2fa', { auth: null, ...(cookie ? { headers: { cookie } } : {}), body: { authMethod: 'email', pin, ...extra } }, expect)
  const resend = (cookie: string | null, expect: number, authMethod = 'email') =>
    call('POST', '/login/2fa/resend-pin', '/login/2fa/resend-pin', { auth: null, ...(cookie ? { headers: { cookie } } : {}), body: { authMethod } }, expect)

  it('turning the factor on needs the current password and an address; the login then answers authMethod email', async () => {
    const pia = { auth: ['pia', PASSWORD('pia')] as [string, string] }
    await also('PATCH', '/login', '/login', { ...pia, body: { authMethod: 'email' } }, 403)
    await also('PATCH', '/login', '/login', { ...pia, body: { authMethod: 'email', currentPassword: 'wrong-password' } }, 403)
    await also('PATCH', '/login', '/login', { ...pia, body: { authMethod: 'otp', currentPassword: PASSWORD('pia') } }, 400)
    await also('PATCH', '/login', '/login', { auth: ['nora', PASSWORD('nora')], body: { authMethod: 'email', currentPassword: PASSWORD('nora') } }, 400)
    assert.equal((await also('GET', '/login', '/login', pia, 200)).body.authMethod, 'basic')
    await enable('pia')
    assert.equal((await also('GET', '/login', '/login', pia, 200)).body.authMethod, 'email')
    const member = await s.req('GET', `/orgs/${org}/members`)
    assert.equal(member.body.items.find((m: { username: string }) => m.username === 'pia').authMethod, 'email')
    // Setting it to what it is needs nothing; an address may not be cleared while it is on.
    await also('PATCH', '/login', '/login', { ...pia, body: { authMethod: 'email' } }, 200)
    await also('PATCH', '/login', '/login', { ...pia, body: { email: '' } }, 400, 'invalid')
    // Nobody turns it on or off for someone else.
    const other = await s.req('PATCH', `/orgs/${org}/members/${member.body.items.find((m: { username: string }) => m.username === 'wes').id}`, { body: { authMethod: 'email' } })
    assert.equal(other.status, 400, other.text)
  })

  it('the password alone opens no session: the pending cookie gets 401; the mailed PIN opens one, once', async () => {
    const p = await pendingLogin('pia')
    assert.match(p.setCookie, /^id0=[^;]+;/)
    assert.match(p.setCookie, /Max-Age=600/)
    assert.match(p.setCookie, /HttpOnly/)
    assert.match(p.setCookie, /SameSite=Lax/)
    await also('GET', '/login', '/login', { auth: null, headers: { cookie: p.cookie } }, 401)
    assert.equal((await s.req('GET', '/login/sessions', { auth: null, headers: { cookie: p.cookie } })).status, 401)
    assert.equal((await s.req('GET', '/identity', { auth: null, headers: { cookie: p.cookie } })).status, 401)
    // Clientele's own login answers the same.
    const own = await s.req('POST', '/login', { auth: null, body: { username: 'pia', password: PASSWORD('pia') } })
    assert.deepEqual([own.status, own.body], [201, { authMethod: 'email' }])
    await lastPin('pia@example.com')
    // A wrong password is still 401, and mails nothing.
    const before = await mailCount('pia@example.com')
    await also('POST', '/login/sessions', '/login/sessions', { auth: null, body: { email: 'pia@example.com', password: 'wrong-password' } }, 401)
    assert.equal(await mailCount('pia@example.com'), before)

    // Bad input changes nothing (and counts no try).
    await verify(p.cookie, p.pin, 400, { authMethod: 'otp' })
    await verify(p.cookie, 'abcdef', 400)
    await call('POST', '/login/2fa', '/login/2fa', { auth: null, headers: { cookie: p.cookie }, body: { pin: p.pin } }, 400, 'invalid')
    await verify(null, p.pin, 401)
    await verify('id0=not-a-pending-login', p.pin, 401)

    // Of two concurrent verifications with the right PIN, one opens the session.
    const both = await Promise.all([0, 1].map(() => s.req('POST', '/login/2fa', { auth: null, headers: { cookie: p.cookie }, body: { authMethod: 'email', pin: p.pin, rememberMe: { deviceId: 'laptop', ttl: 86400 } } })))
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 401], both.map((r) => r.text).join(' | '))
    const won = both.find((r) => r.status === 200)!
    assert.equal(won.text, '')
    assert.match(won.headers.get('set-cookie')!, /Max-Age=43200/)
    const session = cookieOf(won)
    assert.notEqual(session, p.cookie)
    const me = await also('GET', '/login', '/login', { auth: null, headers: { cookie: session } }, 200)
    assert.equal(me.body.authMethod, 'email')
    // Once: the pending cookie and its PIN are used up.
    await verify(p.cookie, p.pin, 401, { rememberMe: { deviceId: 'laptop', ttl: 86400 } })
    // The session opened is recorded as a request of the login.
    const req = await s.deps.store.db.selectFrom('requests').select(['operation', 'via']).where('operation', '=', 'session.openWithPin').execute()
    assert.deepEqual(req, [{ operation: 'session.openWithPin', via: 'pin' }])
  })

  it('five tries kill a pending login; wrong PINs are throttled per source as password guesses are', async () => {
    await enable('wes')
    const p = await pendingLogin('wes')
    const wrong = p.pin === '000000' ? '000001' : '000000'
    for (let i = 0; i < 5; i++) await verify(p.cookie, wrong, 401)
    // The source is locked out of the login (429, Retry-After) ...
    const locked = await s.req('POST', '/login/2fa', { auth: null, headers: { cookie: p.cookie }, body: { authMethod: 'email', pin: p.pin } })
    assert.equal(locked.status, 429, locked.text)
    assert.ok(locked.headers.get('retry-after'))
    // ... and once the lock has passed, the right PIN finds the pending login dead.
    skew += 31_000
    await verify(p.cookie, p.pin, 401)
    await resend(p.cookie, 401)
  })

  it('a resent PIN replaces the old one and gives the full time again; at most five a login', async () => {
    await enable('rex')
    const p = await pendingLogin('rex')
    await resend(null, 401)
    await resend(p.cookie, 400, 'otp')
    const r = await resend(p.cookie, 200)
    assert.equal(cookieOf(r), p.cookie)
    assert.match(r.headers.get('set-cookie')!, /Max-Age=600/)
    const second = await lastPin('rex@example.com')
    if (second !== p.pin) await verify(p.cookie, p.pin, 401)
    await verify(p.cookie, second, 200)

    const q = await pendingLogin('rex')
    for (let i = 0; i < 4; i++) await resend(q.cookie, 200)
    const more = await s.req('POST', '/login/2fa/resend-pin', { auth: null, headers: { cookie: q.cookie }, body: { authMethod: 'email' } })
    assert.equal(more.status, 429, more.text)
    await verify(q.cookie, await lastPin('rex@example.com'), 200)
  })

  it('a password change, or turning the factor off, voids a pending login', async () => {
    await enable('pat')
    const p = await pendingLogin('pat')
    // Basic credentials stay single-factor: they change the password.
    await also('PATCH', '/login', '/login', { auth: ['pat', PASSWORD('pat')], body: { password: 'pat-password-2', currentPassword: PASSWORD('pat') } }, 200)
    await verify(p.cookie, p.pin, 401)

    const q = await pendingLogin('pat', 'pat-password-2')
    await also('PATCH', '/login', '/login', { auth: ['pat', 'pat-password-2'], body: { authMethod: 'basic' } }, 403)
    await also('PATCH', '/login', '/login', { auth: ['pat', 'pat-password-2'], body: { authMethod: 'basic', currentPassword: 'pat-password-2' } }, 200)
    await verify(q.cookie, q.pin, 401)
    // Off: the password opens a session again.
    const r = await also('POST', '/login/sessions', '/login/sessions', { auth: null, body: { email: 'pat@example.com', password: 'pat-password-2' } }, 200)
    assert.equal(r.body.memberships.length, 1)
  })

  it('a disable, or a log-out before the PIN, voids a pending login', async () => {
    await enable('dee')
    const p = await pendingLogin('dee')
    await s.req('POST', '/logout', { auth: null, headers: { cookie: p.cookie } })
    await verify(p.cookie, p.pin, 401)
    const q = await pendingLogin('dee')
    const members = await s.req('GET', `/orgs/${org}/members`)
    const dee = members.body.items.find((m: { username: string }) => m.username === 'dee').id
    assert.equal((await s.req('PATCH', `/orgs/${org}/members/${dee}`, { body: { enabled: false } })).status, 200)
    await verify(q.cookie, q.pin, 401)
  })

  it('a login is mailed at most ten PINs in fifteen minutes (then 429), so nobody holding the password floods the inbox', async () => {
    await enable('flo')
    for (let i = 0; i < 10; i++) await pendingLogin('flo')
    // 429 is Clientele's, as for a throttled password (the document lists none).
    const r = await s.req('POST', '/login/sessions', { auth: null, body: { email: 'flo@example.com', password: PASSWORD('flo') } })
    assert.equal(r.status, 429, r.text)
    assert.ok(r.headers.get('retry-after'))
    assert.equal(await mailCount('flo@example.com'), 10)
  })

  it('Basic credentials and API keys stay single-factor', async () => {
    await enable('hal')
    const basic = await also('GET', '/login', '/login', { auth: ['hal', PASSWORD('hal')] }, 200)
    assert.equal(basic.body.authMethod, 'email')
    const key = await s.req('POST', '/api-keys', { auth: ['hal', PASSWORD('hal')], body: { name: 'script' } })
    assert.equal(key.status, 201, key.text)
    assert.equal((await also('GET', '/login', '/login', { auth: key.body.secret }, 200)).body.authMethod, 'email')
  })

  it('a pending login runs out after ten minutes, and housekeeping drops it', async () => {
    const p = await pendingLogin('hal')
    skew += 10 * 60_000 + 1000
    await verify(p.cookie, p.pin, 401)
    await resend(p.cookie, 401)
    const { runHousekeeping } = await import('../../../src/ops/housekeeping.js')
    const r = await runHousekeeping(s.deps)
    assert.ok(r.loginChallenges >= 1)
    const left = await s.deps.store.db.selectFrom('login_challenges').select('expires_at').execute()
    assert.ok(left.every((c) => Date.parse(c.expires_at) > s.deps.clock()))
  })

  it('no PIN is in a log line, the outbox listing, or the database in clear', async () => {
    assert.ok(pins.length >= 10)
    const text = log.lines.join('\n')
    const listing = await s.req('GET', '/mail/outbox?limit=1000')
    assert.equal(listing.status, 200, listing.text)
    assert.ok(listing.body.items.some((m: { subject: string }) => m.subject === 'Your Clientele login code'))
    const rows = JSON.stringify(await s.deps.store.db.selectFrom('login_challenges').selectAll().execute())
    for (const pin of pins) {
      const bare = new RegExp(`(?<![0-9])${pin}(?![0-9])`)
      assert.ok(!bare.test(text), 'a PIN was logged')
      assert.ok(!bare.test(listing.text), 'a PIN is in the outbox listing')
      assert.ok(!bare.test(rows), 'a PIN is stored in clear')
    }
  })

  it('exercises exactly the operations the coverage ledger names for this file', () => {
    assert.deepEqual([...checked].sort(), [...COVERED['enhance-2fa.test.ts']].sort())
  })
})
