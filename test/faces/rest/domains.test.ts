import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eachDialect, startServer, startServerOn, type Answer, type TestServer } from '../../helpers/harness.js'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { verify } from '../../../src/jobs/signing.js'

const SECRET = 'registrar-signing-secret-for-tests'

interface Delivery {
  path: string
  signed: boolean
  headers: IncomingHttpHeaders
  body: any
}

interface Registrar {
  base: string
  deliveries: Delivery[]
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A registrar on loopback: checks each call's signature and answers as its path says (`/ok`,
 * `/slow`, `/refuse`, `/echo` (a refusal repeating the password), `/down`, `/hang`, `/never`
 * (no answer at all), `/stall` (a 200 whose body never ends), `/huge` (a 422 of 3 MiB)).
 */
async function startRegistrar(): Promise<Registrar> {
  const r: Registrar = { base: '', deliveries: [], close: async () => {} }
  const server: Server = createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (text += c))
    req.on('end', async () => {
      const signed = verify(SECRET, req.headers['x-clientele-timestamp'] as string, req.headers['x-clientele-signature'] as string, text, Date.now())
      const body = JSON.parse(text)
      const path = req.url ?? '/'
      r.deliveries.push({ path, signed, headers: req.headers, body })
      const answer = (status: number, json?: unknown) => {
        if (res.destroyed) return
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(json === undefined ? '' : JSON.stringify(json))
      }
      if (!signed) return answer(401, { error: 'bad signature' })
      switch (path) {
        case '/ok':
          return answer(200, { ok: true })
        case '/slow':
          await sleep(150)
          return answer(201, { ok: true })
        case '/refuse':
          return answer(422, { message: 'the domain is not available at this registrar' })
        case '/echo':
          return answer(403, { message: `login ${body.credentials.username} with password ${body.credentials.password} was refused` })
        case '/down':
          return answer(503, { error: 'maintenance' })
        case '/hang':
          await sleep(3000)
          return answer(200, {})
        case '/never':
          return // until the connection is closed
        case '/stall':
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.write('{"ok":')
        case '/huge':
          res.on('error', () => {})
          res.writeHead(422, { 'content-type': 'application/json' })
          res.write('{"message":"')
          for (let i = 0; i < 3 && !res.destroyed; i++) res.write(Buffer.alloc(1024 * 1024, 'x'))
          return void res.end('"}')
        default:
          return answer(404)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  r.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return r
}

eachDialect('domains and registrars', (dialect) => {
  let s: TestServer
  let reg: Registrar
  let orgA: string
  let orgB: string
  let memberA: [string, string]
  let adminA: [string, string]
  const USER = `portal-user-${dialect}-7f3a`
  const PASS = `portal-pass-${dialect}-Zq9!x`
  const creds = { username: USER, password: PASS }
  /** Every answer seen, to check that no credential was ever echoed. */
  const answers: Answer[] = []

  const call = async (method: string, path: string, opts: Parameters<TestServer['req']>[2] = {}) => {
    const a = await s.req(method, path, opts)
    answers.push(a)
    return a
  }
  const domainsOf = async (org: string) => (await call('GET', `/orgs/${org}/domains`)).body.items.map((d: any) => d.name)
  const rowsNamed = (name: string) => s.deps.store.db.selectFrom('domains').selectAll().where('name', '=', name).execute()

  before(async () => {
    s = await startServer(dialect, { worker: false })
    reg = await startRegistrar()
    orgA = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Domain Customer A' } })).body.id
    orgB = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Domain Customer B' } })).body.id
    assert.equal((await s.req('POST', `/orgs/${orgA}/members`, { body: { username: `dommember_${dialect}`, password: 'a-long-password-1', role: 'member' } })).status, 201)
    assert.equal((await s.req('POST', `/orgs/${orgA}/members`, { body: { username: `domadmin_${dialect}`, password: 'a-long-password-1', role: 'admin' } })).status, 201)
    memberA = [`dommember_${dialect}`, 'a-long-password-1']
    adminA = [`domadmin_${dialect}`, 'a-long-password-1']
  })
  after(async () => {
    await reg.close()
    await s.close()
  })

  it('registers, lists and unregisters a domain with the built-in local registrar', async () => {
    const r = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'example.com', ...creds }, auth: adminA })
    assert.equal(r.status, 201, r.text)
    assert.deepEqual(r.body, { domain: 'example.com', registrar: 'local', created: true })
    assert.ok(r.headers.get('x-job-guid'))
    const l = await call('GET', `/orgs/${orgA}/domains`, { auth: memberA })
    assert.equal(l.status, 200)
    assert.equal(l.body.total, 1)
    assert.deepEqual({ ...l.body.items[0], createdAt: undefined }, { name: 'example.com', unicodeName: 'example.com', registrar: 'local', status: 'registered', createdAt: undefined })
    assert.ok(!Number.isNaN(Date.parse(l.body.items[0].createdAt)))
    // The same customer again: held already, the registrar is not asked.
    const again = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'EXAMPLE.com.' } })
    assert.equal(again.status, 200, again.text)
    assert.deepEqual(again.body, { domain: 'example.com', registrar: 'local', created: false })
    const u = await call('POST', `/orgs/${orgA}/domains/example.com/unregister`, { body: creds, auth: adminA })
    assert.equal(u.status, 204, u.text)
    assert.deepEqual(await domainsOf(orgA), [])
    assert.equal((await rowsNamed('example.com')).length, 0)
    const gone = await call('POST', `/orgs/${orgA}/domains/example.com/unregister`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.code, 'not_found')
    // Without a body at all (the local registrar needs no credentials).
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'nobody.example' } })).status, 201)
    assert.equal((await call('POST', `/orgs/${orgA}/domains/nobody.example/unregister`)).status, 204)
  })

  it('converts IDN to punycode and back', async () => {
    const r = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'Bücher.Example' } })
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.domain, 'xn--bcher-kva.example')
    const l = (await call('GET', `/orgs/${orgA}/domains`)).body.items
    assert.deepEqual(
      l.map((d: any) => [d.name, d.unicodeName]),
      [['xn--bcher-kva.example', 'bücher.example']],
    )
    // Either form names the same domain.
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'XN--BCHER-KVA.example' } })).status, 200)
    assert.equal((await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'bücher.example' } })).status, 409)
    assert.equal((await call('POST', `/orgs/${orgA}/domains/${encodeURIComponent('bücher.example')}/unregister`)).status, 204)
    assert.deepEqual(await domainsOf(orgA), [])
  })

  it('refuses invalid host names with 400 and stores nothing', async () => {
    const bad = [
      'localhost',
      'a..com',
      '.com',
      '-a.com',
      'a-.com',
      'a_b.com',
      'a/b.com',
      '%41.com',
      'a b.com',
      'a@b.com',
      'a:80.com',
      '1.2.3.4',
      'xn--zz.com',
      `${'x'.repeat(64)}.com`,
      `${Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.')}.com`,
      '',
    ]
    const before = await s.deps.store.db.selectFrom('domains').select('id').execute()
    for (const domain of bad) {
      const r = await call('POST', `/orgs/${orgA}/domains`, { body: { domain, ...creds } })
      assert.equal(r.status, 400, `${JSON.stringify(domain)}: ${r.text}`)
      assert.equal(r.body.code, 'invalid_argument')
    }
    for (const body of [{ domain: 'ok.example', colour: 'red' }, { domain: 'ok.example', password: 'p'.repeat(201) }, { domain: 'ok.example', username: 7 }, {}]) {
      assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body })).status, 400, JSON.stringify(body))
    }
    assert.equal((await call('POST', `/orgs/${orgA}/domains/a_b.com/unregister`, { body: {} })).status, 400)
    assert.equal((await call('POST', `/orgs/${orgA}/domains/ok.example/unregister`, { body: { colour: 'red' } })).status, 400)
    const afterRows = await s.deps.store.db.selectFrom('domains').select('id').execute()
    assert.equal(afterRows.length, before.length)
  })

  it("refuses another customer's domain; the same customer is idempotent; outsiders and members may not", async () => {
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'taken.example' } })).status, 201)
    const other = await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'taken.example', ...creds } })
    assert.equal(other.status, 409)
    assert.equal(other.body.code, 'already_exists')
    assert.deepEqual(await domainsOf(orgB), [])
    // B cannot unregister A's domain: it does not hold it.
    assert.equal((await call('POST', `/orgs/${orgB}/domains/taken.example/unregister`)).status, 404)
    assert.deepEqual(await domainsOf(orgA), ['taken.example'])
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'member.example' }, auth: memberA })).status, 403)
    assert.equal((await call('POST', `/orgs/${orgA}/domains/taken.example/unregister`, { auth: memberA })).status, 403)
    assert.equal((await call('GET', `/orgs/${orgB}/domains`, { auth: memberA })).status, 404)
    assert.equal((await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'outsider.example' }, auth: adminA })).status, 404)
    assert.equal((await call('GET', `/orgs/${orgA}/domains`, { auth: null })).status, 401)
  })

  it('lets exactly one of two customers registering one domain at once win, across two server processes', async () => {
    const s2 = await startServerOn(s.location, { worker: false })
    try {
      assert.equal((await call('PUT', '/registrars/slowreg', { body: { driver: 'webhook', url: `${reg.base}/slow`, secret: SECRET, tlds: ['slow'] } })).status, 201)
      const names = [...Array.from({ length: 8 }, (_, i) => `race${i}.example`), ...Array.from({ length: 8 }, (_, i) => `race${i}.slow`)]
      const results = await Promise.all(
        names.map(async (domain, i) => {
          const [a, b] = await Promise.all([
            (i % 2 ? s : s2).req('POST', `/orgs/${orgA}/domains`, { body: { domain, ...creds } }),
            (i % 2 ? s2 : s).req('POST', `/orgs/${orgB}/domains`, { body: { domain, ...creds } }),
          ])
          answers.push(a, b)
          return { domain, a, b }
        }),
      )
      for (const { domain, a, b } of results) {
        assert.deepEqual([a.status, b.status].sort(), [201, 409], `${domain}: ${a.text} / ${b.text}`)
        const loser = a.status === 409 ? a : b
        assert.equal(loser.body.code, 'already_exists', loser.text)
        const rows = await rowsNamed(domain)
        assert.equal(rows.length, 1)
        assert.equal(rows[0]!.status, 'registered')
        assert.equal(rows[0]!.org_id, a.status === 201 ? orgA : orgB)
      }
      // One customer twice at once: registered once; the other answer says so or asks to retry.
      const [x, y] = await Promise.all([
        s.req('POST', `/orgs/${orgA}/domains`, { body: { domain: 'twice.slow' } }),
        s2.req('POST', `/orgs/${orgA}/domains`, { body: { domain: 'twice.slow' } }),
      ])
      const statuses = [x.status, y.status]
      assert.equal(statuses.filter((st) => st === 201).length, 1, `${x.text} / ${y.text}`)
      assert.ok(statuses.every((st) => st === 201 || st === 200 || st === 409), `${x.text} / ${y.text}`)
      for (const d of [...names, 'twice.slow']) {
        const owner = (await rowsNamed(d))[0]!.org_id
        assert.equal((await call('POST', `/orgs/${owner}/domains/${d}/unregister`)).status, 204)
      }
      assert.equal((await call('DELETE', '/registrars/slowreg')).status, 204)
    } finally {
      await s2.close()
    }
  })

  it('registers through a webhook registrar: signed, with the credentials, and the secret never shown', async () => {
    const put = await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `${reg.base}/ok`, secret: SECRET, tlds: ['test', '.TÉST'], timeoutSeconds: 2 } })
    assert.equal(put.status, 201, put.text)
    assert.deepEqual(put.body.secret, { set: true })
    assert.deepEqual(put.body.tlds, ['test', 'xn--tst-bma'])
    assert.equal(put.body.url, `${reg.base}/ok`)
    assert.ok(!put.text.includes(SECRET))
    const stored = await s.deps.store.db.selectFrom('registrars').selectAll().where('name', '=', 'acme').executeTakeFirstOrThrow()
    assert.ok(!stored.config.includes(SECRET))
    assert.match(JSON.parse(stored.config).secret, /^sealed:v1:/)

    const listed = await call('GET', '/registrars')
    assert.deepEqual(
      listed.body.items.map((r: any) => [r.name, r.builtIn, r.isDefault]),
      [
        ['acme', false, false],
        ['local', true, true],
      ],
    )
    assert.deepEqual(listed.body.items[0].secret, { set: true })
    const asMember = (await call('GET', '/registrars', { auth: memberA })).body.items[0]
    assert.equal(asMember.url, undefined)
    assert.equal(asMember.secret, undefined)

    const n = reg.deliveries.length
    const r = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'shop.test', ...creds }, auth: adminA })
    assert.equal(r.status, 201, r.text)
    assert.deepEqual(r.body, { domain: 'shop.test', registrar: 'acme', created: true })
    const d = reg.deliveries[n]!
    assert.equal(reg.deliveries.length, n + 1)
    assert.ok(d.signed)
    assert.equal(d.headers['idempotency-key'], r.headers.get('x-job-guid'))
    assert.deepEqual(d.body, {
      action: 'register',
      domain: 'shop.test',
      unicodeDomain: 'shop.test',
      customer: { id: orgA, name: 'Domain Customer A' },
      credentials: { username: USER, password: PASS },
    })
    // Held already: the registrar is not asked again.
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'shop.test', ...creds } })).status, 200)
    assert.equal(reg.deliveries.length, n + 1)
    assert.deepEqual(
      (await call('GET', `/orgs/${orgA}/domains`)).body.items.find((x: any) => x.name === 'shop.test').registrar,
      'acme',
    )
    // An IDN under an IDN TLD the registrar lists.
    const idn = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'bücher.tést', ...creds } })
    assert.equal(idn.status, 201, idn.text)
    assert.equal(idn.body.registrar, 'acme')
    assert.equal(reg.deliveries.at(-1)!.body.unicodeDomain, 'bücher.tést')
    assert.equal((await call('POST', `/orgs/${orgA}/domains/${idn.body.domain}/unregister`, { body: creds })).status, 204)

    // {"set": true} keeps the stored secret: deliveries still verify.
    const keep = await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `${reg.base}/ok`, secret: { set: true }, tlds: ['test'] } })
    assert.equal(keep.status, 200, keep.text)
    assert.equal(keep.body.timeoutSeconds, 10)
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'kept.test' } })).status, 201)
    assert.ok(reg.deliveries.at(-1)!.signed)
    assert.equal((await call('POST', `/orgs/${orgA}/domains/kept.test/unregister`)).status, 204)
    assert.equal(reg.deliveries.at(-1)!.body.action, 'unregister')

    // A registrar in use is not deleted.
    const inUse = await call('DELETE', '/registrars/acme')
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.code, 'failed_precondition')
    const u = await call('POST', `/orgs/${orgA}/domains/shop.test/unregister`, { body: creds })
    assert.equal(u.status, 204, u.text)
    assert.deepEqual(reg.deliveries.at(-1)!.body, {
      action: 'unregister',
      domain: 'shop.test',
      unicodeDomain: 'shop.test',
      customer: { id: orgA, name: 'Domain Customer A' },
      credentials: { username: USER, password: PASS },
    })
    assert.equal((await call('DELETE', '/registrars/acme')).status, 204)
    assert.equal((await call('DELETE', '/registrars/acme')).status, 404)
    assert.equal((await call('DELETE', '/registrars/local')).status, 409)
  })

  it("refuses what the registrar refuses, and answers 503 when it cannot be asked, keeping nothing", async () => {
    const setUrl = async (path: string, timeoutSeconds = 1) =>
      assert.equal((await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `${reg.base}${path}`, secret: SECRET, tlds: ['test'], timeoutSeconds } })).status < 300, true)

    await setUrl('/refuse')
    const refused = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'nope.test', ...creds } })
    assert.equal(refused.status, 409, refused.text)
    assert.equal(refused.body.code, 'failed_precondition')
    assert.match(refused.body.detail, /the domain is not available at this registrar/)
    const job = await call('GET', `/jobs/${refused.headers.get('x-job-guid')}`)
    assert.equal(job.body.status, 'failed')
    assert.equal(job.body.operation, 'domain.register')

    await setUrl('/echo')
    const echoed = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'nope.test', ...creds } })
    assert.equal(echoed.status, 409)
    assert.match(echoed.body.detail, /withheld/)

    await setUrl('/down')
    const down = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'nope.test', ...creds } })
    assert.equal(down.status, 503, down.text)
    assert.equal(down.body.code, 'unavailable')

    await setUrl('/hang', 0.5)
    const t0 = Date.now()
    const slow = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'nope.test', ...creds } })
    assert.equal(slow.status, 503, slow.text)
    assert.match(slow.body.detail, /did not answer within 0.5 s/)
    assert.ok(Date.now() - t0 < 2500)

    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    assert.equal((await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `http://127.0.0.1:${port}/`, secret: SECRET, tlds: ['test'] } })).status, 200)
    const unreachable = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'nope.test', ...creds } })
    assert.equal(unreachable.status, 503, unreachable.text)

    assert.equal((await rowsNamed('nope.test')).length, 0)
    assert.ok(!(await domainsOf(orgA)).includes('nope.test'))
    // Released at once: another customer may have it.
    await setUrl('/ok')
    assert.equal((await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'nope.test' } })).status, 201)

    // An unregistration the registrar refuses leaves the domain registered.
    await setUrl('/refuse')
    const keep = await call('POST', `/orgs/${orgB}/domains/nope.test/unregister`, { body: creds })
    assert.equal(keep.status, 409)
    const rows = await rowsNamed('nope.test')
    assert.equal(rows[0]!.status, 'registered')
    await setUrl('/ok')
    assert.equal((await call('POST', `/orgs/${orgB}/domains/nope.test/unregister`, { body: creds })).status, 204)
    assert.equal((await call('DELETE', '/registrars/acme')).status, 204)
  })

  it('fails a call to a registrar that never answers, or stalls mid-answer, within its timeout while garbage is collected', async () => {
    // AbortSignal.timeout's timer is held only weakly: a collection could drop it and leave the
    // call waiting for ever. Collect garbage all through the calls.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    let gcs = 0
    let gcMs = 0
    const collecting = setInterval(() => {
      const t = Date.now()
      gc()
      gcs++
      gcMs += Date.now() - t
    }, 100)
    try {
      for (const path of ['/never', '/stall']) {
        assert.ok((await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `${reg.base}${path}`, secret: SECRET, tlds: ['test'], timeoutSeconds: 0.5 } })).status < 300)
        const t0 = Date.now()
        const slow = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'never.test', ...creds } })
        const took = Date.now() - t0
        assert.equal(slow.status, 503, `${path}: ${slow.text}`)
        assert.equal(slow.body.code, 'unavailable')
        assert.match(slow.body.detail, /registrar acme did not answer within 0.5 s/)
        // Full collections stall the event loop too: a generous bound, but not for ever.
        assert.ok(took >= 450 && took < 5000, `${path}: answered after ${took} ms (${gcs} collections took ${gcMs} ms)`)
      }
      assert.ok(gcs > 0)
    } finally {
      clearInterval(collecting)
    }
    // An answer past 1 MiB is not read to its end: a refusal without the reason.
    try {
      assert.ok((await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `${reg.base}/huge`, secret: SECRET, tlds: ['test'], timeoutSeconds: 5 } })).status < 300)
      const huge = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'never.test', ...creds } })
      assert.equal(huge.status, 409, huge.text)
      assert.match(huge.body.detail, /registrar acme refused to register never\.test \(HTTP 422\)$/)
      assert.equal((await rowsNamed('never.test')).length, 0)
    } finally {
      assert.equal((await call('DELETE', '/registrars/acme')).status, 204)
    }
  })

  it("a caller's maxduration stops a registrar that never answers before the registrar's own timeout, while garbage is collected", async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const collecting = setInterval(() => gc(), 100)
    try {
      assert.ok((await call('PUT', '/registrars/acme', { body: { driver: 'webhook', url: `${reg.base}/never`, secret: SECRET, tlds: ['test'], timeoutSeconds: 30 } })).status < 300)
      const t0 = Date.now()
      const r = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'never.test', ...creds }, headers: { 'x-execution-params': JSON.stringify({ maxduration: 1 }) } })
      const took = Date.now() - t0
      assert.equal(r.status, 408, r.text)
      assert.equal(r.body.code, 'deadline_exceeded')
      assert.ok(took >= 800 && took < 5000, `answered after ${took} ms, not after the registrar's 30 s`)
      assert.equal((await rowsNamed('never.test')).length, 0)
    } finally {
      clearInterval(collecting)
      { const d = await call('DELETE', '/registrars/acme'); assert.equal(d.status, 204, d.text) }
    }
  })

  it('routes domains by TLD, then to the default registrar, then to local', async () => {
    const ok = { driver: 'webhook', url: `${reg.base}/ok`, secret: SECRET }
    assert.equal((await call('PUT', '/registrars/tld-reg', { body: { ...ok, tlds: ['shop'] } })).status, 201)
    assert.equal((await call('PUT', '/registrars/fallback', { body: { ...ok, isDefault: true } })).status, 201)
    const clash = await call('PUT', '/registrars/other', { body: { ...ok, tlds: ['SHOP'] } })
    assert.equal(clash.status, 409)
    assert.match(clash.body.detail, /tld-reg/)
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'a.shop' } })).body.registrar, 'tld-reg')
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'a.org' } })).body.registrar, 'fallback')
    // A second default replaces the first.
    assert.equal((await call('PUT', '/registrars/fallback2', { body: { driver: 'local', isDefault: true } })).status, 201)
    const listed = (await call('GET', '/registrars')).body.items
    assert.deepEqual(
      listed.filter((r: any) => r.isDefault).map((r: any) => r.name),
      ['fallback2'],
    )
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'b.org' } })).body.registrar, 'fallback2')
    assert.equal((await call('PUT', '/registrars/fallback2', { body: { driver: 'local' } })).status, 200)
    assert.equal((await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'c.org' } })).body.registrar, 'local')
    // Unregistering goes to the registrar that holds the domain.
    const n = reg.deliveries.length
    assert.equal((await call('POST', `/orgs/${orgA}/domains/a.org/unregister`)).status, 204)
    assert.equal(reg.deliveries.length, n + 1)
    assert.equal(reg.deliveries.at(-1)!.body.domain, 'a.org')
    for (const d of ['a.shop', 'b.org', 'c.org']) assert.equal((await call('POST', `/orgs/${orgA}/domains/${d}/unregister`)).status, 204)
    for (const name of ['tld-reg', 'fallback', 'fallback2']) assert.equal((await call('DELETE', `/registrars/${name}`)).status, 204)
  })

  it('lets only the master organisation manage registrars, and checks their settings', async () => {
    const body = { driver: 'webhook', url: `${reg.base}/ok`, secret: SECRET }
    assert.equal((await call('PUT', '/registrars/mine', { body, auth: adminA })).status, 403)
    assert.equal((await call('DELETE', '/registrars/mine', { auth: adminA })).status, 403)
    for (const [name, b] of [
      ['local', { driver: 'local' }],
      ['Bad Name', { driver: 'local' }],
      ['x', { driver: 'webhook', secret: SECRET }],
      ['x', { driver: 'webhook', url: `${reg.base}/ok` }],
      ['x', { driver: 'webhook', url: `${reg.base}/ok`, secret: { set: true } }],
      ['x', { driver: 'webhook', url: 'ftp://example.com/', secret: SECRET }],
      ['x', { driver: 'webhook', url: 'http://u:p@example.com/', secret: SECRET }],
      ['x', { driver: 'webhook', url: `${reg.base}/ok`, secret: SECRET, timeoutSeconds: 500 }],
      ['x', { driver: 'local', url: `${reg.base}/ok` }],
      ['x', { driver: 'local', tlds: ['not.a.tld'] }],
      ['x', { driver: 'carrier-pigeon' }],
    ] as const) {
      const r = await call('PUT', `/registrars/${encodeURIComponent(name)}`, { body: b })
      assert.equal(r.status, 400, `${name} ${JSON.stringify(b)}: ${r.text}`)
    }
    assert.equal((await s.deps.store.db.selectFrom('registrars').select('name').execute()).length, 0)
  })

  it("releases a deleted organisation's domains, and takes over a reservation left behind", async () => {
    const c = (await call('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Short Lived' } })).body.id
    assert.equal((await call('POST', `/orgs/${c}/domains`, { body: { domain: 'released.example' } })).status, 201)
    assert.equal((await call('DELETE', `/orgs/${c}`)).status < 300, true)
    assert.equal((await rowsNamed('released.example')).length, 0)
    assert.equal((await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'released.example' } })).status, 201)
    assert.equal((await call('POST', `/orgs/${c}/domains`, { body: { domain: 'late.example' } })).status, 404)

    // A fresh reservation of another customer's is respected; a stale one is taken over.
    const now = new Date().toISOString()
    const old = new Date(Date.now() - 10 * 60_000).toISOString()
    const row = { org_id: orgA, unicode_name: '', registrar: 'local', status: 'pending', created_at: old }
    await s.deps.store.write((trx) =>
      trx
        .insertInto('domains')
        .values([
          { ...row, id: '00000000-0000-7000-8000-000000000001', name: 'fresh.example', unicode_name: 'fresh.example', updated_at: now },
          { ...row, id: '00000000-0000-7000-8000-000000000002', name: 'stale.example', unicode_name: 'stale.example', updated_at: old },
        ])
        .execute(),
    )
    assert.equal((await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'fresh.example' } })).status, 409)
    const conflict = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'fresh.example' } })
    assert.equal(conflict.status, 409)
    assert.equal(conflict.body.code, 'conflict')
    assert.equal((await call('POST', `/orgs/${orgB}/domains`, { body: { domain: 'stale.example' } })).status, 201)
    const taken = await rowsNamed('stale.example')
    assert.equal(taken[0]!.org_id, orgB)
    assert.equal(taken[0]!.status, 'registered')
    await s.deps.store.write((trx) => trx.deleteFrom('domains').where('name', '=', 'fresh.example').execute())
  })

  it('records each change as a request, and never stores or shows the credentials', async () => {
    const r = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'audit.example', ...creds }, headers: { 'idempotency-key': `dom-${dialect}` } })
    assert.equal(r.status, 201)
    const replay = await call('POST', `/orgs/${orgA}/domains`, { body: { domain: 'audit.example', ...creds }, headers: { 'idempotency-key': `dom-${dialect}` } })
    assert.equal(replay.headers.get('idempotent-replayed'), 'true')
    const j = await call('GET', `/jobs/${r.headers.get('x-job-guid')}`)
    assert.equal(j.body.operation, 'domain.register')
    assert.equal(j.body.status, 'succeeded')
    assert.equal(j.body.target, `org:${orgA}`)
    const u = await call('POST', `/orgs/${orgA}/domains/audit.example/unregister`, { body: creds })
    const ju = await call('GET', `/jobs/${u.headers.get('x-job-guid')}`)
    assert.equal(ju.body.operation, 'domain.unregister')
    assert.equal(ju.body.status, 'succeeded')

    // Every request this suite made, through GET /jobs/{guid} and its log.
    const guids = answers.map((a) => a.headers.get('x-job-guid')).filter((g): g is string => !!g)
    assert.ok(guids.length > 20)
    for (const g of new Set(guids)) {
      for (const path of [`/jobs/${g}`, `/jobs/${g}/log`]) {
        const a = await s.req('GET', path)
        assert.equal(a.status, 200, `${path}: ${a.text}`)
        answers.push(a)
      }
    }
    for (const a of answers) {
      assert.ok(!a.text.includes(PASS), `an answer shows the password: ${a.text}`)
      assert.ok(!a.text.includes(USER), `an answer shows the username: ${a.text}`)
    }
    // Nowhere in the database either.
    for (const table of ['requests', 'domains', 'registrars', 'idempotency_keys', 'jobs'] as const) {
      const rows = await s.deps.store.db.selectFrom(table).selectAll().execute()
      const text = JSON.stringify(rows)
      assert.ok(!text.includes(PASS), `${table} holds the password`)
      assert.ok(!text.includes(USER), `${table} holds the username`)
      assert.ok(!text.includes(SECRET), `${table} holds the registrar secret in clear`)
    }
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    for (const [path, methods] of [
      ['/orgs/{org_id}/domains', ['get', 'post']],
      ['/orgs/{org_id}/domains/{domain}/unregister', ['post']],
      ['/registrars', ['get']],
      ['/registrars/{name}', ['put', 'delete']],
    ] as const) {
      for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
    }
  })
})
