/**
 * The Thrift face (seed 001's `service Customer`) from Apache Thrift's own Python library and
 * the Python client the Debian compiler generates from idl/customer.thrift today, over HTTP
 * (`POST /thrift/customer`) and over the framed TCP port; hostile frames on the TCP port and
 * hostile bodies over HTTP; and the committed Node code (src/faces/thrift/gen/) byte-equal to
 * what the compiler makes of the IDL. Needs `thrift` (thrift-compiler) and `/usr/bin/python3`
 * with `thrift` (python3-thrift): without them the test fails naming the packages.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { ADMIN_PASSWORD, eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { people } from '../helpers/people.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const script = fileURLToPath(new URL('./customer_client.py', import.meta.url))
const PYTHON = '/usr/bin/python3'
const INSTALL = 'apt-get install thrift-compiler python3-thrift'
const FRAME_MS = 400

/** Fails (never skips) unless the compiler and Debian's Python with `thrift` are here. */
function requireTools(): void {
  const c = spawnSync('thrift', ['--version'], { encoding: 'utf8' })
  assert.ok(!c.error && c.status === 0, `the Apache Thrift compiler (thrift) is missing: ${INSTALL}`)
  const p = spawnSync(PYTHON, ['-c', 'import thrift'], { encoding: 'utf8' })
  assert.ok(!p.error && p.status === 0, `${PYTHON} cannot import thrift (${p.error?.message ?? p.stderr.trim()}): ${INSTALL}`)
}

/** The Python client, freshly generated from the IDL. */
function generatePython(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clientele-thrift-py-'))
  const r = spawnSync('thrift', ['--gen', 'py', '-out', dir, join(root, 'idl/customer.thrift')], { encoding: 'utf8' })
  assert.equal(r.status, 0, `thrift --gen py failed: ${r.stderr}`)
  return dir
}

async function python(gen: string, cfg: object): Promise<any> {
  try {
    const { stdout } = await run(PYTHON, [script, gen, JSON.stringify(cfg)], { timeout: 50_000 })
    return JSON.parse(stdout.trim().split('\n').pop()!)
  } catch (e) {
    const x = e as { stderr?: string; stdout?: string; message: string }
    assert.fail(`customer_client.py failed: ${x.stderr || x.message}\n${x.stdout ?? ''}`)
  }
}

/** A Thrift binary-protocol string (i32 length, bytes). */
const tstring = (s: string, claimed?: number) => {
  const b = Buffer.from(s)
  const n = Buffer.alloc(4)
  n.writeInt32BE(claimed ?? b.length)
  return Buffer.concat([n, b])
}
const i32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return b
}
const head = (name: string) => Buffer.concat([Buffer.from([0x80, 0x01, 0x00, 0x01]), tstring(name), i32(1)])

