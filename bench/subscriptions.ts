/**
 * Subscription purchases per second through the REST face (seed 003's
 * `POST /orgs/{org_id}/customers/{customer_org_id}/subscriptions`), sold by a metered reseller
 * so that every purchase draws from its reseller subscription's quota:
 *
 *   s1  SQLite, one `clientele serve` process
 *   s2  PostgreSQL, three `clientele serve` processes sharing one database (needs --postgres,
 *       BENCH_POSTGRES_URL or TEST_POSTGRES_URL: a server where the role may create databases)
 *
 * Each figure: the master organisation sells a reseller plan (`customers`, `websites` with a
 * quota of --quota) to a reseller, which sells a one-website hosting plan to its 50 customers
 * in turn; autocannon posts `{"planId": …}` over --connections connections (spread over the
 * processes) for --duration seconds after a --warmup. At the end, **zero oversell** is checked
 * through the REST face: the reseller's `websites` usage equals the websites of the
 * subscriptions its customers hold (their `subscriptionsCount`) and is within its total, and
 * nothing answered 5xx. Then a burst of 3 × quota-left purchases is fired at a small second
 * quota of 100 and exactly 100 must succeed.
 *
 *   node bin/run-ts.js bench/subscriptions.ts [--quick] [--duration S] [--warmup S] [--connections N]
 *                                             [--quota N] [--postgres URL] [--keep]
 *
 * Floor: s1 ≥ 1,000 purchases/s. Exit status 1 when a floor, the oversell check or a 5xx fails.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { createDeps } from '../src/server.js'
import { ensureMaster } from '../src/ops/orgs/bootstrap.js'
import {
  BENCH_DIR,
  api,
  credentials,
  expectStatus,
  fmtInt,
  fmtMs,
  loadSlice,
  machine,
  parseArgs,
  startClientele,
  table,
  warm,
  Tally,
  type Figure,
  type ServerChild,
} from './lib.js'

const USAGE = 'usage: node bin/run-ts.js bench/subscriptions.ts [--quick] [--duration S] [--warmup S] [--connections N] [--quota N] [--postgres URL] [--keep]'
const args = parseArgs(process.argv.slice(2))
for (const k of args.keys()) {
  if (!['quick', 'duration', 'warmup', 'connections', 'quota', 'postgres', 'keep', 'help'].includes(k)) {
    console.error(`unknown option --${k}\n${USAGE}`)
    process.exit(2)
  }
}
if (args.has('help')) {
  console.log(USAGE)
  process.exit(0)
}
const num = (k: string, d: number) => (typeof args.get(k) === 'string' ? Number(args.get(k)) : d)
const quick = args.has('quick')
const duration = num('duration', quick ? 3 : 10)
const warmup = num('warmup', quick ? 1 : 2)
const connections = num('connections', 50)
const quota = num('quota', 100_000_000)
const pgUrl = (typeof args.get('postgres') === 'string' ? (args.get('postgres') as string) : undefined) ?? process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL
const CUSTOMERS = 50
const FLOOR_SQLITE = 1000
const quiet = { info() {}, warn() {}, error() {} }

const runDir = join(BENCH_DIR, `subscriptions-${new Date().toISOString().replace(/[:.]/g, '-')}`)
mkdirSync(runDir, { recursive: true })
const password = randomBytes(12).toString('base64url')

interface Market {
  reseller: string
  customers: string[]
  plan: number
}

/** The master organisation's reseller plan, a reseller holding it, its one-website plan and its customers. */
async function market(base: string, auth: string, masterId: string, label: string, websites: number): Promise<Market> {
  const rp = await api(base, 'POST', `/orgs/${masterId}/plans`, auth, { name: `Bench quota ${label}`, resources: [{ name: 'customers', total: CUSTOMERS }, { name: 'websites', total: websites }] })
  expectStatus('POST /orgs/{master}/plans', rp, 201)
  const r = await api(base, 'POST', `/orgs/${masterId}/customers`, auth, { name: `Bench reseller ${label}` })
  expectStatus('POST /orgs/{master}/customers', r, 201)
  const reseller = r.json.id as string
  expectStatus('POST reseller subscription', await api(base, 'POST', `/orgs/${masterId}/customers/${reseller}/subscriptions`, auth, { planId: rp.json.id }), 201)
  const hp = await api(base, 'POST', `/orgs/${reseller}/plans`, auth, { name: 'One website', resources: [{ name: 'websites', total: 1 }] })
  expectStatus('POST /orgs/{reseller}/plans', hp, 201)
  const customers: string[] = []
  for (let i = 0; i < CUSTOMERS; i++) {
    const c = await api(base, 'POST', `/orgs/${reseller}/customers`, auth, { name: `Buyer ${i}` })
    expectStatus('POST /orgs/{reseller}/customers', c, 201)
    customers.push(c.json.id)
  }
  return { reseller, customers, plan: hp.json.id }
}

