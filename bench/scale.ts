/**
 * `npm run bench:scale`: does the customers page stay flat as the hierarchy grows?
 *
 * Builds the 100,000- and the 1,000,000-organisation hierarchies with `clientele dev seed`
 * (each on its own database file under .bench/), prints how long each took, then serves both
 * and measures the (c) page — `GET /orgs/{masterId}/customers?recursive=true&limit=50`, Bearer,
 * whose answer includes `total` — at each size, in interleaved slices so that a slow spell of
 * the machine hits both sizes alike. Requirement: p50 at 1,000,000 ≤ 2 × p50 at 100,000.
 *
 * Options: --quick (short runs), --sizes 100000,1000000, --connections N (default 50, as in
 * `npm run bench`), --duration S per size, --rounds N, --warmup S, --keep (keep the databases).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import {
  BENCH_DIR,
  ROOT,
  api,
  credentials,
  expectStatus,
  fmtInt,
  fmtMs,
  fmtRatio,
  loadSlice,
  machine,
  parseArgs,
  seed,
  startClientele,
  table,
  warm,
  Tally,
  type Figure,
  type LoadOptions,
  type ServerChild,
} from './lib.js'

const USAGE = 'usage: npm run bench:scale -- [--quick] [--sizes 100000,1000000] [--connections N] [--duration S] [--rounds N] [--warmup S] [--keep] [--no-memo]'
const args = parseArgs(process.argv.slice(2))
for (const k of args.keys()) {
  if (!['quick', 'sizes', 'connections', 'duration', 'rounds', 'warmup', 'keep', 'help', 'no-memo'].includes(k)) {
    console.error(`unknown option --${k}\n${USAGE}`)
    process.exit(2)
  }
}
if (args.has('help')) {
  console.log(USAGE)
  process.exit(0)
}
const num = (k: string, dflt: number) => {
  const v = args.get(k)
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${k} wants a positive number`)
    process.exit(2)
  }
  return n
}
const quick = args.has('quick')
const sizesArg = args.get('sizes')
const sizes = typeof sizesArg === 'string' ? sizesArg.split(',').map((s) => Math.round(Number(s))) : [100_000, 1_000_000]
if (sizes.length < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('--sizes wants positive integers, e.g. 100000,1000000')
  process.exit(2)
}
const connections = Math.round(num('connections', 50))
const duration = num('duration', quick ? 3 : 10)
const rounds = Math.round(num('rounds', quick ? 3 : 10))
const warmup = num('warmup', quick ? 1 : 2)
const keep = args.has('keep')
const noMemo = args.has('no-memo')
const slice = duration / rounds

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const runDir = join(BENCH_DIR, `scale-${stamp}`)
mkdirSync(runDir, { recursive: true })
const password = randomBytes(18).toString('base64url')
const say = (m: string) => process.stderr.write(`${m}\n`)

const live: ServerChild[] = []
const stopAll = async () => {
  await Promise.all(live.map((s) => s.stop()))
  live.length = 0
}
process.once('SIGINT', () => {
  stopAll().finally(() => process.exit(130))
})

interface SizeResult {
  orgs: number
  seedWallSeconds: number
  seedReportedSeconds: number | null
  total: number
  loaded: Figure
  single: Figure
}
const results: SizeResult[] = []

try {
  say(`clientele bench:scale: sizes ${sizes.map(fmtInt).join(', ')}; page measured with ${connections} connections (and with 1), ${duration} s per size in ${rounds} interleaved slices`)
  say(`working directory ${relative(ROOT, runDir)}`)
  const seeded: { orgs: number; db: string; wall: number; reported: number | null }[] = []
  for (const orgs of sizes) {
    const db = join(runDir, `orgs-${orgs}.db`)
    say(`seeding ${fmtInt(orgs)} organisations (clientele dev seed --orgs ${orgs}) …`)
    const s = await seed({ db, orgs, password, logFile: join(runDir, `seed-${orgs}.log`) })
    say(`  ${fmtInt(orgs)}: ${s.wallSeconds.toFixed(1)} s (the command reported ${s.reportedSeconds ?? '?'} s)`)
    seeded.push({ orgs, db, wall: s.wallSeconds, reported: s.reportedSeconds })
  }

  const targets: { orgs: number; loaded: LoadOptions; single: LoadOptions; total: number }[] = []
  for (const sd of seeded) {
    const srv = await startClientele({
      name: `clientele (${sd.orgs})`,
      db: sd.db,
      password,
      logFile: join(runDir, `clientele-${sd.orgs}.log`),
      // --no-memo: every page is read from the database (the memo would serve an unchanged one).
      serveArgs: noMemo ? ['--no-memo'] : [],
    })
    live.push(srv)
    const cred = await credentials(srv.url, password)
    const path = `/orgs/${cred.masterId}/customers?recursive=true&limit=50`
    const page = await api(srv.url, 'GET', path, cred.bearer)
    expectStatus('GET /orgs/{masterId}/customers', page, 200)
    if (page.json.items.length !== 50) throw new Error(`the page has ${page.json.items.length} items, not 50`)
    const total = page.json.total as number
    if (total !== sd.orgs) say(`  note: total is ${total} at ${sd.orgs} organisations`)
    const o: LoadOptions = { url: srv.url, path, headers: { authorization: cred.bearer }, connections }
    targets.push({ orgs: sd.orgs, loaded: o, single: { ...o, connections: 1 }, total })
  }

  say('warming up …')
  for (const t of targets) {
    await warm(t.loaded, warmup)
    await warm(t.single, Math.min(1, warmup))
  }
  const loaded = targets.map(() => new Tally())
  const single = targets.map(() => new Tally())
  for (let r = 1; r <= rounds; r++) {
    const parts: string[] = []
    for (let i = 0; i < targets.length; i++) {
      await loadSlice(targets[i]!.loaded, slice, loaded[i]!)
      await loadSlice(targets[i]!.single, slice / 2, single[i]!)
      parts.push(`${fmtInt(targets[i]!.orgs)}: ${fmtInt(loaded[i]!.sliceRps.at(-1)!)}/s`)
    }
    say(`  round ${r}/${rounds}: ${parts.join('  ')}`)
  }
  for (let i = 0; i < targets.length; i++) {
    const sd = seeded[i]!
    results.push({
      orgs: sd.orgs,
      seedWallSeconds: sd.wall,
      seedReportedSeconds: sd.reported,
      total: targets[i]!.total,
      loaded: loaded[i]!.figure(),
      single: single[i]!.figure(),
    })
  }
} catch (e) {
  await stopAll()
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
}
await stopAll()

const base = results[0]!
const rowsOut: string[][] = [
  ['organisations', 'seed s', 'total', `req/s (${connections} conn)`, 'p50 ms', 'p99 ms', `p50 × ${fmtInt(base.orgs)}`, 'p50 ms (1 conn)', `× ${fmtInt(base.orgs)}`],
]
for (const r of results) {
  rowsOut.push([
    fmtInt(r.orgs),
    r.seedWallSeconds.toFixed(1),
    fmtInt(r.total),
    fmtInt(r.loaded.rps),
    fmtMs(r.loaded.p50),
    fmtMs(r.loaded.p99),
    fmtRatio(r.loaded.p50 / base.loaded.p50),
    fmtMs(r.single.p50),
    fmtRatio(r.single.p50 / base.single.p50),
  ])
}
console.log('')
console.log(table(rowsOut, (c) => c >= 1))
console.log('')

const verdicts = results.slice(1).map((r) => {
  const ratio = r.loaded.p50 / base.loaded.p50
  const bad = r.loaded.non2xx + r.loaded.errors + r.loaded.timeouts + base.loaded.non2xx + base.loaded.errors + base.loaded.timeouts
  const pass = bad === 0 && ratio <= 2
  console.log(
    `p50 at ${fmtInt(r.orgs)} ≤ 2 × p50 at ${fmtInt(base.orgs)}: ${fmtMs(r.loaded.p50)} ms vs ${fmtMs(base.loaded.p50)} ms (× ${fmtRatio(ratio)}) ${pass ? 'PASS' : 'FAIL'}${bad ? ` (${bad} failed requests)` : ''}`,
  )
  return { orgs: r.orgs, versus: base.orgs, ratio, pass }
})
for (const r of results) {
  const bad = r.loaded.non2xx + r.loaded.errors + r.loaded.timeouts
  if (bad) console.log(`${fmtInt(r.orgs)}: ${bad} non-2xx/errors/timeouts: ${JSON.stringify(r.loaded.statusCodes)}`)
}
const m = machine()
console.log(`${m.cpus} × ${m.cpuModel}, Node ${m.node}; seed times are wall-clock for the whole \`clientele dev seed\` command.`)
writeFileSync(
  join(BENCH_DIR, 'scale.json'),
  JSON.stringify({ date: new Date().toISOString(), machine: m, options: { quick, sizes, connections, durationSeconds: duration, rounds, warmupSeconds: warmup }, results, verdicts }, null, 2) + '\n',
)
console.log(`results written to ${relative(ROOT, join(BENCH_DIR, 'scale.json'))}; logs in ${relative(ROOT, runDir)}`)
if (!keep) for (const f of readdirSync(runDir)) if (/\.db(-wal|-shm)?$/.test(f)) rmSync(join(runDir, f), { force: true })
process.exit(verdicts.every((v) => v.pass) ? 0 : 1)
