/**
 * `npm run bench`: Clientele's throughput and latency against baselines measured in the same
 * run on the same machine. See bench/README.md for what each figure means.
 *
 *   a  ceiling: a bare Fastify 5 JSON route
 *   b  GET /orgs/{id} of one customer (Bearer, Basic)
 *   c  a 50-row page of GET /orgs/{masterId}/customers?recursive=true over 100,000 organisations (Bearer, Basic)
 *   d  POST /orgs/{id}/customers with a unique name per request (Bearer, Basic)
 *   e  baseline for d: a raw prepared INSERT loop on better-sqlite3 (WAL, synchronous=FULL, a row per transaction)
 *
 * Options: --quick (short runs), --only a,b,... (a subset), --connections N, --duration S (per
 * figure), --rounds N (interleaved slices), --warmup S, --orgs N (size of c's hierarchy),
 * --keep (keep the databases under .bench/run-*), --cpu-prof (profile the servers into
 * .bench/run-*\/prof).
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
  orgRowBytes,
  parseArgs,
  rawInserter,
  seed,
  startBare,
  startClientele,
  table,
  warm,
  Tally,
  type Figure,
  type LoadOptions,
  type ServerChild,
} from './lib.js'

const ALL = ['a', 'b', 'c', 'd', 'e'] as const
type Part = (typeof ALL)[number]
const USAGE = 'usage: npm run bench -- [--quick] [--only a,b,c,d,e] [--connections N] [--duration S] [--rounds N] [--warmup S] [--orgs N] [--keep] [--cpu-prof]'

const args = parseArgs(process.argv.slice(2))
for (const k of args.keys()) {
  if (!['quick', 'only', 'connections', 'duration', 'rounds', 'warmup', 'orgs', 'keep', 'cpu-prof', 'help'].includes(k)) {
    console.error(`unknown option --${k}\n${USAGE}`)
    process.exit(2)
  }
}
if (args.has('help')) {
  console.log(USAGE)
  process.exit(0)
}
const quick = args.has('quick')
const onlyArg = args.get('only')
const only = new Set<Part>(
  typeof onlyArg === 'string'
    ? onlyArg.split(',').map((s) => {
        const p = s.trim().toLowerCase()
        if (!(ALL as readonly string[]).includes(p)) {
          console.error(`--only takes letters among ${ALL.join(',')}; got ${s}`)
          process.exit(2)
        }
        return p as Part
      })
    : ALL,
)
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
const connections = Math.round(num('connections', 50))
const duration = num('duration', quick ? 3 : 10)
const rounds = Math.round(num('rounds', quick ? 3 : 10))
const warmup = num('warmup', quick ? 1 : 2)
const treeOrgs = Math.round(num('orgs', 100_000))
const keep = args.has('keep')
const cpuProf = args.has('cpu-prof')
const slice = duration / rounds

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const runDir = join(BENCH_DIR, `run-${stamp}`)
mkdirSync(runDir, { recursive: true })
const password = randomBytes(18).toString('base64url')
const nodeArgs = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(runDir, 'prof')] : []

const live = new Set<ServerChild>()
async function serve(start: () => Promise<ServerChild>): Promise<ServerChild> {
  const s = await start()
  live.add(s)
  return s
}
async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()))
  live.clear()
}
process.once('SIGINT', () => {
  stopAll().finally(() => process.exit(130))
})

function say(msg: string): void {
  process.stderr.write(`${msg}\n`)
}

/** One figure of the table: warmed once, then measured in one slice per round. */
interface Scenario {
  key: string
  label: string
  warm(seconds: number): Promise<void>
  slice(seconds: number, tally: Tally): Promise<void>
}

interface Row extends Figure {
  key: string
  label: string
}
const rows = new Map<string, Row>()
const notes: string[] = []
const scenarios: Scenario[] = []

const lg = (name: string) => join(runDir, `${name}.log`)
const started = Date.now()
say(`clientele bench: parts ${[...only].join(',')}; ${connections} connections; each figure ${duration} s in ${rounds} interleaved slices of ${slice.toFixed(1)} s, after ${warmup} s of warm-up`)
say(`working directory ${relative(ROOT, runDir)}`)

let rowBytes: number | undefined
let seedInfo: { orgs: number; wallSeconds: number; reportedSeconds: number | null } | undefined
let dCheck: (() => Promise<void>) | undefined
let closeRaw: (() => void) | undefined

function http(key: string, label: string, o: LoadOptions): Scenario {
  return { key, label, warm: (s) => warm(o, s), slice: (s, t) => loadSlice(o, s, t) }
}