eachDialect('Thrift face from Apache Thrift clients', (dialect) => {
  let s: TestServer
  let gen: string
  const p = people(() => s)
  const admin = ['admin', ADMIN_PASSWORD]
  let poolPrefix: string

  before(async () => {
    requireTools()
    gen = generatePython()
    s = await startServer(dialect, { thriftTcp: { port: 0, frameMs: FRAME_MS, idleMs: 10_000 } })
    const pool = await s.req('POST', '/ip-pools', { body: { name: 'thrift-pool', cidr: '203.0.113.0/24' } })
    assert.equal(pool.status, 201, pool.text)
    poolPrefix = '203.0.113.'
  })
  after(async () => {
    await s?.close()
    if (gen) rmSync(gen, { recursive: true, force: true })
  })

  /** A customer with an owner, another customer, a REST notice and bandwidth samples: what one run needs. */
  async function fixture(tag: string) {
    const customer = await p.customer(`Thrift ${tag}`)
    const other = await p.customer(`Thrift ${tag} other`)
    const owner = `${tag}-owner`
    await p.user(customer, owner, 'owner')
    const notice = await s.req('POST', '/notices', { body: { orgId: customer, noticeTypeId: 2, subject: `Maintenance ${tag}`, body: 'Tonight.' } })
    assert.equal(notice.status, 201, notice.text)
    const noticeCreated = Math.floor(Date.parse(notice.body.createdAt) / 1000)
    // Twenty samples in the current month (5-minute slots ending now): p95 drops the top one.
    const now = Math.floor(Date.now() / 300_000) * 300_000
    const slots = Array.from({ length: 20 }, (_, i) => now - i * 300_000).filter((t) => new Date(t).getUTCMonth() === new Date(now).getUTCMonth())
    const samples = slots.map((t, i) => ({ at: new Date(t).toISOString(), inBps: 1000 * (i + 1), outBps: 500 }))
    const bw = await s.req('POST', `/orgs/${customer}/bandwidth/samples`, { body: { samples } })
    assert.equal(bw.status, 200, bw.text)
    const sorted = samples.map((x) => Math.max(x.inBps, x.outBps)).sort((a, b) => a - b)
    const p95 = sorted[Math.ceil(sorted.length * 0.95) - 1]!
    const requested = tag === 'http' ? '203.0.113.200' : '203.0.113.201'
    return { customer, other, owner: [owner, `${owner}-password`], noticeId: notice.body.id, noticeSubject: `Maintenance ${tag}`, noticeCreated, since: noticeCreated - 60, samples: samples.length, bandwidth: p95, requested, poolPrefix, poolName: 'thrift-pool' }
  }

  async function afterCalls(tag: string, f: Awaited<ReturnType<typeof fixture>>, out: any) {
    // Every function ran (the Python program checks the names against Customer.Iface).
    assert.equal(out.called, 35)
    // The requests the calls recorded are real requests.
    for (const guid of [out.wizard, out.cancellation]) {
      assert.match(guid, /^[0-9a-f-]{36}$/)
      const job = await s.req('GET', `/jobs/${guid}`)
      assert.equal(job.status, 200, job.text)
      assert.equal(job.body.guid, guid)
    }
    // changePassword: the owner logs in with the new password over REST too, not the old one.
    assert.equal((await s.req('GET', `/orgs/${f.customer}`, { auth: [f.owner[0]!, `new-${tag}-password-9`] })).status, 200)
    assert.equal((await s.req('GET', `/orgs/${f.customer}`, { auth: f.owner as [string, string] })).status, 401)
    // Mail is not configured here: changeEmail makes the change at once.
    assert.deepEqual(out.email, { current: `${tag}-owner@example.com`, pending: null })
    // Refusals carry the stable code and the field.
    assert.deepEqual(out.malformedIp, { code: 'invalid_argument', field: 'address' })
    assert.equal(out.unknownCustomer.code, 'not_found')
    assert.equal(out.taken.code, 'already_exists')
    // Settings as REST sees them.
    const settings = await s.req('GET', `/orgs/${f.customer}/settings`)
    assert.equal(settings.status, 200, settings.text)
    assert.ok(JSON.stringify(settings.body).includes('"theme"'), settings.text)
  }

  it('over HTTP (THttpClient): every function of service Customer, refusals, a wrong password is 401 and runs nothing', async () => {
    const f = await fixture('http')
    const out = await python(gen, { mode: 'calls', transport: 'http', url: `${s.base}/thrift/customer`, admin, ...f })
    await afterCalls('http', f, out)
    assert.equal(out.wrongPassword.raised, 'TApplicationException')
    assert.equal(out.wrongPassword.status, 401)
    assert.equal(out.oldPassword, 'TApplicationException')
  })

  it('over the framed TCP port: every function after Session.authenticate; wrong credentials and calls before authenticate are refused and closed', async () => {
    const f = await fixture('tcp')
    const out = await python(gen, { mode: 'calls', transport: 'tcp', host: '127.0.0.1', port: s.app.thriftTcp!.port, admin, ...f })
    await afterCalls('tcp', f, out)
    assert.equal(out.wrongPassword.raised, 'TApplicationException')
    assert.match(out.wrongPassword.message, /authentication failed/)
    assert.equal(out.wrongPassword.closed, true)
    assert.match(out.beforeAuth.message, /Session\.authenticate/)
    assert.equal(out.beforeAuth.closed, true)
    // The owner's connection, authenticated before changePassword, is refused at its next call.
    assert.equal(out.oldPassword, 'TApplicationException')
  })

  it('hostile frames each close their own connection, allocate nothing and leave an authenticated client answered', async (t) => {
    const customer = await p.customer('Thrift hostile')
    global.gc?.()
    const before = process.memoryUsage()
    const out = await python(gen, { mode: 'hostile', host: '127.0.0.1', port: s.app.thriftTcp!.port, admin, customer })
    const grown = process.memoryUsage()
    assert.ok(grown.rss - before.rss < 50 * 2 ** 20, `rss grew by ${(grown.rss - before.rss) / 2 ** 20} MiB`)
    assert.ok(grown.heapUsed - before.heapUsed < 50 * 2 ** 20, `heap grew by ${(grown.heapUsed - before.heapUsed) / 2 ** 20} MiB`)
    const closed = out.closed as Record<string, number>
    t.diagnostic(`closed after (s): ${JSON.stringify(closed)}; steady calls: ${out.steady}; rss +${((grown.rss - before.rss) / 2 ** 20).toFixed(1)} MiB`)
    assert.deepEqual(Object.keys(closed).sort(), ['frame of 2^31-1 bytes', 'list of 2^31-1 elements', 'map of 2^31-1 entries', 'name claiming 2 GiB', 'non-strict message', 'random bytes', 'string claiming 2 GiB', 'truncated frame'])
    // The truncated frame is closed by the frame-completion timeout, not at once and not by the idle timeout.
    assert.ok(closed['truncated frame']! >= (FRAME_MS - 50) / 1000 && closed['truncated frame']! < 3, `truncated frame closed after ${closed['truncated frame']}s`)
    for (const [name, secs] of Object.entries(closed)) if (name !== 'truncated frame' && name !== 'random bytes') assert.ok(secs < FRAME_MS / 1000, `${name} closed after ${secs}s`)
    assert.ok(out.steady >= 5)
  })

  it('over HTTP a body claiming a 2 GiB string is 400 and runs nothing; a body over the limit is 413', async () => {
    const customer = await p.customer('Thrift http hostile')
    const auth = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`, 'content-type': 'application/x-thrift' }
    // setSettings(customer, [Setting('first', 'x'), Setting(<2 GiB>, …)]): the first setting must not be stored.
    const setting = (name: Buffer) => Buffer.concat([Buffer.from([0x0b, 0x00, 0x01]), name, Buffer.from([0x0b, 0x00, 0x02]), tstring('x'), Buffer.from([0x00])])
    const body = Buffer.concat([head('setSettings'), Buffer.from([0x0b, 0x00, 0x01]), tstring(customer), Buffer.from([0x0f, 0x00, 0x02, 0x0c]), i32(2), setting(tstring('first')), setting(tstring('abc', 2 ** 31 - 1))])
    const r = await fetch(`${s.base}/thrift/customer`, { method: 'POST', headers: auth, body })
    assert.equal(r.status, 400)
    assert.match(Buffer.from(await r.arrayBuffer()).toString('latin1'), /exceeds the limit/)
    const big = await fetch(`${s.base}/thrift/customer`, { method: 'POST', headers: auth, body: Buffer.alloc(1024 * 1024 + 1) })
    assert.equal(big.status, 413)
    await big.arrayBuffer()
    const list = await s.req('GET', `/orgs/${customer}/settings`)
    assert.equal(list.status, 200, list.text)
    assert.ok(!JSON.stringify(list.body).includes('"first"'), list.text)
  })

  it('the committed Node code is what the compiler makes of the IDL today', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clientele-thrift-js-'))
    try {
      const r = spawnSync(process.execPath, [join(root, 'scripts/thrift-gen.js'), dir], { encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
      const committed = join(root, 'src/faces/thrift/gen')
      assert.deepEqual(readdirSync(dir).sort(), readdirSync(committed).sort())
      for (const f of readdirSync(dir)) assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(committed, f))), `src/faces/thrift/gen/${f} differs from what thrift makes of idl/customer.thrift: npm run thrift:gen`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
