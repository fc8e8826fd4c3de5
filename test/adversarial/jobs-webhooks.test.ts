/**
 * Issue 15, item 7 (part): a hostile provisioning endpoint. Each path of this receiver misbehaves
 * in its own way (never answers, resets the socket mid-answer, closes before the headers,
 * trickles its body, answers garbage with 200, JSON of no particular shape, a huge 2xx, a
 * redirect elsewhere, a 5xx): every job ends as the README's "Jobs and provisioning drivers"
 * declares (retried then failed, or failed at once) within its timeouts, with a clear message in
 * the request's log; the worker keeps serving well-behaved jobs meanwhile; nothing is left
 * unhandled; and the receiver's bytes reach the answers only escaped.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { eachDialect, startServer, type TestServer } from '../helpers/harness.js'

const SECRET = 'hostile-receiver-secret'
/** One delivery's bound (driverConfig.timeoutMs). */
const TIMEOUT_MS = 400
const MAX_ATTEMPTS = 5
/** Garbage the receiver answers: markup, a NUL, an escape sequence, a lone surrogate's bytes, a CDATA end. */
const GARBAGE = Buffer.concat([Buffer.from('<script>alert(1)</script>\u0000\u001b[31m]]>&amp;"\''), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('\r\nX-Injected: yes')])
const HUGE_BYTES = 24 * 1024 * 1024

interface Hostile {
  base: string
  /** Deliveries seen per path. */
  hits: Map<string, number>
  close(): Promise<void>
}

async function startHostile(): Promise<Hostile> {
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const hits = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    req.resume()
    req.on('end', () => {
      switch (path) {
        case '/hang':
          return // never answers
        case '/reset':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
          res.write('{"provisioned": "half of it')
          return void setTimeout(() => res.socket?.destroy(), 20)
        case '/close':
          return void req.socket.destroy()
        case '/trickle': {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.write('{"a":"')
          const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('x')), 50)
          timers.add(t)
          return
        }
        case '/garbage':
          res.writeHead(200, { 'content-type': 'text/html' })
          return void res.end(GARBAGE)
        case '/shape':
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end(JSON.stringify(['<b>not</b>', { an: 'object' }, 42, null, '\u0000']))
        case '/huge': {
          res.writeHead(200, { 'content-type': 'application/json' })
          const chunk = Buffer.alloc(1024 * 1024, 'x')
          res.write('{"pad":"')
          let sent = 0
          const more = (): void => {
            while (sent < HUGE_BYTES) {
              sent += chunk.length
              if (!res.write(chunk)) return void res.once('drain', more)
            }
            res.end('"}')
          }
          res.on('error', () => {})
          return more()
        }
        case '/redirect':
          res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' })
          return void res.end(GARBAGE)
        case '/e500':
          res.writeHead(500, { 'content-type': 'text/plain' })
          return void res.end(GARBAGE)
        case '/ok':
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end('{"provisioned":true}')
        default:
          res.writeHead(404)
          return void res.end()
      }
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t)
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Per path: how the job must end and what its error must say. */
const CASES: { path: string; status: 'failed' | 'succeeded'; attempts: number; error?: RegExp }[] = [
  { path: '/hang', status: 'failed', attempts: MAX_ATTEMPTS, error: new RegExp(`webhook timed out after ${TIMEOUT_MS} ms \\(gave up after ${MAX_ATTEMPTS} attempts\\)`) },
  { path: '/reset', status: 'failed', attempts: MAX_ATTEMPTS, error: /webhook answer cut short: .*\(gave up after 5 attempts\)/ },
  { path: '/close', status: 'failed', attempts: MAX_ATTEMPTS, error: /webhook unreachable: .*\(gave up after 5 attempts\)/ },
  { path: '/trickle', status: 'failed', attempts: MAX_ATTEMPTS, error: /webhook (answer cut short|timed out).*\(gave up after 5 attempts\)/ },
  { path: '/garbage', status: 'failed', attempts: MAX_ATTEMPTS, error: /webhook answered 200 without JSON: .*\(gave up after 5 attempts\)/ },
  // The README declares any JSON of a 2xx the job's result: it succeeds, the result kept as sent.
  { path: '/shape', status: 'succeeded', attempts: 1 },
  { path: '/huge', status: 'failed', attempts: 1, error: /webhook answer is larger than \d+ bytes/ },
  { path: '/redirect', status: 'failed', attempts: 1, error: /webhook answered 302/ },
  { path: '/e500', status: 'failed', attempts: MAX_ATTEMPTS, error: /webhook answered 500: .*\(gave up after 5 attempts\)/ },
]