try {
  // Setup. The hierarchy for (c) is seeded first, before any server runs.
  let treeDb: string | undefined
  if (only.has('c')) {
    treeDb = join(runDir, 'tree.db')
    say(`c: clientele dev seed --orgs ${treeOrgs} …`)
    const sd = await seed({ db: treeDb, orgs: treeOrgs, password, logFile: lg('seed') })
    seedInfo = { orgs: treeOrgs, ...sd }
    say(`   seeded in ${sd.wallSeconds.toFixed(1)} s (the command reported ${sd.reportedSeconds ?? '?'} s)`)
  }

  // (a) the ceiling.
  if (only.has('a')) {
    const s = await serve(() => startBare({ logFile: lg('bare'), nodeArgs }))
    scenarios.push(http('a', 'ceiling: bare Fastify GET /bare', { url: s.url, path: '/bare', connections }))
  }

  // (b) and (d) on one server with a database of its own.
  const bd: Scenario[] = []
  const dd: Scenario[] = []
  if (only.has('b') || only.has('d')) {
    const dbFile = join(runDir, 'main.db')
    const s = await serve(() => startClientele({ name: 'clientele (main)', db: dbFile, password, logFile: lg('clientele-main'), nodeArgs }))
    const cred = await credentials(s.url, password)
    const made = await api(s.url, 'POST', `/orgs/${cred.masterId}/customers`, cred.basic, { name: 'Bench Reseller', isReseller: true })
    expectStatus('POST /orgs/{masterId}/customers', made, 201)
    const customerId = made.json.id as string
    for (const auth of [cred.bearer, cred.basic]) expectStatus('GET /orgs/{id}', await api(s.url, 'GET', `/orgs/${customerId}`, auth), 200)
    const auths = [['bearer', 'Bearer', cred.bearer], ['basic', 'Basic', cred.basic]] as const
    if (only.has('b')) {
      for (const [how, How, auth] of auths) {
        bd.push(http(`b.${how}`, `GET /orgs/{id}, ${How}`, { url: s.url, path: `/orgs/${customerId}`, headers: { authorization: auth }, connections }))
      }
    }
    if (only.has('d')) {
      const tag = randomBytes(4).toString('hex')
      let seq = 0
      // One customer made by hand gives the size of a stored row for (e).
      const probe = await api(s.url, 'POST', `/orgs/${customerId}/customers`, cred.bearer, { name: `Bench ${tag} probe` })
      expectStatus('POST /orgs/{id}/customers', probe, 201)
      rowBytes = orgRowBytes(dbFile, probe.json.id as string)
      for (const [how, How, auth] of auths) {
        dd.push(
          http(`d.${how}`, `POST /orgs/{id}/customers, ${How}`, {
            url: s.url,
            method: 'POST',
            path: `/orgs/${customerId}/customers`,
            headers: { authorization: auth },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `Bench ${tag} ${how} ${++seq}` }) }),
            connections,
          }),
        )
      }
      dCheck = async () => {
        const listing = await api(s.url, 'GET', `/orgs/${customerId}/customers?limit=1`, cred.bearer)
        expectStatus('GET /orgs/{id}/customers', listing, 200)
        const created = (rows.get('d.bearer')?.statusCodes['201'] ?? 0) + (rows.get('d.basic')?.statusCodes['201'] ?? 0)
        notes.push(`d: ${fmtInt(listing.json.total)} customers under the reseller afterwards (${fmtInt(created)} answered 201 while measured; the rest in warm-ups)`)
      }
    }
  }
  scenarios.push(...bd)

  // (c) a page over the seeded hierarchy.
  if (treeDb) {
    const s = await serve(() => startClientele({ name: 'clientele (tree)', db: treeDb, password, logFile: lg('clientele-tree'), nodeArgs }))
    const cred = await credentials(s.url, password)
    const path = `/orgs/${cred.masterId}/customers?recursive=true&limit=50`
    let total = 0
    for (const auth of [cred.bearer, cred.basic]) {
      const page = await api(s.url, 'GET', path, auth)
      expectStatus('GET /orgs/{masterId}/customers', page, 200)
      if (page.json.items.length !== 50) throw new Error(`the page has ${page.json.items.length} items, not 50`)
      total = page.json.total as number
      if (total < treeOrgs) throw new Error(`the page's total is ${total}, fewer than ${treeOrgs}`)
    }
    notes.push(`c: a page of 50 with total=${fmtInt(total)}; the seed took ${seedInfo!.wallSeconds.toFixed(1)} s`)
    for (const [how, How, auth] of [['bearer', 'Bearer', cred.bearer], ['basic', 'Basic', cred.basic]] as const) {
      scenarios.push(http(`c.${how}`, `GET customers page (50 of ${fmtInt(treeOrgs)}), ${How}`, { url: s.url, path, headers: { authorization: auth }, connections }))
    }
  }
  scenarios.push(...dd)

  // (e) the raw insert baseline for (d), in this process while no server is loaded.
  if (only.has('e')) {
    // Measured from a row POST /orgs/{id}/customers stored when (d) runs; otherwise a typical size.
    const bytes = rowBytes ?? 230
    if (rowBytes === undefined) notes.push(`e: row size ${bytes} B assumed (run with d to measure it)`)
    const raw = rawInserter(join(runDir, 'raw.db'), bytes)
    closeRaw = () => raw.close()
    scenarios.push({
      key: 'e',
      label: `raw INSERT, WAL+FULL, 1 row/txn (${bytes} B)`,
      warm: async (s) => raw.warm(s),
      slice: async (s, t) => raw.slice(s, t),
    })
  }

  // Warm-up, then the rounds: every figure gets one slice per round, so a slow spell of this
  // (shared, virtualised) machine is spread over all figures instead of spoiling one.
  const tallies = new Map<string, Tally>(scenarios.map((sc) => [sc.key, new Tally()]))
  say(`warming up ${scenarios.map((sc) => sc.key).join(', ')} …`)
  for (const sc of scenarios) await sc.warm(warmup)
  for (let r = 1; r <= rounds; r++) {
    const parts: string[] = []
    for (const sc of scenarios) {
      const t = tallies.get(sc.key)!
      await sc.slice(slice, t)
      parts.push(`${sc.key} ${fmtInt(t.sliceRps[t.sliceRps.length - 1]!)}`)
    }
    say(`  round ${r}/${rounds}: ${parts.join('  ')}`)
  }
  for (const sc of scenarios) rows.set(sc.key, { key: sc.key, label: sc.label, ...tallies.get(sc.key)!.figure() })
  if (dCheck) await dCheck()
} catch (e) {
  await stopAll()
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
}
closeRaw?.()
await stopAll()

