/**
 * Seed 003's face held to Enhance's published OpenAPI document (test/fixtures/enhance/): every
 * answer of the operations below is validated, on both databases, against the document's
 * schema for its status, so that a change which breaks conformance fails here. Requests are
 * bodies the document calls valid. Error answers carry Clientele's problem+json where the
 * document gives no body (see test/helpers/enhance.ts).
 *
 * This file covers organisations, customers, logins and sessions; enhance-plans.test.ts plans
 * and subscriptions; enhance-members.test.ts members, logins, owners and access tokens; and
 * enhance-coverage.test.ts checks that together they cover every operation of the document
 * that Clientele serves (test/helpers/enhance-coverage.ts lists them, and those not served).
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, eachDialect, startServer, type Answer, type RequestOptions, type TestServer } from '../../helpers/harness.js'
import { conformanceCaller } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'
import { masterContext } from '../../../src/cli/master-actor.js'
import { createUser } from '../../../src/ops/users/create-user.js'

eachDialect("seed 003's face against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  const checked = new Set<string>()

  const call = conformanceCaller(() => s, checked)

  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(() => s.close())

  it('organisations and customers', async () => {
    const m = s.masterId
    const created = await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: { name: 'Conformance Customer' } }, 201)
    const c = created.body.id as string
    await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: { name: 'Conformance Customer' } }, 409)
    await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: {} }, 400)
    await call('GET', '/orgs/{org_id}', `/orgs/${c}`, {}, 200)
    await call('GET', '/orgs/{org_id}', `/orgs/${m}`, {}, 200)
    await call('GET', '/orgs/{org_id}', `/orgs/00000000-0000-4000-8000-000000000000`, {}, 404)
    await call('GET', '/orgs/{org_id}', `/orgs/${c}`, { auth: null }, 401)
    await call('PATCH', '/orgs/{org_id}', `/orgs/${c}`, { body: { name: 'Conformance Customer 2' } }, 204)
    for (const q of ['', '?recursive=true', '?limit=5&offset=0', '?sortBy=name&sortOrder=desc', '?limit=5000']) {
      await call('GET', '/orgs/{org_id}/customers', `/orgs/${m}/customers${q}`, {}, 200)
    }
    // A suspended organisation is answered within the document's Status enum.
    await call('PATCH', '/orgs/{org_id}', `/orgs/${c}`, { body: { isSuspended: true } }, 204)
    const suspended = await call('GET', '/orgs/{org_id}', `/orgs/${c}`, {}, 200)
    assert.deepEqual([suspended.body.status, suspended.body.isSuspended], ['active', true])
    await call('GET', '/orgs/{org_id}/customers', `/orgs/${m}/customers?status=suspended`, {}, 200)
    const parent = (await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: { name: 'Conformance Reseller' } }, 201)).body.id as string
    await s.req('PATCH', `/orgs/${parent}`, { body: { isReseller: true } })
    await call('POST', '/orgs/{org_id}/customers', `/orgs/${parent}/customers`, { body: { name: 'Its Customer' } }, 201)
    await call('PATCH', '/orgs/{org_id}', `/orgs/${parent}`, { body: { status: 'deleted' } }, 204)
    await call('DELETE', '/orgs/{org_id}', `/orgs/${c}`, {}, 204)
  })

  it('logins and sessions', async () => {
    const org = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Session Customer' } })).body.id as string
    const email = 'login.owner@example.com'
    const u = await s.req('POST', `/orgs/${org}/members`, { body: { username: 'login-owner', email, password: 'login-owner-password', role: 'owner', firstName: 'Lena', lastName: 'Owner' } })
    assert.equal(u.status, 201, u.text)
    const cookies: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/login/sessions', '/login/sessions', { auth: null, body: { email, password: 'login-owner-password' } }, 200)
      cookies.push(r.headers.getSetCookie().find((x) => x.startsWith('id0='))!.split(';')[0]!)
    }
    await call('POST', '/login/sessions', '/login/sessions', { auth: null, body: { email, password: 'wrong-password' } }, 401)
    const as = (i: number): RequestOptions => ({ auth: null, headers: { cookie: cookies[i]! } })

    const login = await call('GET', '/login', '/login', as(0), 200)
    assert.equal(login.body.email, email)
    assert.equal(login.body.name, 'Lena Owner')
    const mine = await call('GET', '/login/memberships', '/login/memberships', as(0), 200)
    assert.deepEqual(mine.body.memberships.map((x: { orgId: string }) => x.orgId), [org])
    const list = await call('GET', '/login/sessions', '/login/sessions', as(0), 200)
    assert.equal(list.body.items.length, 3)
    for (const c of cookies) assert.equal(list.text.includes(c.slice(4)), false, 'a session token was answered')

    await call('DELETE', '/login/sessions/{session_id}', `/login/sessions/${list.body.items[2].id}`, as(0), 200)
    await call('DELETE', '/login/sessions/{session_id}', `/login/sessions/${list.body.items[2].id}`, as(0), 200)
    assert.equal((await call('GET', '/login/sessions', '/login/sessions', as(0), 200)).body.items.length, 2)
    await call('DELETE', '/login/sessions/current', '/login/sessions/current', as(1), 200)
    await call('GET', '/login', '/login', as(1), 401)
    await call('DELETE', '/login/sessions', '/login/sessions', as(0), 200)
    await call('GET', '/login', '/login', as(0), 401)
    await call('GET', '/login/memberships', '/login/memberships', { auth: ['admin', ADMIN_PASSWORD] }, 200)
  })

  it("an organisation's Slack webhook URL: set, cleared, refused when bad, never answered", async () => {
    const m = s.masterId
    const hook = 'https://hooks.slack.com/services/T0CONFORM/B0CONFORM/conformance-webhook-token'
    const c = (await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: { name: 'Slack Conformance' } }, 201)).body.id as string
    const never = (r: Answer, where: string) => {
      assert.equal(r.text.includes('conformance-webhook-token'), false, `${where} answered the webhook URL`)
      assert.equal(r.text.includes('sealed:v1'), false, `${where} answered the sealed webhook URL`)
    }
    const shows = async (set: boolean) => {
      const org = await call('GET', '/orgs/{org_id}', `/orgs/${c}`, {}, 200)
      never(org, 'GET /orgs/{id}')
      assert.equal('slackNotificationWebhookUrl' in org.body, false)
      assert.equal(org.body.slackNotificationWebhookUrlSet, set)
      const listing = await call('GET', '/orgs/{org_id}/customers', `/orgs/${m}/customers?limit=1000`, {}, 200)
      never(listing, 'the customer listing')
      assert.equal(listing.body.items.find((o: { id: string }) => o.id === c).slackNotificationWebhookUrlSet, set)
      for (const format of ['', '?format=yaml', '?format=xml']) {
        const exported = await s.req('GET', `/orgs/${c}/export${format}`)
        assert.equal(exported.status, 200, exported.text.slice(0, 300))
        never(exported, `the export${format}`)
      }
    }
    await call('PATCH', '/orgs/{org_id}', `/orgs/${c}`, { body: { slackNotificationWebhookUrl: hook } }, 204)
    await shows(true)
    await call('PATCH', '/orgs/{org_id}', `/orgs/${c}`, { body: { slackNotificationWebhookUrl: { unset: true } } }, 204)
    await shows(false)
    for (const bad of ['http://hooks.slack.com/services/conformance-webhook-token', 'conformance-webhook-token', `https://hooks.slack.com/${'x'.repeat(2001)}`, { unset: 'yes' }, { unset: true, url: hook }]) {
      const r = await call('PATCH', '/orgs/{org_id}', `/orgs/${c}`, { body: { slackNotificationWebhookUrl: bad } }, 400)
      never(r, 'a refusal')
    }
    await shows(false)
    // Together with other fields, and on a foreign organisation (404).
    await call('PATCH', '/orgs/{org_id}', `/orgs/${c}`, { body: { name: 'Slack Conformance 2', locale: 'en-GB', slackNotificationWebhookUrl: hook } }, 204)
    await shows(true)
    await call('PATCH', '/orgs/{org_id}', '/orgs/00000000-0000-4000-8000-000000000000', { body: { slackNotificationWebhookUrl: hook } }, 404)
  })

  it('customers added per interval, and tags, within the caller\'s subtree only', async () => {
    const m = s.masterId
    const realClock = s.deps.clock
    const at = (iso: string) => (s.deps.clock = () => Date.parse(iso))
    try {
      // A reseller with customers over three days, one of them a reseller with a customer of its
      // own; a second tenant beside it adds customers on the last day.
      at('2026-03-13T10:00:00.000Z')
      const r = (await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: { name: 'Stats Reseller' } }, 201)).body.id as string
      await s.req('PATCH', `/orgs/${r}`, { body: { isReseller: true } })
      const other = (await call('POST', '/orgs/{org_id}/customers', `/orgs/${m}/customers`, { body: { name: 'Stats Other Tenant' } }, 201)).body.id as string
      await s.req('PATCH', `/orgs/${other}`, { body: { isReseller: true } })
      for (const name of ['Added A', 'Added B']) await call('POST', '/orgs/{org_id}/customers', `/orgs/${r}/customers`, { body: { name } }, 201)
      at('2026-03-14T10:00:00.000Z')
      const sub = (await call('POST', '/orgs/{org_id}/customers', `/orgs/${r}/customers`, { body: { name: 'Added C' } }, 201)).body.id as string
      await s.req('PATCH', `/orgs/${sub}`, { body: { isReseller: true } })
      await call('POST', '/orgs/{org_id}/customers', `/orgs/${sub}/customers`, { body: { name: 'Added Below' } }, 201)
      at('2026-03-15T10:00:00.000Z')
      const gone = (await call('POST', '/orgs/{org_id}/customers', `/orgs/${r}/customers`, { body: { name: 'Added D' } }, 201)).body.id as string
      await s.req('DELETE', `/orgs/${gone}`)
      for (const name of ['Other 1', 'Other 2', 'Other 3']) await call('POST', '/orgs/{org_id}/customers', `/orgs/${other}/customers`, { body: { name } }, 201)
      at('2026-03-15T10:30:00.000Z')

      const stats = async (org: string, q: string, opts: RequestOptions = {}) =>
        (await call('GET', '/orgs/{org_id}/stats/customers/added', `/orgs/${org}/stats/customers/added${q}`, opts, 200)).body as { interval: string; resourceCount: number }[]
      const days = await stats(r, '')
      assert.equal(days.length, 30)
      assert.deepEqual(days.slice(-3), [
        { interval: '2026-03-13T00:00:00.000Z', resourceCount: 2 },
        { interval: '2026-03-14T00:00:00.000Z', resourceCount: 1 },
        // One added and since deleted was still added.
        { interval: '2026-03-15T00:00:00.000Z', resourceCount: 1 },
      ])
      assert.equal(days.slice(0, -3).every((d) => d.resourceCount === 0), true)
      assert.deepEqual(await stats(r, '?timeInterval=day'), days)
      assert.deepEqual((await stats(r, '?timeInterval=day&recursion=true')).slice(-3).map((d) => d.resourceCount), [2, 2, 1])
      const hours = await stats(r, '?timeInterval=hour')
      assert.equal(hours.length, 24)
      assert.deepEqual(hours.at(-1), { interval: '2026-03-15T10:00:00.000Z', resourceCount: 1 })
      assert.equal(hours.reduce((n, h) => n + h.resourceCount, 0), 1)
      const months = await stats(r, '?timeInterval=month')
      assert.equal(months.length, 12)
      assert.deepEqual([months[0]!.interval, months.at(-1)], ['2025-04-01T00:00:00.000Z', { interval: '2026-03-01T00:00:00.000Z', resourceCount: 4 }])
      assert.equal((await stats(other, '?timeInterval=month')).at(-1)!.resourceCount, 3)
      assert.equal((await stats(m, '?timeInterval=month')).at(-1)!.resourceCount, 2)

      // Acting for the reseller: its own subtree only; the other tenant is not found.
      await createUser(await masterContext(s.deps), { orgId: r, username: 'stats-admin', password: 'stats-admin-password', role: 'admin' })
      await createUser(await masterContext(s.deps), { orgId: r, username: 'stats-reader', password: 'stats-reader-password', role: 'readonly' })
      const asR: RequestOptions = { auth: ['stats-admin', 'stats-admin-password'] }
      const asReader: RequestOptions = { auth: ['stats-reader', 'stats-reader-password'] }
      assert.deepEqual((await stats(r, '?recursion=true', asR)).slice(-3).map((d) => d.resourceCount), [2, 2, 1])
      assert.equal((await stats(sub, '?timeInterval=month', asReader)).at(-1)!.resourceCount, 1)
      await call('GET', '/orgs/{org_id}/stats/customers/added', `/orgs/${other}/stats/customers/added`, asR, 404)
      await call('GET', '/orgs/{org_id}/stats/customers/added', `/orgs/${m}/stats/customers/added`, asR, 404)
      await call('GET', '/orgs/{org_id}/stats/customers/added', '/orgs/00000000-0000-4000-8000-000000000000/stats/customers/added', {}, 404)
      await call('GET', '/orgs/{org_id}/stats/customers/added', `/orgs/${r}/stats/customers/added?timeInterval=week`, {}, 400)
      await call('GET', '/orgs/{org_id}/stats/customers/added', `/orgs/${r}/stats/customers/added`, { auth: null }, 401)

      // Tags: plain data of one organisation.
      const vip = (await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { body: { tag: 'vip' } }, 201)).body.id as number
      const late = (await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { body: { tag: 'late payer', colorCode: '#ff0000' } }, 201)).body.id as number
      assert.equal((await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { body: { tag: ' vip ', colorCode: '#00ff00' } }, 201)).body.id, vip)
      const tags = await call('GET', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, asReader, 200)
      assert.deepEqual(tags.body.items, [
        { id: late, tag: 'late payer', colorCode: '#ff0000' },
        { id: vip, tag: 'vip', colorCode: '#00ff00' },
      ])
      assert.deepEqual((await call('GET', '/orgs/{org_id}/tags', `/orgs/${other}/tags`, {}, 200)).body, { items: [] })
      await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { body: {} }, 400)
      await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { body: { tag: '   ' } }, 400)
      await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { body: { tag: 'x', colour: 'red' } }, 400)
      await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { ...asReader, body: { tag: 'nope' } }, 403)
      await call('POST', '/orgs/{org_id}/tags', `/orgs/${other}/tags`, { ...asR, body: { tag: 'nope' } }, 404)
      await call('POST', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, { auth: null, body: { tag: 'nope' } }, 401)
      await call('GET', '/orgs/{org_id}/tags', `/orgs/${other}/tags`, asR, 404)
      assert.equal((await call('GET', '/orgs/{org_id}/tags', `/orgs/${r}/tags`, {}, 200)).body.items.length, 2)
    } finally {
      s.deps.clock = realClock
    }
  })

  it('covered every operation it names', () => {
    const named = COVERED['enhance-conformance.test.ts']
    assert.deepEqual([...checked].sort(), [...named].sort())
  })
})
