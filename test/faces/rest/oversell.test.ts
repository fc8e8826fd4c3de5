/**
 * Never oversold: hundreds of concurrent purchases against a reseller quota of 100 units, on
 * SQLite through one server and on PostgreSQL through three `clientele serve` processes
 * sharing the database. Exactly min(demand, quota) unit purchases succeed; with random sizes,
 * nothing past the quota is sold and nothing is refused that would have fitted; the reseller's
 * usage always equals what its live sales hold; nothing answers 5xx.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { createDeps } from '../../../src/server.js'
import { ensureMaster } from '../../../src/ops/orgs/bootstrap.js'
import { ADMIN_PASSWORD, basic, dialects, eachDialect, freshDb, startServer, type TestServer } from '../../helpers/harness.js'

const QUOTA = 100
const PURCHASES = 240
const CUSTOMERS = 12
const AUTH = basic('admin', ADMIN_PASSWORD)

interface Answer {
  status: number
  body: any
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: AUTH, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : undefined }
}

async function must(base: string, method: string, path: string, body: unknown, status: number): Promise<any> {
  const r = await call(base, method, path, body)
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** A seeded random number generator (mulberry32), so that a failing run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Market {
  reseller: string
  customers: string[]
  /** Plan id by size (websites it sells). */
  plans: Map<number, number>
}

/** A reseller with a reseller subscription of `quota` websites, hosting plans of 1–5 websites and its customers. */
async function market(base: string, masterId: string, label: string, quota: number): Promise<Market> {
  const rp = await must(base, 'POST', `/orgs/${masterId}/plans`, { name: `Quota ${label}`, resources: [{ name: 'customers', total: CUSTOMERS }, { name: 'websites', total: quota }] }, 201)
  const reseller = (await must(base, 'POST', `/orgs/${masterId}/customers`, { name: `Reseller ${label}` }, 201)).id as string
  await must(base, 'POST', `/orgs/${masterId}/customers/${reseller}/subscriptions`, { planId: rp.id }, 201)
  const plans = new Map<number, number>()
  for (let size = 1; size <= 5; size++) {
    plans.set(size, (await must(base, 'POST', `/orgs/${reseller}/plans`, { name: `Size ${size}`, resources: [{ name: 'websites', total: size }] }, 201)).id)
  }
  const customers: string[] = []
  for (let i = 0; i < CUSTOMERS; i++) customers.push((await must(base, 'POST', `/orgs/${reseller}/customers`, { name: `Buyer ${i}` }, 201)).id)
  return { reseller, customers, plans }
}

/** The reseller's websites usage and total, as it reads its reseller subscription. */
async function websites(base: string, m: Market): Promise<{ usage: number; total: number }> {
  const mine = await must(base, 'GET', `/orgs/${m.reseller}/subscriptions`, undefined, 200)
  const sub = mine.items.find((x: any) => x.planKind === 'reseller')
  const w = sub.resources.find((x: any) => x.name === 'websites')
  return { usage: w.usage, total: w.total }
}

/** Every live subscription sold by the reseller, with the websites it holds. */
async function sold(base: string, m: Market): Promise<{ id: number; customer: string; websites: number; holds: boolean }[]> {
  const out = []
  for (const c of m.customers) {
    for (let offset = 0; ; offset += 1000) {
      const page = await must(base, 'GET', `/orgs/${m.reseller}/customers/${c}/subscriptions?limit=1000&offset=${offset}`, undefined, 200)
      for (const s of page.items) {
        out.push({ id: s.id, customer: c, websites: s.resources.find((x: any) => x.name === 'websites')?.total ?? 0, holds: s.lifecycleStatus === 'active' && !s.isSuspended })
      }
      if (page.items.length < 1000) break
    }
  }
  return out
}

/** Fires `sizes.length` purchases at once, spread over `bases`; answers each one's status. */
async function purchaseAll(bases: string[], m: Market, sizes: number[]): Promise<Answer[]> {
  return Promise.all(
    sizes.map((size, i) =>
      call(bases[i % bases.length]!, 'POST', `/orgs/${m.reseller}/customers/${m.customers[i % m.customers.length]}/subscriptions`, { planId: m.plans.get(size) }),
    ),
  )
}