/**
 * Zero oversell, read through the REST face: usage = websites of the live subscriptions sold,
 * within the total. Read again until two reads agree: purchases autocannon sent just before it
 * stopped may still be committing.
 */
async function oversellCheck(base: string, auth: string, m: Market): Promise<{ usage: number; total: number; sold: number; ok: boolean }> {
  let last = await readOversell(base, auth, m)
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200))
    const now = await readOversell(base, auth, m)
    if (now.usage === last.usage && now.sold === last.sold) return now
    last = now
  }
  return last
}

async function readOversell(base: string, auth: string, m: Market): Promise<{ usage: number; total: number; sold: number; ok: boolean }> {
  const mine = await api(base, 'GET', `/orgs/${m.reseller}/subscriptions`, auth)
  expectStatus('GET /orgs/{reseller}/subscriptions', mine, 200)
  const w = mine.json.items.find((x: any) => x.planKind === 'reseller').resources.find((x: any) => x.name === 'websites')
  const list = await api(base, 'GET', `/orgs/${m.reseller}/customers?limit=1000`, auth)
  expectStatus('GET /orgs/{reseller}/customers', list, 200)
  const sold = list.json.items.reduce((a: number, c: any) => a + c.subscriptionsCount, 0)
  return { usage: w.usage, total: w.total, sold, ok: w.usage === sold && w.usage <= w.total }
}

/** Fires `n` purchases at once against a market with a quota of 100: exactly min(n, 100) must succeed. */
async function burst(bases: string[], auth: string, masterId: string, label: string, n: number): Promise<{ ok: number; refused: number; fivexx: number; check: boolean }> {
  const m = await market(bases[0]!, auth, masterId, `${label} burst`, 100)
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      api(bases[i % bases.length]!, 'POST', `/orgs/${m.reseller}/customers/${m.customers[i % CUSTOMERS]}/subscriptions`, auth, { planId: m.plan }),
    ),
  )
  const ok = answers.filter((a) => a.status === 201).length
  const refused = answers.filter((a) => a.status === 409 && a.json?.code === 'quota_exceeded').length
  const fivexx = answers.filter((a) => a.status >= 500).length
  const c = await oversellCheck(bases[0]!, auth, m)
  return { ok, refused, fivexx, check: c.ok && ok === Math.min(n, 100) && c.usage === ok }
}

interface Result {
  figure: string
  processes: number
  rate: Figure
  check: Awaited<ReturnType<typeof oversellCheck>>
  burst: Awaited<ReturnType<typeof burst>>
}

async function measure(figure: string, servers: ServerChild[], masterId: string): Promise<Result> {
  const base = servers[0]!.url
  const cred = await credentials(base, password)
  const auth = cred.bearer
  const m = await market(base, auth, masterId, figure, quota)
  // Check the request once before loading it.
  const one = await api(base, 'POST', `/orgs/${m.reseller}/customers/${m.customers[0]}/subscriptions`, auth, { planId: m.plan })
  expectStatus('POST /orgs/{reseller}/customers/{customer}/subscriptions', one, 201)
  let seq = 0
  const body = JSON.stringify({ planId: m.plan })
  const load = (s: ServerChild, conns: number) => ({
    url: s.url,
    method: 'POST',
    path: `/orgs/${m.reseller}/customers/${m.customers[0]}/subscriptions`,
    headers: { authorization: auth },
    setupRequest: (req: any) => ({ ...req, path: `/orgs/${m.reseller}/customers/${m.customers[seq++ % CUSTOMERS]}/subscriptions`, body }),
    connections: conns,
  })
  const per = Math.max(1, Math.round(connections / servers.length))
  console.error(`${figure}: warming up ${warmup} s, then ${duration} s over ${servers.length} process(es), ${per} connections each`)
  await Promise.all(servers.map((s) => warm(load(s, per), warmup)))
  const tallies = servers.map(() => new Tally())
  await Promise.all(servers.map((s, i) => loadSlice(load(s, per), duration, tallies[i]!)))
  const figs = tallies.map((t) => t.figure())
  // The processes ran side by side for the same time: their counts add up.
  const seconds = Math.max(...figs.map((f) => f.seconds))
  const all = new Tally()
  for (const t of tallies) {
    for (const v of t.samples.sorted()) all.samples.push(v)
    all.non2xx += t.non2xx
    all.errors += t.errors
    all.timeouts += t.timeouts
    for (const [k, v] of Object.entries(t.statusCodes)) all.statusCodes[k] = (all.statusCodes[k] ?? 0) + v
  }
  all.seconds = seconds
  all.sliceRps = [all.samples.length / seconds]
  const rate = all.figure()
  const check = await oversellCheck(base, auth, m)
  const b = await burst(servers.map((s) => s.url), auth, masterId, figure, 300)
  return { figure, processes: servers.length, rate, check, burst: b }
}

