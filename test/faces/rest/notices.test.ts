import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { verify } from '../../../src/jobs/signing.js'

interface Hit {
  path: string
  body: string
  timestamp: string | undefined
  signature: string | undefined
  idempotencyKey: string | undefined
}

/** A loopback webhook receiver: records every POST; `/flaky` answers 503 the first time. */
async function receiver(): Promise<{ base: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = []
  const seen = new Set<string>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const h = (n: string) => req.headers[n] as string | undefined
      hits.push({ path: req.url ?? '', body, timestamp: h('x-clientele-timestamp'), signature: h('x-clientele-signature'), idempotencyKey: h('idempotency-key') })
      if (req.url === '/flaky' && !seen.has(body)) {
        seen.add(body)
        res.writeHead(503).end()
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return { base: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) }
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() - t0 > 10_000) assert.fail(`waited too long for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

eachDialect('notices and contacts over REST', (dialect) => {
  let s: TestServer
  let rx: Awaited<ReturnType<typeof receiver>>
  const p = people(() => s)
  let resA: string
  let resB: string
  let custA: string
  let custB: string
  let direct: string

  before(async () => {
    rx = await receiver()
    s = await startServer(dialect, { worker: { retryBaseMs: 20, pollMaxMs: 20, leaseMs: 3000 } })
    const org = async (parent: string, name: string, isReseller = false) => {
      const r = await s.req('POST', `/orgs/${parent}/customers`, { body: { name, ...(isReseller ? { isReseller: true } : {}) } })
      assert.equal(r.status, 201, r.text)
      return r.body.id as string
    }
    resA = await org(s.masterId, 'Reseller Alpha', true)
    resB = await org(s.masterId, 'Reseller Beta', true)
    custA = await org(resA, 'Alpha Customer')
    custB = await org(resB, 'Beta Customer')
    direct = await org(s.masterId, 'Direct Customer')
    await p.user(resA, `ra_${dialect}`, 'admin')
    await p.user(custA, `ca_${dialect}`, 'admin')
    await p.user(direct, `dc_${dialect}`, 'admin')
  })
  after(async () => {
    await s.close()
    await rx.close()
  })

  const notices = async (org: string, q = '', auth = {}) => {
    const r = await s.req('GET', `/orgs/${org}/notices${q}`, auth)
    assert.equal(r.status, 200, r.text)
    return r.body.items as { id: number; subject: string; acknowledged: boolean; global: boolean }[]
  }
  const subjects = async (org: string, q = '') => (await notices(org, q)).map((n) => n.subject)

  it('lists the catalogues and documents the routes in the OpenAPI document', async () => {
    const m = await s.req('GET', '/contact-methods')
    assert.deepEqual(
      m.body.items.map((x: { code: string }) => x.code),
      ['email', 'sms', 'webhook'],
    )
    const t = await s.req('GET', '/contact-notice-types')
    assert.ok(t.body.items.some((x: { code: string }) => x.code === 'maintenance'))
    const doc = (await s.req('GET', '/openapi.json')).body
    for (const path of ['/notices', '/orgs/{org_id}/notices', '/orgs/{org_id}/notices/{noticeId}/acknowledge', '/contact-methods', '/orgs/{org_id}/contacts', '/orgs/{org_id}/contacts/{contactId}/methods/{methodId}/notices']) {
      assert.ok(doc.paths[path], `${path} missing from the OpenAPI document`)
    }
  })

  it('shows each customer its own, its reseller’s and the global notices, never another reseller’s', async () => {
    const post = async (body: object, auth = {}) => {
      const r = await s.req('POST', '/notices', { body: { noticeTypeId: 1, body: 'text', ...body }, ...auth })
      assert.equal(r.status, 201, r.text)
      return r.body
    }
    const g = await post({ subject: 'global from master' })
    assert.equal(g.global, true)
    await post({ subject: 'alpha subtree' }, p.as(`ra_${dialect}`))
    await post({ subject: 'for alpha customer', orgId: custA }, p.as(`ra_${dialect}`))
    await post({ subject: 'for direct', orgId: direct })

    assert.deepEqual(await subjects(custA), ['global from master', 'alpha subtree', 'for alpha customer'])
    assert.deepEqual(await subjects(resA), ['global from master', 'alpha subtree'])
    assert.deepEqual(await subjects(custB), ['global from master'])
    assert.deepEqual(await subjects(direct), ['global from master', 'for direct'])
    // A customer's own user sees the same list; another reseller's customer is not found.
    assert.deepEqual(
      (await notices(custA, '', p.as(`ca_${dialect}`))).map((n) => n.subject),
      ['global from master', 'alpha subtree', 'for alpha customer'],
    )
    assert.equal((await s.req('GET', `/orgs/${custB}/notices`, p.as(`ra_${dialect}`))).status, 404)
    // A reseller cannot write to a customer outside its subtree; a plain customer cannot write at all.
    assert.equal((await s.req('POST', '/notices', { body: { noticeTypeId: 1, subject: 'x', body: '', orgId: custB }, ...p.as(`ra_${dialect}`) })).status, 404)
    assert.equal((await s.req('POST', '/notices', { body: { noticeTypeId: 1, subject: 'x', body: '' }, ...p.as(`dc_${dialect}`) })).status, 403)
    assert.deepEqual(await subjects(custB), ['global from master'])
  })

  it('filters by since (Unix seconds or ISO time) and refuses a bad one', async () => {
    const all = await notices(custA)
    const future = Math.floor(Date.now() / 1000) + 3600
    assert.deepEqual(await subjects(custA, `?since=${future}`), [])
    assert.equal((await notices(custA, '?since=0')).length, all.length)
    assert.equal((await notices(custA, `?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).length, all.length)
    const bad = await s.req('GET', `/orgs/${custA}/notices?since=yesterday`)
    assert.equal(bad.status, 400, bad.text)
  })

  it('acknowledges a notice for one customer only', async () => {
    const g = (await notices(custA)).find((n) => n.subject === 'global from master')!
    assert.equal(g.acknowledged, false)
    const r = await s.req('POST', `/orgs/${custA}/notices/${g.id}/acknowledge`, p.as(`ca_${dialect}`))
    assert.equal(r.status, 200, r.text)
    assert.equal((await notices(custA)).find((n) => n.id === g.id)!.acknowledged, true)
    assert.equal((await notices(custB)).find((n) => n.id === g.id)!.acknowledged, false)
    // A notice the customer does not see cannot be acknowledged.
    const direct1 = (await notices(direct)).find((n) => n.subject === 'for direct')!
    assert.equal((await s.req('POST', `/orgs/${custA}/notices/${direct1.id}/acknowledge`)).status, 404)
  })

  it('delivers a new notice to a subscribed webhook (signed POST, retried) and to e-mail (outbox), and records SMS undeliverable', async () => {
    const c = await s.req('POST', `/orgs/${custA}/contacts`, { body: { name: 'Ops Desk', email: 'ops@alpha.example', phone: '+44 1632 960961' } })
    assert.equal(c.status, 201, c.text)
    assert.equal(c.body.phone, '+441632960961')
    const contact = c.body.id
    const add = async (body: object) => {
      const r = await s.req('POST', `/orgs/${custA}/contacts/${contact}/methods`, { body })
      assert.equal(r.status, 201, r.text)
      return r.body
    }
    const hook = await add({ method: 'webhook', address: `${rx.base}/flaky` })
    assert.equal(typeof hook.secret, 'string')
    const mail = await add({ methodId: 1, address: 'alerts@alpha.example' })
    const sms = await add({ method: 'sms', address: '+441632960962' })
    for (const m of [hook, mail, sms]) {
      const r = await s.req('POST', `/orgs/${custA}/contacts/${contact}/methods/${m.id}/notices`, { body: { noticeTypeId: 2 } })
      assert.equal(r.status, 201, r.text)
    }
    // Listed with its methods and subscriptions, never the secret.
    const listed = await s.req('GET', `/orgs/${custA}/contacts`)
    assert.equal(listed.body.items[0].methods.length, 3)
    assert.equal(listed.body.items[0].methods[0].notices[0].noticeType, 'maintenance')
    assert.ok(!listed.text.includes(hook.secret))

    const before = (await s.req('GET', '/mail/outbox?limit=1000')).body
    const made = await s.req('POST', '/notices', { body: { noticeTypeId: 2, subject: 'maintenance tonight', body: 'we will reboot' } })
    assert.equal(made.status, 201, made.text)
    // A notice of another type reaches no subscription.
    assert.equal((await s.req('POST', '/notices', { body: { noticeTypeId: 3, subject: 'unrelated incident', body: '' } })).status, 201)

    const ok = await until('a successful webhook delivery', () => {
      const hits = rx.hits.filter((h) => h.path === '/flaky' && JSON.parse(h.body).notice.subject === 'maintenance tonight')
      return hits.length >= 2 ? hits : undefined
    })
    // The first answer was 503: the queue retried it, with the same idempotency key and a valid signature.
    assert.equal(ok[0]!.idempotencyKey, ok[1]!.idempotencyKey)
    for (const h of ok) assert.ok(verify(hook.secret, h.timestamp, h.signature, h.body, Date.now()), 'signature')
    assert.equal(verify('another-secret', ok[0]!.timestamp, ok[0]!.signature, ok[0]!.body, Date.now()), false)
    const sent = JSON.parse(ok[0]!.body)
    assert.equal(sent.notice.body, 'we will reboot')
    assert.equal(sent.contactMethodId, hook.id)
    assert.ok(!rx.hits.some((h) => h.body.includes('unrelated incident')))

    const out = await until('the outbox row', async () => {
      const o = (await s.req('GET', '/mail/outbox?limit=1000')).body
      const row = o.items.find((m: { to: string; subject: string }) => m.to === 'alerts@alpha.example' && m.subject.includes('maintenance tonight'))
      return row ? o : undefined
    })
    assert.equal(out.total, before.total + 1)
    // The request finishes once every delivery has; its fan-out job says SMS was undeliverable.
    const job = await until('the request to finish', async () => {
      const r = await s.req('GET', `/jobs/${made.headers.get('x-job-guid')}`)
      return r.body?.status === 'succeeded' ? r.body : undefined
    })
    assert.match(JSON.stringify(job), /no SMS gateway/)
  })

  it('refuses bad input and changes nothing', async () => {
    const list = async () => (await s.req('GET', `/orgs/${direct}/contacts`)).body.items
    const c = await s.req('POST', `/orgs/${direct}/contacts`, { body: { name: 'Direct Desk' } })
    assert.equal(c.status, 201, c.text)
    const snapshot = JSON.stringify(await list())
    for (const [path, body] of [
      [`/orgs/${direct}/contacts`, { name: '   ' }],
      [`/orgs/${direct}/contacts`, { name: 'X', email: 'not-an-address' }],
      [`/orgs/${direct}/contacts`, { name: 'X', phone: '12345' }],
      [`/orgs/${direct}/contacts/${c.body.id}/methods`, { method: 'webhook', address: 'http://example.com/hook' }],
      [`/orgs/${direct}/contacts/${c.body.id}/methods`, { method: 'webhook', address: 'ftp://example.com/' }],
      [`/orgs/${direct}/contacts/${c.body.id}/methods`, { method: 'email', address: 'nobody' }],
      [`/orgs/${direct}/contacts/${c.body.id}/methods`, { method: 'sms', address: 'call me' }],
      [`/orgs/${direct}/contacts/${c.body.id}/methods`, { method: 'pigeon', address: 'roof' }],
      [`/orgs/${direct}/contacts/${c.body.id}/methods`, { methodId: 99, address: 'a@b.example' }],
    ] as const) {
      const r = await s.req('POST', path, { body })
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`)
      assert.match(r.headers.get('content-type') ?? '', /problem\+json/)
    }
    const n0 = (await notices(direct)).length
    for (const body of [{ noticeTypeId: 99, subject: 's', body: '' }, { noticeTypeId: 1, subject: '  ', body: '' }, { noticeTypeId: 1, body: '' }]) {
      assert.equal((await s.req('POST', '/notices', { body })).status, 400, JSON.stringify(body))
    }
    assert.equal((await notices(direct)).length, n0)
    // Another customer's contact is not found through this one.
    const other = (await s.req('GET', `/orgs/${custA}/contacts`)).body.items[0]
    assert.equal((await s.req('DELETE', `/orgs/${direct}/contacts/${other.id}`)).status, 404)
    assert.equal(JSON.stringify(await list()), snapshot)
    assert.equal((await s.req('GET', `/orgs/${custA}/contacts`)).body.items.length, 1)
    // Change, then delete with its methods.
    const u = await s.req('PATCH', `/orgs/${direct}/contacts/${c.body.id}`, { body: { email: 'desk@direct.example' } })
    assert.equal(u.status, 200, u.text)
    assert.equal(u.body.email, 'desk@direct.example')
    assert.equal((await s.req('DELETE', `/orgs/${direct}/contacts/${c.body.id}`)).status, 204)
    assert.deepEqual(await list(), [])
  })
})