/** Checks one round's outcome: no 5xx, refusals are quota refusals naming websites, nothing oversold. */
async function checkRound(bases: string[], m: Market, sizes: number[], answers: Answer[], quota: number): Promise<{ ok: number; soldUnits: number }> {
  let ok = 0
  let soldUnits = 0
  const refusedSizes: number[] = []
  answers.forEach((a, i) => {
    assert.ok(a.status < 500, `purchase ${i} answered ${a.status}: ${JSON.stringify(a.body)}`)
    if (a.status === 201) {
      ok++
      soldUnits += sizes[i]!
    } else {
      assert.equal(a.status, 409, JSON.stringify(a.body))
      assert.equal(a.body.code, 'quota_exceeded')
      assert.equal(a.body.resource, 'websites')
      refusedSizes.push(sizes[i]!)
    }
  })
  const w = await websites(bases[0]!, m)
  assert.equal(w.total, quota)
  assert.ok(soldUnits <= quota, `oversold: ${soldUnits} units of ${quota}`)
  assert.equal(w.usage, soldUnits, 'the reseller usage is the sum of what was sold')
  // Usage only rose during the round: a refused purchase did not fit even at the end.
  for (const size of refusedSizes) assert.ok(size > quota - w.usage, `a purchase of ${size} was refused with ${quota - w.usage} left`)
  const demand = sizes.reduce((a, b) => a + b, 0)
  if (demand <= quota) assert.equal(ok, sizes.length)
  const live = await sold(bases[0]!, m)
  assert.equal(live.length, ok, 'one subscription per successful purchase')
  assert.equal(live.reduce((a, s) => a + s.websites, 0), soldUnits)
  return { ok, soldUnits }
}

/** The rounds every dialect runs, against `bases` (one server, or three processes). */
async function rounds(bases: string[], masterId: string, label: string, repeat: number): Promise<void> {
  const random = rng(0x5eed + label.length)
  for (let round = 0; round < repeat; round++) {
    // Unit purchases: exactly min(demand, quota) succeed.
    {
      const m = await market(bases[0]!, masterId, `${label} unit ${round}`, QUOTA)
      const sizes = Array.from({ length: PURCHASES }, () => 1)
      const answers = await purchaseAll(bases, m, sizes)
      const r = await checkRound(bases, m, sizes, answers, QUOTA)
      assert.equal(r.ok, Math.min(PURCHASES, QUOTA))
      assert.equal(r.soldUnits, QUOTA)
    }
    // Random sizes 1–5.
    {
      const m = await market(bases[0]!, masterId, `${label} random ${round}`, QUOTA)
      const sizes = Array.from({ length: PURCHASES }, () => 1 + Math.floor(random() * 5))
      const answers = await purchaseAll(bases, m, sizes)
      const r = await checkRound(bases, m, sizes, answers, QUOTA)
      assert.ok(r.soldUnits > QUOTA - 5, `only ${r.soldUnits} units sold of ${QUOTA}`)
    }
  }
  // Demand under the quota: everything succeeds.
  {
    const m = await market(bases[0]!, masterId, `${label} under`, 3 * PURCHASES)
    const sizes = Array.from({ length: PURCHASES }, (_, i) => 1 + (i % 3))
    const answers = await purchaseAll(bases, m, sizes)
    const r = await checkRound(bases, m, sizes, answers, 3 * PURCHASES)
    assert.equal(r.ok, PURCHASES)
  }
  // Purchases racing suspensions, cancellations and deletions that give amounts back.
  {
    const m = await market(bases[0]!, masterId, `${label} mixed`, QUOTA)
    const first = await purchaseAll(bases, m, Array.from({ length: 60 }, () => 1))
    assert.ok(first.every((a) => a.status === 201))
    const sales = await sold(bases[0]!, m)
    const changes = sales.slice(0, 45).map((s, i) => {
      const path = `/orgs/${m.reseller}/customers/${s.customer}/subscriptions/${s.id}`
      const base = bases[i % bases.length]!
      if (i % 3 === 0) return call(base, 'PATCH', path, { isSuspended: true })
      if (i % 3 === 1) return call(base, 'PATCH', path, { status: 'cancelled' })
      return call(base, 'DELETE', path)
    })
    const sizes = Array.from({ length: PURCHASES }, () => 1 + Math.floor(random() * 3))
    const [answers, changed] = await Promise.all([purchaseAll(bases, m, sizes), Promise.all(changes)])
    for (const c of changed) assert.equal(c.status, 204, JSON.stringify(c.body))
    for (const a of answers) {
      assert.ok(a.status === 201 || (a.status === 409 && a.body.code === 'quota_exceeded'), `${a.status} ${JSON.stringify(a.body)}`)
    }
    const w = await websites(bases[0]!, m)
    const live = await sold(bases[0]!, m)
    const held = live.filter((s) => s.holds).reduce((a, s) => a + s.websites, 0)
    assert.equal(w.usage, held, 'the reseller usage is what its live sales hold')
    assert.ok(w.usage <= QUOTA)
    // Resuming the suspended and cancelled ones is refused past the quota, never oversold.
    const resumed = await Promise.all(
      live
        .filter((s) => !s.holds)
        .map((s, i) => call(bases[i % bases.length]!, 'PATCH', `/orgs/${m.reseller}/customers/${s.customer}/subscriptions/${s.id}`, { isSuspended: false, status: 'active' })),
    )
    for (const a of resumed) assert.ok(a.status === 204 || (a.status === 409 && a.body.code === 'quota_exceeded'), JSON.stringify(a.body))
    const end = await websites(bases[0]!, m)
    const after = (await sold(bases[0]!, m)).filter((s) => s.holds).reduce((a, s) => a + s.websites, 0)
    assert.equal(end.usage, after)
    assert.ok(end.usage <= QUOTA)
  }
}