// The report.
const baselineOf = (key: string): string | undefined => (key.startsWith('b') || key.startsWith('c') ? 'a' : key.startsWith('d') ? 'e' : undefined)
const floorOf = (key: string): number | undefined => (key.startsWith('b') ? 0.5 : key.startsWith('c') ? 0.1 : key.startsWith('d') ? 0.5 : undefined)
const order = ['a', 'b.bearer', 'b.basic', 'c.bearer', 'c.basic', 'd.bearer', 'd.basic', 'e']

interface Verdict {
  key: string
  baseline?: string
  ratio?: { rps: number; p50: number; p99: number }
  floor?: number
  pass?: boolean
  why?: string
}
const verdicts: Verdict[] = []
const out: string[][] = [['', 'figure', 'req/s', 'p50 ms', 'p99 ms', 'vs', 'req/s ×', 'p50 ×', 'p99 ×', 'floor', 'result']]
for (const key of order) {
  const r = rows.get(key)
  if (!r) continue
  const bk = baselineOf(key)
  const b = bk ? rows.get(bk) : r
  const v: Verdict = { key }
  const ratio = b ? { rps: r.rps / b.rps, p50: r.p50 / b.p50, p99: r.p99 / b.p99 } : undefined
  if (ratio) v.ratio = ratio
  if (bk) v.baseline = bk
  const floor = floorOf(key)
  const invalid = r.non2xx + r.errors + r.timeouts > 0
  let result = 'baseline'
  if (floor !== undefined) {
    v.floor = floor
    if (invalid) {
      v.pass = false
      v.why = `${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`
      result = 'FAIL (errors)'
    } else if (!ratio) {
      v.why = `no baseline ${bk} in this run`
      result = 'n/a'
    } else {
      v.pass = ratio.rps >= floor
      result = v.pass ? 'PASS' : 'FAIL'
    }
  } else if (invalid) {
    result = 'INVALID (errors)'
  }
  verdicts.push(v)
  out.push([
    key,
    r.label,
    fmtInt(r.rps),
    fmtMs(r.p50),
    fmtMs(r.p99),
    bk ?? '—',
    fmtRatio(ratio?.rps),
    fmtRatio(ratio?.p50),
    fmtRatio(ratio?.p99),
    floor !== undefined ? `≥ ${Math.round(floor * 100)}% of ${bk}` : '',
    result,
  ])
}

const report = table(out, (c) => c >= 2 && c <= 8)
console.log('')
console.log(report)
console.log('')
console.log(`ratios: req/s × = figure ÷ baseline (higher is better); p50 × and p99 × = figure's latency ÷ baseline's (lower is better).`)
console.log(`e counts committed inserts per second; its p50/p99 are one insert's commit time.`)
for (const n of notes) console.log(n)
const m = machine()
console.log(`${m.cpus} × ${m.cpuModel}, Node ${m.node}; load generator in this process, servers in child processes; ${connections} connections; ${duration} s per figure in ${rounds} interleaved slices.`)

const failed = verdicts.filter((v) => v.pass === false)
const json = {
  date: new Date().toISOString(),
  machine: m,
  options: { quick, only: [...only], connections, durationSeconds: duration, rounds, sliceSeconds: slice, warmupSeconds: warmup, treeOrgs },
  seed: seedInfo,
  rowBytes,
  figures: Object.fromEntries(order.filter((k) => rows.has(k)).map((k) => [k, rows.get(k)])),
  verdicts,
  notes,
  elapsedSeconds: (Date.now() - started) / 1000,
}
writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify(json, null, 2) + '\n')
console.log(`results written to ${relative(ROOT, join(BENCH_DIR, 'results.json'))}; logs in ${relative(ROOT, runDir)}`)

if (!keep) {
  for (const f of readdirSync(runDir)) if (/\.db(-wal|-shm)?$/.test(f)) rmSync(join(runDir, f), { force: true })
}
process.exit(failed.length > 0 ? 1 : 0)
