/**
 * Seed 003's one-time login links held to Enhance's published OpenAPI document
 * (test/fixtures/enhance/), on both databases: `getOrgMemberLogin` mints a link to a member's
 * session and `createOtpSession` exchanges its one-time password for that session. Beside the
 * document's schemas, what a user notices: the link opens the member's own session once, runs
 * out, dies with a password change, is minted only by a role that may change the member, never
 * for a foreign one, gives one session however many race for it, is throttled like password
 * guesses, and its password appears in no request record.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { eachDialect, startServer, startServerOn, type RequestOptions, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { conformanceCaller } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'
import { loggableUrl } from '../../../src/faces/http.js'

const MINT = '/orgs/{org_id}/members/{member_id}/sso'
const EXCHANGE = '/login/sessions/sso'
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

eachDialect("seed 003's one-time login links against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  /** The same database served by a process that trusts its proxy (`--trust-proxy`). */
  let proxied: TestServer
  /** A third process on the same database, also behind the proxy: exchanges race across processes. */
  let proxied2: TestServer
  const checked = new Set<string>()
  const call = conformanceCaller(() => proxied, checked)
  let source = 0
  /** A client address of its own, so that each exchange's throttle counts start clean unless a test says otherwise. */
  const fresh = () => `198.51.100.${++source}`

  let org: string
  let other: string
  const ids: Record<string, string> = {}

  const made = people(() => s)
  const { customer, as } = made

  async function user(o: string, username: string, role: string): Promise<string> {
    ids[username] = await made.user(o, username, role, { email: `${username}@example.com` })
    return ids[username]!
  }

  /** Mints a link to `member` of `o` (as the master's superadmin unless `opts` says who); answers the link and its parts. */
  async function mint(o: string, member: string, opts: RequestOptions = {}): Promise<{ url: URL; otp: string; guid: string }> {
    const r = await call('GET', MINT, `/orgs/${o}/members/${member}/sso`, opts, 201)
    assert.equal(typeof r.body, 'string')
    assert.equal(r.headers.get('cache-control'), 'no-store')
    const url = new URL(r.body as string)
    return { url, otp: url.searchParams.get('otp')!, guid: r.headers.get('x-job-guid')! }
  }

  function exchange(otp: string, expect?: number, from = fresh()) {
    return call('GET', EXCHANGE, `${EXCHANGE}?otp=${encodeURIComponent(otp)}`, { auth: null, headers: { 'x-forwarded-for': from } }, expect)
  }

  const cookieOf = (r: { headers: Headers }) => r.headers.getSetCookie().find((c) => c.startsWith('id0='))!
  const withCookie = (cookie: string): RequestOptions => ({ auth: null, headers: { cookie: cookie.split(';')[0]! } })
  const sessionsOf = async (userId: string) => (await s.deps.store.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute()).length

  before(async () => {
    s = await startServer(dialect, { worker: false })
    proxied = await startServerOn(s.location, { worker: false, trustProxy: true })
    proxied2 = await startServerOn(s.location, { worker: false, trustProxy: true })
    org = await customer('Link Customer')
    other = await customer('Link Other')
    await user(org, 'l-owner', 'owner')
    await user(org, 'l-admin', 'admin')
    await user(org, 'l-support', 'support')
    await user(org, 'l-member', 'member')
    await user(other, 'o-member', 'member')
  })
  after(async () => {
    await proxied2.close()
    await proxied.close()
    await s.close()
  })

  it("a link opens the member's own session, once", async () => {
    const { url, otp } = await mint(org, ids['l-member']!)
    assert.match(otp, UUID_V4)
    assert.equal(`${url.origin}${url.pathname}`, `${proxied.base}${EXCHANGE}`)
    assert.deepEqual([...url.searchParams.keys()], ['otp'])

    const before = await sessionsOf(ids['l-member']!)
    const opened = await exchange(otp, 200)
    assert.deepEqual(opened.body.memberships.map((m: { memberId: string; orgId: string; roles: string[] }) => [m.memberId, m.orgId, m.roles]), [[ids['l-member'], org, ['SiteAccess']]])
    const cookie = cookieOf(opened)
    // The same cookie as POST /login/sessions: id0, HttpOnly, SameSite=Lax, for the whole site, 12 hours.
    assert.match(cookie, /^id0=[A-Za-z0-9_-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/)
    assert.equal(await sessionsOf(ids['l-member']!), before + 1)

    // The session acts as the member: getLogin answers the member, and it may do what the member may only.
    const me = await s.req('GET', '/login', withCookie(cookie))
    assert.equal(me.status, 200, me.text)
    assert.deepEqual([me.body.id, me.body.email], [ids['l-member'], 'l-member@example.com'])
    assert.equal((await s.req('GET', '/login/sessions', withCookie(cookie))).body.items.length, before + 1)
    assert.equal((await s.req('POST', `/orgs/${org}/customers`, { ...withCookie(cookie), body: { name: 'Not Allowed' } })).status, 403)
    // The member ends it like any other session of theirs.
    assert.equal((await s.req('DELETE', '/login/sessions/current', withCookie(cookie))).status, 200)
    assert.equal((await s.req('GET', '/login', withCookie(cookie))).status, 401)

    // A second use, and an OTP never minted, are the same 401 that says nothing more.
    const again = await exchange(otp, 401)
    const unknown = await exchange(randomUUID(), 401)
    assert.equal(again.body.detail ?? again.body.title, unknown.body.detail ?? unknown.body.title)
    assert.equal(again.headers.getSetCookie().length, 0)
    // Not a UUID, or no otp at all: 400.
    await exchange('not-a-uuid', 400)
    await call('GET', EXCHANGE, EXCHANGE, { auth: null }, 400)
    assert.equal((await s.req('GET', `${EXCHANGE}?otp=${randomUUID()}&next=/`, { auth: null })).status, 400)
  })

  it('the link is built on the request host, or the proxy\'s with --trust-proxy', async () => {
    const headers = { 'x-forwarded-host': 'panel.example.com', 'x-forwarded-proto': 'https' }
    const behind = await mint(org, ids['l-member']!, { headers })
    assert.equal(`${behind.url.origin}${behind.url.pathname}`, `https://panel.example.com${EXCHANGE}`)
    // A process that does not trust a proxy ignores what the proxy headers say.
    const direct = await s.req('GET', `/orgs/${org}/members/${ids['l-member']}/sso`, { headers })
    assert.equal(direct.status, 201, direct.text)
    assert.equal(new URL(direct.body).origin, s.base)
    // A forwarded host that is not a host is refused, and no link is made.
    const bad = await proxied.req('GET', `/orgs/${org}/members/${ids['l-member']}/sso`, { headers: { 'x-forwarded-host': 'evil.example/x?' } })
    assert.equal(bad.status, 400, bad.text)
  })

  it('a link runs out after 60 seconds', async () => {
    const clock = s.deps.clock
    const proxiedClock = proxied.deps.clock
    try {
      const early = await mint(org, ids['l-member']!)
      const late = await mint(org, ids['l-member']!)
      proxied.deps.clock = () => Date.now() + 59_000
      await exchange(early.otp, 200)
      proxied.deps.clock = () => Date.now() + 61_000
      await exchange(late.otp, 401)
    } finally {
      s.deps.clock = clock
      proxied.deps.clock = proxiedClock
    }
  })

  it('a password change, a disable or a new role voids a link', async () => {
    const m = ids['l-member']!
    const pw = await mint(org, m)
    assert.equal((await s.req('PATCH', `/orgs/${org}/members/${m}`, { body: { password: 'l-member-new-password' } })).status, 200)
    await exchange(pw.otp, 401)

    const role = await mint(org, m)
    assert.equal((await s.req('PATCH', `/orgs/${org}/members/${m}`, { body: { role: 'billing' } })).status, 200)
    await exchange(role.otp, 401)

    const off = await mint(org, m)
    assert.equal((await s.req('PATCH', `/orgs/${org}/members/${m}`, { body: { enabled: false } })).status, 200)
    await exchange(off.otp, 401)
    // A disabled member gets no link at all.
    const refused = await s.req('GET', `/orgs/${org}/members/${m}/sso`)
    assert.deepEqual([refused.status, refused.body.code], [409, 'failed_precondition'])
    assert.equal((await s.req('PATCH', `/orgs/${org}/members/${m}`, { body: { enabled: true, role: 'member', password: 'l-member-password' } })).status, 200)
    await exchange((await mint(org, m)).otp, 200)
  })

  it('only a role that may change the member mints a link; a foreign member is 404', async () => {
    const { l_owner, l_admin, l_support, l_member, o_member } = Object.fromEntries(Object.entries(ids).map(([k, v]) => [k.replace('-', '_'), v]))
    // Nobody opens their own session this way (a token fenced to some addresses would escape its fence).
    await call('GET', MINT, `/orgs/${org}/members/${l_admin}/sso`, as('l-admin'), 403)
    // support has no member.write.
    await call('GET', MINT, `/orgs/${org}/members/${l_member}/sso`, as('l-support'), 403)
    // An admin may not open an owner's session (it could not change that member) …
    await call('GET', MINT, `/orgs/${org}/members/${l_owner}/sso`, as('l-admin'), 403)
    // … nor the superadmin's of the master organisation, which is not in its subtree at all.
    const master = (await s.req('GET', `/orgs/${s.masterId}/members`)).body.items[0].id
    assert.equal((await s.req('GET', `/orgs/${s.masterId}/members/${master}/sso`, as('l-admin'))).status, 404)
    // … but an admin opens a member's, an owner an admin's, the superadmin an owner's.
    await mint(org, l_member!, as('l-admin'))
    await mint(org, l_admin!, as('l-owner'))
    await exchange((await mint(org, l_owner!)).otp, 200)
    // An access token acts with its own role: a Sysadmin token of the superadmin opens no owner's session.
    const token = (await s.req('POST', `/orgs/${s.masterId}/access_tokens`, { body: { roles: ['Sysadmin'] } })).body.unencryptedToken
    await call('GET', MINT, `/orgs/${org}/members/${l_owner}/sso`, { auth: token }, 403)
    await mint(org, l_member!, { auth: token })

    // A member of another organisation, named under this one or under its own from outside: 404, as everywhere.
    assert.equal((await s.req('GET', `/orgs/${org}/members/${o_member}/sso`)).status, 404)
    assert.equal((await s.req('GET', `/orgs/${other}/members/${o_member}/sso`, as('l-admin'))).status, 404)
    assert.equal((await s.req('GET', `/orgs/${org}/members/${randomUUID()}/sso`)).status, 404)
    assert.equal((await s.req('GET', `/orgs/${org}/members/not-an-id/sso`)).status, 404)
    await call('GET', MINT, `/orgs/${org}/members/${l_member}/sso`, { auth: null }, 401)

    // A member of an organisation that is not live gets none; its links die with the suspension.
    const pending = await mint(other, o_member!)
    assert.equal((await s.req('PATCH', `/orgs/${other}`, { body: { isSuspended: true } })).status, 204)
    const suspended = await s.req('GET', `/orgs/${other}/members/${o_member}/sso`)
    assert.deepEqual([suspended.status, suspended.body.code], [409, 'failed_precondition'])
    await exchange(pending.otp, 401)
    assert.equal((await s.req('PATCH', `/orgs/${other}`, { body: { isSuspended: false } })).status, 204)
  })

  it('two concurrent exchanges of one link open exactly one session', async () => {
    const m = ids['l-member']!
    for (let round = 0; round < 3; round++) {
      const { otp } = await mint(org, m)
      const before = await sessionsOf(m)
      const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => (i % 2 === 0 ? proxied : proxied2).req('GET', `${EXCHANGE}?otp=${otp}`, { auth: null, headers: { 'x-forwarded-for': fresh() } })))
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401, 401, 401], answers.map((a) => a.text).join('\n'))
      assert.equal(await sessionsOf(m), before + 1)
    }
  })

  it('exchanges are throttled per source like password guesses', async () => {
    const guesser = fresh()
    for (let i = 0; i < 5; i++) await exchange(randomUUID(), 401, guesser)
    const { otp } = await mint(org, ids['l-member']!)
    // Locked out: even a good link is refused from that source, and stays usable …
    const locked = await proxied.req('GET', `${EXCHANGE}?otp=${otp}`, { auth: null, headers: { 'x-forwarded-for': guesser } })
    assert.equal(locked.status, 429, locked.text)
    assert.ok(Number(locked.headers.get('retry-after')) >= 1)
    // … from anywhere else.
    await exchange(otp, 200)
  })

  it('the request log says who opened whose session, and never holds the one-time password', async () => {
    const m = ids['l-member']!
    const { otp, guid } = await mint(org, m, { ...as('l-admin'), headers: { 'x-forwarded-for': fresh() } })
    assert.ok(guid, 'the mint answers X-Job-Guid')
    const job = await s.req('GET', `/jobs/${guid}`)
    assert.equal(job.status, 200, job.text)
    assert.deepEqual([job.body.operation, job.body.target, job.body.status, job.body.actor.userId], ['member.createLoginLink', `user:${m}`, 'succeeded', ids['l-admin']])
    await exchange(otp, 200)
    await exchange(otp, 401)
    // Its use is a child request, acting as the member (a later try of a spent link finds no link, and records nothing).
    const children = await s.req('GET', `/jobs?parent=${guid}`)
    assert.deepEqual(
      children.body.items.map((c: { operation: string; status: string; target: string; actor: { userId: string } }) => [c.operation, c.status, c.target, c.actor.userId]),
      [['session.openWithLink', 'succeeded', `user:${m}`, m]],
    )
    // The member sees who opened its session.
    assert.equal((await s.req('GET', `/jobs/${guid}`, as('l-member'))).body.actor.userId, ids['l-admin'])
    for (const text of [job.text, children.text, (await s.req('GET', `/jobs/${guid}/log`)).text]) assert.equal(text.includes(otp), false)
    // Nothing stored anywhere holds it: the requests, and the link itself (a digest).
    const rows = JSON.stringify(await s.deps.store.db.selectFrom('requests').selectAll().execute())
    assert.equal(rows.includes(otp), false)
    const links = JSON.stringify(await s.deps.store.db.selectFrom('login_links').selectAll().execute())
    assert.equal(links.includes(otp), false)
    // The access log writes the URL without it.
    assert.equal(loggableUrl(`${EXCHANGE}?otp=${otp}`), `${EXCHANGE}?otp=[redacted]`)
    assert.equal(loggableUrl(`${EXCHANGE}?x=1&OTP=${otp}&y=2`), `${EXCHANGE}?x=1&OTP=[redacted]&y=2`)
  })

  it('housekeeping drops links that ran out', async () => {
    const { runHousekeeping } = await import('../../../src/ops/housekeeping.js')
    await mint(org, ids['l-member']!)
    const clock = s.deps.clock
    s.deps.clock = () => Date.now() + 120_000
    try {
      const r = await runHousekeeping(s.deps)
      assert.ok(r.loginLinks >= 1)
    } finally {
      s.deps.clock = clock
    }
    assert.equal((await s.deps.store.db.selectFrom('login_links').select('otp_hash').execute()).length, 0)
  })

  it('exercises exactly the operations the coverage ledger names for this file', () => {
    assert.deepEqual([...checked].sort(), [...COVERED['enhance-sso.test.ts']].sort())
  })
})