eachDialect('never oversold, one server', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(() => s.close())

  it(`${PURCHASES} concurrent purchases against a quota of ${QUOTA}, repeated, with random sizes`, { timeout: 300_000 }, async () => {
    await rounds([s.base], s.masterId, 'one', dialect === 'sqlite' ? 5 : 2)
  })
})

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.on('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address()
      const port = typeof a === 'object' && a ? a.port : 0
      srv.close(() => res(port))
    })
  })
}

async function startServe(db: string): Promise<{ base: string; proc: ChildProcess }> {
  const port = await freePort()
  const proc = spawn(
    process.execPath,
    ['bin/clientele.js', 'serve', '--db', db, '--host', '127.0.0.1', '--port', String(port), '--pool-size', '5', '--no-worker'],
    { env: { ...process.env, LOG_LEVEL: 'warn', CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const base = `http://127.0.0.1:${port}`
  const end = Date.now() + 60_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`clientele serve exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { base, proc }
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error('clientele serve did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
}

if (dialects.includes('postgres')) {
  eachDialect('never oversold, three serve processes', (dialect) => {
    if (dialect !== 'postgres') return
    const procs: ChildProcess[] = []
    let drop: () => Promise<void>
    let bases: string[] = []
    let masterId: string
    before(async () => {
      const db = await freshDb('postgres')
      drop = db.drop
      const deps = createDeps({ db: db.location, logger: { info() {}, warn() {}, error() {} }, poolSize: 2 })
      await deps.store.migrate()
      masterId = (await ensureMaster(deps, ADMIN_PASSWORD)).orgId
      await deps.store.close()
      const started = await Promise.all([0, 1, 2].map(() => startServe(db.location)))
      for (const s of started) procs.push(s.proc)
      bases = started.map((s) => s.base)
    })
    after(async () => {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((res) => {
              if (p.exitCode !== null || p.signalCode !== null) return res()
              p.once('exit', () => res())
              p.kill('SIGTERM')
            }),
        ),
      )
      await drop()
    })

    it(`${PURCHASES} concurrent purchases over three processes against a quota of ${QUOTA}, repeated, with random sizes`, { timeout: 300_000 }, async () => {
      await rounds(bases, masterId, 'three', 3)
    })
  })
}