async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clientele_bench_subs_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

async function main(): Promise<number> {
  const results: Result[] = []
  const started: ServerChild[] = []
  const drops: (() => Promise<void>)[] = []
  try {
    {
      const db = join(runDir, 'sqlite.db')
      const deps = createDeps({ db, logger: quiet })
      await deps.store.migrate()
      const masterId = (await ensureMaster(deps, password)).orgId
      await deps.store.close()
      const s = await startClientele({ name: 's1', db, password, logFile: join(runDir, 's1.log'), serveArgs: ['--no-worker'] })
      started.push(s)
      results.push(await measure('s1 SQLite, 1 process', [s], masterId))
      await s.stop()
      if (!args.has('keep')) rmSync(join(runDir, 'sqlite.db'), { force: true })
    }
    if (pgUrl) {
      const db = await createPgDatabase(pgUrl)
      if (!args.has('keep')) drops.push(db.drop)
      // Migrated once here, so that the three processes start on a ready database.
      const deps = createDeps({ db: db.url, logger: quiet, poolSize: 2 })
      await deps.store.migrate()
      const masterId = (await ensureMaster(deps, password)).orgId
      await deps.store.close()
      const servers = await Promise.all(
        [1, 2, 3].map((i) => startClientele({ name: `s2.${i}`, db: db.url, password, logFile: join(runDir, `s2-${i}.log`), serveArgs: ['--no-worker', '--pool-size', '10'] })),
      )
      started.push(...servers)
      results.push(await measure('s2 PostgreSQL, 3 processes', servers, masterId))
    } else {
      console.error('s2 skipped: give --postgres URL (or BENCH_POSTGRES_URL) for PostgreSQL with three processes')
    }
  } finally {
    await Promise.all(started.map((s) => s.stop()))
    for (const d of drops) await d()
  }

  let failed = false
  const rows = [['figure', 'purchases/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'usage = sold ≤ total', 'burst 300 vs 100', 'verdict']]
  for (const r of results) {
    const fivexx = Object.entries(r.rate.statusCodes).filter(([k]) => Number(k) >= 500).reduce((a, [, v]) => a + v, 0) + r.burst.fivexx
    const floor = r.processes === 1 ? r.rate.rps >= FLOOR_SQLITE : true
    const ok = floor && r.check.ok && r.burst.check && fivexx === 0 && r.rate.non2xx === 0 && r.rate.errors === 0
    if (!ok) failed = true
    rows.push([
      r.figure,
      fmtInt(r.rate.rps),
      fmtMs(r.rate.p50),
      fmtMs(r.rate.p99),
      fmtInt(r.rate.non2xx),
      fmtInt(r.rate.errors + r.rate.timeouts),
      `${r.check.ok ? 'yes' : 'NO'} (${fmtInt(r.check.usage)} = ${fmtInt(r.check.sold)} ≤ ${fmtInt(r.check.total)})`,
      `${r.burst.ok} ok, ${r.burst.refused} refused${r.burst.check ? '' : ' FAIL'}`,
      ok ? (r.processes === 1 ? `PASS (floor ${fmtInt(FLOOR_SQLITE)}/s)` : 'PASS') : 'FAIL',
    ])
  }
  console.log(table(rows, (c) => c >= 1 && c <= 5))
  writeFileSync(join(BENCH_DIR, 'subscriptions.json'), JSON.stringify({ machine: machine(), options: { duration, warmup, connections, quota, quick }, results }, null, 2))
  console.error(`results in ${join(BENCH_DIR, 'subscriptions.json')}, logs in ${runDir}`)
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