eachDialect('adversarial: a hostile webhook receiver', (dialect) => {
  let s: TestServer
  let rx: Hostile
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown) => unhandled.push(e)

  before(async () => {
    process.on('unhandledRejection', onUnhandled)
    process.on('uncaughtException', onUnhandled)
    rx = await startHostile()
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 100, pollMaxMs: 20, leaseMs: 5000, concurrency: 4 } })
    for (const c of [...CASES, { path: '/ok' }]) {
      const name = `H${c.path.slice(1).toUpperCase()}`
      const a = await s.req('POST', '/services', { body: { name, driver: 'webhook', driverConfig: { url: rx.base + c.path, secret: SECRET, timeoutMs: TIMEOUT_MS } } })
      assert.equal(a.status, 201, a.text)
    }
  })
  after(async () => {
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
    await s.close()
    await rx.close()
  })

  async function provision(service: string): Promise<string> {
    const a = await s.req('POST', `/services/${service}/test-provision`, { body: { subject: `hostile:${service}` } })
    assert.equal(a.status, 202, a.text)
    return a.body.requestGuid as string
  }

  it('fails each misbehaving delivery cleanly and in time, keeps serving the others, and escapes what it was sent', { timeout: 60_000 }, async () => {
    const started = Date.now()
    const hostile = new Map<string, string>()
    for (const c of CASES) hostile.set(c.path, await provision(`H${c.path.slice(1).toUpperCase()}`))
    // Well-behaved jobs queued alongside: the worker must serve them while the others misbehave.
    const good: string[] = []
    for (let i = 0; i < 12; i++) good.push(await provision('HOK'))

    // Every delivery is bounded by TIMEOUT_MS and retries back off at most 100 ms: 5 attempts of
    // each hostile job take < 5 × (400 + 100) ms of its own; with 4 slots shared by 9 hostile
    // jobs, all of them end well within 20 s.
    const bound = 20_000
    const pending = new Set([...hostile.values(), ...good])
    const answers = new Map<string, { body: any; text: string; at: number }>()
    while (pending.size > 0) {
      if (Date.now() - started > bound) {
        const left = [...pending].map((g) => [...hostile].find(([, h]) => h === g)?.[0] ?? 'ok')
        const logs = await Promise.all([...pending].map(async (g) => (await s.req('GET', `/jobs/${g}`)).body.log.map((e: any) => e.message).join(' | ')))
        assert.fail(`still unfinished after ${bound} ms: ${left.join(', ')}\n${logs.join('\n')}`)
      }
      for (const g of [...pending]) {
        const j = await s.req('GET', `/jobs/${g}`)
        assert.equal(j.status, 200, j.text)
        if (j.body.status === 'succeeded' || j.body.status === 'failed') {
          pending.delete(g)
          answers.set(g, { body: j.body, text: j.text, at: Date.now() - started })
        }
      }
      await new Promise((r) => setTimeout(r, 50))
    }

    for (const g of good) assert.equal(answers.get(g)!.body.status, 'succeeded', `a well-behaved job: ${answers.get(g)!.text}`)
    // Served while the hostile ones were still going: the good ones did not wait for them all.
    const lastGood = Math.max(...good.map((g) => answers.get(g)!.at))
    const lastHostile = Math.max(...[...hostile.values()].map((g) => answers.get(g)!.at))
    assert.ok(lastGood < lastHostile, `the well-behaved jobs ended at ${lastGood} ms, after the hostile ones (${lastHostile} ms)`)

    for (const c of CASES) {
      const { body, text } = answers.get(hostile.get(c.path)!)!
      const where = `${c.path}: ${text.slice(0, 2000)}`
      assert.equal(body.status, c.status, where)
      const row = await s.deps.store.db.selectFrom('jobs').innerJoin('requests', 'requests.id', 'jobs.request_id').select(['jobs.attempts', 'jobs.status', 'jobs.result', 'jobs.lease_owner']).where('requests.guid', '=', hostile.get(c.path)!).executeTakeFirstOrThrow()
      assert.equal(row.attempts, c.attempts, where)
      assert.equal(row.lease_owner, null, where)
      assert.equal(rx.hits.get(c.path), c.attempts, `${c.path}: deliveries`)
      const log = (body.log as { message: string }[]).map((e) => e.message)
      assert.equal(log.filter((m) => m === `finished: ${c.status}`).length, 1, where)
      if (c.error) {
        assert.match(body.error, c.error, where)
        assert.ok(log.some((m) => c.error!.test(m)), `${c.path}: the log says why: ${log.join(' | ')}`)
        // Bounded: a message of a few hundred characters, never the receiver's whole answer.
        assert.ok(body.error.length < 600, `${c.path}: an error of ${body.error.length} characters`)
      }
      // The receiver's bytes reach the answer only escaped: the JSON text carries no raw control
      // character (NUL, ESC, CR/LF) anywhere, and parses back.
      assert.doesNotMatch(text, /[\u0000-\u001f]/, `${c.path}: a raw control character in the answer`)
      if (c.path === '/shape') assert.deepEqual(JSON.parse(row.result!), ['<b>not</b>', { an: 'object' }, 42, null, '\u0000'])
      if (c.path === '/huge') assert.ok((row.result ?? '').length < 1024, 'the huge answer was not stored')
    }
    // Garbage is quoted so that a reader sees where it starts and ends, escapes and all.
    const garbageError = answers.get(hostile.get('/garbage')!)!.body.error as string
    assert.ok(garbageError.includes('\\u0000') && garbageError.includes('\\u001b'), `control characters are shown escaped: ${JSON.stringify(garbageError)}`)
    assert.deepEqual(unhandled, [])
    // The server still answers.
    assert.equal((await s.req('GET', '/jobs?limit=1')).status, 200)
  })
})
