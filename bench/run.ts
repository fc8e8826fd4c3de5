/**
 * `npm run bench`: Clientele's throughput and latency against baselines measured in the same
 * run on the same machine. See bench/README.md for what each figure means.
 *
 *   a  ceiling: a bare Fastify 5 JSON route
 *   b  GET /orgs/{id} of one customer (Bearer, Basic)
 *   c  a 50-row page of GET /orgs/{masterId}/customers?recursive=true over 100,000 organisations (Bearer, Basic)
 *   d  POST /orgs/{id}/customers with a unique name per request (Bearer, Basic)
 *   e  baseline for d: a raw prepared INSERT loop on better-sqlite3 (WAL, synchronous=FULL, a row per transaction)
 *   f  noop provisioning jobs finished per second by one `clientele serve` process on SQLite (its in-process worker)
 *   g  the same through 1 and through 3 `clientele worker` processes on one PostgreSQL database (needs --postgres)
 *   h  time from a provisioning request (over HTTP, at a steady rate) to its finished state, p50 and p99
 *   x  seed 000's XML-RPC face beside REST: cloud_api_customer.list of one customer vs GET /orgs/{id},
 *      and cloud_api_customer.create vs POST /orgs/{id}/customers, Basic credentials as a URL's
 *   s  subscription purchases per second (bench/subscriptions.ts, run after the rest: SQLite, and
 *      PostgreSQL with three processes when given), with zero oversell checked at the end
 *
 * Options: --quick (short runs), --only a,b,... (a subset), --connections N, --duration S (per
 * figure), --rounds N (interleaved slices), --warmup S, --orgs N (size of c's hierarchy),
 * --postgres URL (or BENCH_POSTGRES_URL: a server where the role may create databases; g and
 * h's PostgreSQL line), --jobs N (jobs per batch of f and g), --job-rounds N, --job-rate R (h's
 * provisionings per second), --keep (keep the databases under .bench/run-*), --cpu-prof (profile
 * the servers and workers into .bench/run-*\/prof).
 */
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import {
  BENCH_DIR,
  ROOT,
  api,
  cpuTicks,
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
  startWorkerChild,
  table,
  warm,
  Tally,
  type Figure,
  type LoadOptions,
  type ServerChild,
} from './lib.js'
import { addressesUnderConcurrency, thriftCall, thriftProbe } from './thrift.js'
import { JobDb, NOOP_SERVICE, createPgDatabase, customerServiceStarter, ensureNoopService, latencySlice, tallyBatch } from './jobs.js'

const ALL = ['a', 'b', 'c', 'd', 'e', 'x', 'k', 't', 'f', 'g', 'h', 's'] as const
type Part = (typeof ALL)[number]
const USAGE =
  'usage: npm run bench -- [--quick] [--only a,b,c,d,e,x,k,t,f,g,h,s] [--connections N] [--duration S] [--rounds N] [--warmup S] [--orgs N] ' +
  '[--postgres URL] [--jobs N] [--job-rounds N] [--job-rate R] [--keep] [--cpu-prof]'

const args = parseArgs(process.argv.slice(2))
for (const k of args.keys()) {
  if (!['quick', 'only', 'connections', 'duration', 'rounds', 'warmup', 'orgs', 'postgres', 'jobs', 'job-rounds', 'job-rate', 'keep', 'cpu-prof', 'help'].includes(k)) {
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
const jobBatch = Math.round(num('jobs', quick ? 500 : 2000))
const jobRounds = Math.round(num('job-rounds', quick ? 1 : 3))
const jobRate = num('job-rate', 100)
const pgArg = args.get('postgres')
if (pgArg === true) {
  console.error('--postgres wants a URL (postgres://user:pass@host:5432/db)')
  process.exit(2)
}
const pgUrl = pgArg ?? (process.env.BENCH_POSTGRES_URL || undefined)
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
async function stopSome(some: ServerChild[]): Promise<void> {
  await Promise.all(some.map((s) => s.stop()))
  for (const s of some) live.delete(s)
}
/** Databases of the job figures: closed, and PostgreSQL ones dropped unless --keep, at the end. */
const jobDbs: JobDb[] = []
const pgDrops: (() => Promise<void>)[] = []
async function closeJobDbs(): Promise<void> {
  await Promise.all(jobDbs.splice(0).map((d) => d.close()))
  if (!keep) await Promise.allSettled(pgDrops.splice(0).map((drop) => drop()))
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
let xCheck: (() => Promise<void>) | undefined
let tCheck: (() => Promise<void>) | undefined
let closeRaw: (() => void) | undefined
/** Cores busy on the machine while each job figure ran (see jobThroughput). */
let jobCpu: Record<string, number | null> | undefined

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

  // (x) the XML-RPC face beside REST, on a server of its own: each pair measured in the same
  // rounds. Python's xmlrpc.client turns a URL's credentials into this same Basic header.
  if (only.has('x')) {
    const s = await serve(() => startClientele({ name: 'clientele (xmlrpc)', db: join(runDir, 'xmlrpc.db'), password, logFile: lg('clientele-xmlrpc'), nodeArgs }))
    const cred = await credentials(s.url, password)
    const made = await api(s.url, 'POST', `/orgs/${cred.masterId}/customers`, cred.basic, { name: 'XML-RPC Reseller', isReseller: true })
    expectStatus('POST /orgs/{masterId}/customers', made, 201)
    const reseller = made.json.id as string
    const one = await api(s.url, 'POST', `/orgs/${reseller}/customers`, cred.basic, { name: 'XML-RPC Listed', city: 'Gent' })
    expectStatus('POST /orgs/{id}/customers', one, 201)
    const customerId = one.json.id as string
    const rpc = (method: string, ...params: string[]) =>
      `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${params.map((p) => `<param>\n<value><string>${p}</string></value>\n</param>\n`).join('')}</params>\n</methodCall>\n`
    const xmlHeaders = { authorization: cred.basic, 'content-type': 'text/xml', 'user-agent': 'Python-xmlrpc/3.11' }
    const listBody = rpc('cloud_api_customer.list', customerId)
    const probe = await fetch(`${s.url}/appserver/xmlrpc`, { method: 'POST', headers: xmlHeaders, body: listBody })
    const probeText = await probe.text()
    if (probe.status !== 200 || !probeText.includes(customerId) || probeText.includes('<fault>')) throw new Error(`cloud_api_customer.list answered ${probe.status}: ${probeText.slice(0, 300)}`)
    expectStatus('GET /orgs/{id}', await api(s.url, 'GET', `/orgs/${customerId}`, cred.basic), 200)
    const tag = randomBytes(4).toString('hex')
    let seq = 0
    let rseq = 0
    scenarios.push(
      http('x.list.rest', 'REST GET /orgs/{id}, Basic', { url: s.url, path: `/orgs/${customerId}`, headers: { authorization: cred.basic }, connections }),
      http('x.list', 'XML-RPC cloud_api_customer.list(guid), Basic', { url: s.url, method: 'POST', path: '/appserver/xmlrpc', headers: xmlHeaders, body: listBody, connections }),
      http('x.create.rest', 'REST POST /orgs/{id}/customers, Basic', {
        url: s.url,
        method: 'POST',
        path: `/orgs/${reseller}/customers`,
        headers: { authorization: cred.basic },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `Rest ${tag} ${++seq}` }) }),
        connections,
      }),
      http('x.create', 'XML-RPC cloud_api_customer.create, Basic', {
        url: s.url,
        method: 'POST',
        path: '/appserver/xmlrpc',
        headers: xmlHeaders,
        setupRequest: (req) => ({ ...req, body: rpc('cloud_api_customer.create', `Rpc ${tag} ${++rseq}`, reseller) }),
        connections,
      }),
    )
    xCheck = async () => {
      const listing = await api(s.url, 'GET', `/orgs/${reseller}/customers?limit=1`, cred.basic)
      expectStatus('GET /orgs/{id}/customers', listing, 200)
      const check = await fetch(`${s.url}/appserver/xmlrpc`, { method: 'POST', headers: xmlHeaders, body: rpc('cloud_api_customer.find', `Rpc ${tag} 1`, '', reseller) })
      const found = /<string>[0-9a-f]{8}-[0-9a-f-]{27}<\/string>/.test(await check.text())
      notes.push(`x: ${fmtInt(listing.json.total)} customers under the reseller afterwards (REST's and XML-RPC's creates); find() by name ${found ? 'finds' : 'does NOT find'} an XML-RPC-made one`)
    }
  }

  // (k) seed 004's XML action API beside REST, on a server of its own: GET of a customer against
  // GET /orgs/{id}, and SET of a user (its first name) against PATCH of the member, each pair in
  // the same rounds. PowerShell's WebClient sends these same Basic credentials.
  if (only.has('k')) {
    const s = await serve(() => startClientele({ name: 'clientele (xmlapi)', db: join(runDir, 'xmlapi.db'), password, logFile: lg('clientele-xmlapi'), nodeArgs }))
    const cred = await credentials(s.url, password)
    const made = await api(s.url, 'POST', `/orgs/${cred.masterId}/customers`, cred.basic, {
      name: 'Basic API Customer',
      code: 'BAC',
      contactName: 'Admin',
      contactEmail: 'admin@csm.local',
      primaryDomain: 'csm.local',
    })
    expectStatus('POST /orgs/{masterId}/customers', made, 201)
    const org = made.json.id as string
    const member = await api(s.url, 'POST', `/orgs/${org}/members`, cred.basic, { username: 'User1_BAC', password: 'a-long-password-1', role: 'member' })
    expectStatus('POST /orgs/{id}/members', member, 201)
    const memberId = member.json.id as string
    const xml = (action: string, inner: string) => `<?xml version="1.0" encoding="utf-8"?>\n<request version="1.0" action="${action}">\n${inner}\n</request>`
    const xmlHeaders = { authorization: cred.basic, 'content-type': 'text/xml' }
    const getBody = xml('GET', '<customer>\n<name>BAC</name>\n</customer>')
    const probe = await fetch(`${s.url}/cortexapi/default.aspx`, { method: 'POST', headers: xmlHeaders, body: getBody })
    const probeText = await probe.text()
    if (probe.status !== 200 || !probeText.includes('<fullname>Basic API Customer</fullname>')) throw new Error(`GET customer answered ${probe.status}: ${probeText.slice(0, 300)}`)
    const setBody = (n: number) => xml('SET', `<customer>\n<name>BAC</name>\n<user>\n<name>User1_BAC</name>\n<firstname>Xml ${n}</firstname>\n</user>\n</customer>`)
    const setProbe = await fetch(`${s.url}/cortexapi/default.aspx`, { method: 'POST', headers: xmlHeaders, body: setBody(0) })
    const setText = await setProbe.text()
    if (setProbe.status !== 200 || !/<request><id>\d+<\/id><\/request>/.test(setText)) throw new Error(`SET user answered ${setProbe.status}: ${setText.slice(0, 300)}`)
    let kseq = 0
    let kr = 0
    scenarios.push(
      http('k.get.rest', 'REST GET /orgs/{id}, Basic', { url: s.url, path: `/orgs/${org}`, headers: { authorization: cred.basic }, connections }),
      http('k.get', 'XML API GET <customer><name>, Basic', { url: s.url, method: 'POST', path: '/cortexapi/default.aspx', headers: xmlHeaders, body: getBody, connections }),
      http('k.set.rest', 'REST PATCH /orgs/{id}/members/{id}, Basic', {
        url: s.url,
        method: 'PATCH',
        path: `/orgs/${org}/members/${memberId}`,
        headers: { authorization: cred.basic, 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ firstName: `Rest ${++kr}` }) }),
        connections,
      }),
      http('k.set', 'XML API SET <user> (first name), Basic', {
        url: s.url,
        method: 'POST',
        path: '/cortexapi/default.aspx',
        headers: xmlHeaders,
        setupRequest: (req) => ({ ...req, body: setBody(++kseq) }),
        connections,
      }),
    )
  }

  // (t) seed 001's Thrift service over HTTP beside the same reads over REST, and addIpAddress
  // under 50 concurrent clients (checked: no address given twice).
  if (only.has('t')) {
    const s = await serve(() => startClientele({ name: 'clientele (thrift)', db: join(runDir, 'thrift.db'), password, logFile: lg('clientele-thrift'), nodeArgs }))
    const cred = await credentials(s.url, password)
    const made = await api(s.url, 'POST', `/orgs/${cred.masterId}/customers`, cred.basic, { name: 'Thrift Customer' })
    expectStatus('POST /orgs/{masterId}/customers', made, 201)
    const org = made.json.id as string
    expectStatus('POST /orgs/{id}/members', await api(s.url, 'POST', `/orgs/${org}/members`, cred.basic, { username: 'thrift-owner', password: 'a-long-password-1', role: 'owner' }), 201)
    for (const role of ['readonly', 'member', 'admin']) expectStatus('POST /orgs/{id}/api-keys', await api(s.url, 'POST', `/orgs/${org}/api-keys`, cred.basic, { role }), 201)
    const thriftHeaders = { authorization: cred.basic, 'content-type': 'application/x-thrift' }
    const userBody = thriftCall('getUsername', org)
    const keysBody = thriftCall('getKeys', org)
    const userProbe = await thriftProbe(s.url, thriftHeaders, userBody)
    if (!userProbe.includes('thrift-owner')) throw new Error(`getUsername answered ${JSON.stringify(userProbe.slice(0, 200))}`)
    const keysProbe = await thriftProbe(s.url, thriftHeaders, keysBody)
    if (!keysProbe.includes('readonly') || keysProbe.includes('clt_')) throw new Error(`getKeys answered ${JSON.stringify(keysProbe.slice(0, 300))}`)
    expectStatus('GET /orgs/{id}/username', await api(s.url, 'GET', `/orgs/${org}/username`, cred.basic), 200)
    expectStatus('GET /orgs/{id}/api-keys', await api(s.url, 'GET', `/orgs/${org}/api-keys`, cred.basic), 200)
    scenarios.push(
      http('t.user.rest', 'REST GET /orgs/{id}/username, Basic', { url: s.url, path: `/orgs/${org}/username`, headers: { authorization: cred.basic }, connections }),
      http('t.user', 'Thrift getUsername over HTTP, Basic', { url: s.url, method: 'POST', path: '/thrift/customer', headers: thriftHeaders, body: userBody, connections }),
      http('t.keys.rest', 'REST GET /orgs/{id}/api-keys, Basic', { url: s.url, path: `/orgs/${org}/api-keys`, headers: { authorization: cred.basic }, connections }),
      http('t.keys', 'Thrift getKeys over HTTP, Basic', { url: s.url, method: 'POST', path: '/thrift/customer', headers: thriftHeaders, body: keysBody, connections }),
    )
    tCheck = async () => {
      const r = await addressesUnderConcurrency(s.url, cred)
      notes.push(`t.ip: 50 concurrent clients, addIpAddress × 10 each through Thrift over HTTP: ${fmtInt(r.given)} addresses given in ${r.seconds.toFixed(2)} s (${fmtInt(r.given / r.seconds)}/s), ${r.refused} refused, 0 given twice (answers and listings checked)`)
    }
  }

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
  if (scenarios.length > 0) say(`warming up ${scenarios.map((sc) => sc.key).join(', ')} …`)
  for (const sc of scenarios) await sc.warm(warmup)
  for (let r = 1; r <= rounds && scenarios.length > 0; r++) {
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
  if (xCheck) await xCheck()
  if (tCheck) await tCheck()

  // The job figures run alone: the HTTP figures' servers are stopped first.
  closeRaw?.()
  closeRaw = undefined
  await stopAll()
  if (only.has('f') || only.has('g')) await jobThroughput()
  if (only.has('h')) await provisioningLatency()
} catch (e) {
  await stopAll()
  await closeJobDbs()
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
}
await stopAll()
await closeJobDbs()

/** A throughput figure of jobs: a database, and how to start the processes that work on it. */
interface JobScenario {
  key: string
  label: string
  db: JobDb
  start(): Promise<ServerChild[]>
}

/**
 * f and g, in rounds: each round queues a batch per figure (the figures interleaved, as the
 * HTTP figures' slices are), starts the figure's processes, runs a small warm-up batch, then
 * the measured one, and stops the processes.
 */
async function jobThroughput(): Promise<void> {
  const sc: JobScenario[] = []
  if (only.has('f')) {
    const file = join(runDir, 'jobs-f.db')
    const db = await JobDb.open(file, password)
    jobDbs.push(db)
    sc.push({
      key: 'f',
      label: 'noop jobs: 1 clientele serve, SQLite',
      db,
      start: async () => [await serve(() => startClientele({ name: 'clientele (f)', db: file, password, logFile: lg('clientele-f'), nodeArgs }))],
    })
  }
  if (only.has('g')) {
    if (!pgUrl) notes.push('g: skipped: no PostgreSQL; give --postgres postgres://user:pass@host:5432/db (a role that may create databases) or set BENCH_POSTGRES_URL')
    else {
      for (const n of [1, 3]) {
        const pgDb = await createPgDatabase(pgUrl, `g${n}`)
        pgDrops.push(pgDb.drop)
        const db = await JobDb.open(pgDb.url, password)
        jobDbs.push(db)
        sc.push({
          key: `g.${n}`,
          label: `noop jobs: ${n} clientele worker${n > 1 ? 's' : ''}, PostgreSQL`,
          db,
          start: () =>
            Promise.all(
              Array.from({ length: n }, (_, i) =>
                serve(() => startWorkerChild({ name: `worker g.${n} #${i + 1}`, db: pgDb.url, logFile: lg(`worker-g${n}-${i + 1}`), nodeArgs })),
              ),
            ),
        })
      }
    }
  }
  if (sc.length === 0) return
  const warmBatch = warmup > 0 ? Math.max(50, Math.round(jobBatch / 10)) : 0
  // Generous: a figure far below its floor still finishes, and its verdict says how far.
  const limitMs = Math.max(60_000, jobBatch * 20)
  const tallies = new Map<string, Tally>(sc.map((s) => [s.key, new Tally()]))
  // How busy the whole machine was while each figure's batches ran: a figure that used every
  // core could not have gone faster here, whatever the code.
  const cpu = new Map<string, { busy: number; total: number }>(sc.map((s) => [s.key, { busy: 0, total: 0 }]))
  say(`jobs: ${sc.map((s) => s.key).join(', ')}: ${jobRounds} round(s) of ${fmtInt(jobBatch)} jobs each (after ${fmtInt(warmBatch)} to warm up)`)
  for (let r = 1; r <= jobRounds; r++) {
    const parts: string[] = []
    for (const s of sc) {
      const warmJobs = warmBatch > 0 ? await s.db.queueHeld(warmBatch, 32) : undefined
      const batch = await s.db.queueHeld(jobBatch, 32)
      const procs = await s.start()
      let waitedMs = 0
      try {
        if (warmJobs) {
          await s.db.release(warmJobs)
          await s.db.waitFinished(warmJobs, limitMs)
        }
        const before = cpuTicks()
        const released = Date.now()
        await s.db.release(batch)
        await s.db.waitFinished(batch, limitMs)
        waitedMs = Date.now() - released
        const after = cpuTicks()
        if (before && after) {
          const c = cpu.get(s.key)!
          c.busy += after.busy - before.busy
          c.total += after.total - before.total
        }
      } finally {
        await stopSome(procs)
      }
      const res = await s.db.measure(batch)
      tallyBatch(tallies.get(s.key)!, res, waitedMs)
      parts.push(`${s.key} ${fmtInt(res.succeeded / (res.windowMs / 1000))}${res.succeeded < res.jobs ? ` (${res.jobs - res.succeeded} not succeeded)` : ''}`)
    }
    say(`  jobs round ${r}/${jobRounds}: ${parts.join('  ')} jobs/s`)
  }
  for (const s of sc) rows.set(s.key, { key: s.key, label: s.label, ...tallies.get(s.key)!.figure() })
  const cores = machine().cpus
  const busy = sc.filter((s) => cpu.get(s.key)!.total > 0).map((s) => `${s.key} ${((cpu.get(s.key)!.busy / cpu.get(s.key)!.total) * cores).toFixed(2)}`)
  if (busy.length > 0) notes.push(`f, g: cores busy on this machine (all processes, of ${cores}) while the batches ran: ${busy.join(', ')}`)
  jobCpu = Object.fromEntries(sc.map((s) => [s.key, cpu.get(s.key)!.total > 0 ? (cpu.get(s.key)!.busy / cpu.get(s.key)!.total) * cores : null]))
  const one = jobCpu['g.1']
  if (one) {
    // Three workers cannot use more than the machine: if one kept `one` cores busy, three
    // reach at most about cores ÷ one times its rate, however they share the work.
    notes.push(`g: with g.1 keeping ${one.toFixed(2)} cores busy, g.3 can reach at most about ${cores} ÷ ${one.toFixed(2)} = ${(cores / one).toFixed(2)} × g.1 on this machine`)
  }
}

/**
 * h: customer-service provisionings (`PUT /orgs/{id}/services/{service}`) started over HTTP at
 * `jobRate` a second, on a `clientele serve` of each
 * database (SQLite; PostgreSQL when given), in interleaved slices; each one timed from its
 * sending to its request's finish.
 */
async function provisioningLatency(): Promise<void> {
  const targets: { key: string; label: string; db: string }[] = [{ key: 'h.sqlite', label: 'provisioning → finished, SQLite', db: join(runDir, 'jobs-h.db') }]
  if (pgUrl) {
    const pgDb = await createPgDatabase(pgUrl, 'h')
    pgDrops.push(pgDb.drop)
    targets.push({ key: 'h.postgres', label: 'provisioning → finished, PostgreSQL', db: pgDb.url })
  } else notes.push('h.postgres: skipped: no PostgreSQL (--postgres URL or BENCH_POSTGRES_URL)')
  const seq = { n: 0 }
  const runs = []
  for (const t of targets) {
    const srv = await serve(() => startClientele({ name: `clientele (${t.key})`, db: t.db, password, logFile: lg(`clientele-${t.key}`), nodeArgs }))
    const cred = await credentials(srv.url, password)
    await ensureNoopService(srv.url, cred.bearer)
    // Enough customers that each is asked again only seconds after its last provisioning.
    const start = await customerServiceStarter(srv.url, cred.bearer, NOOP_SERVICE, cred.masterId, Math.max(200, Math.round(jobRate * 5)))
    // Checked once: the step answers a request guid whose request finishes.
    const probe = new Tally()
    await latencySlice({ base: srv.url, authorization: cred.bearer, start, rate: 1, seconds: 1, waitMs: 10_000, seq }, probe)
    if (probe.samples.length !== 1) throw new Error(`${t.key}: a test provisioning did not succeed: ${JSON.stringify(probe.figure().statusCodes)}`)
    const o = { base: srv.url, authorization: cred.bearer, start, rate: jobRate, waitMs: 30_000, seq }
    runs.push({ ...t, o, tally: new Tally() })
  }
  say(`h: ${runs.map((r) => r.key).join(', ')}: ${jobRate} provisionings/s, ${duration} s each in ${rounds} interleaved slices`)
  if (warmup > 0) for (const r of runs) await latencySlice({ ...r.o, seconds: warmup }, new Tally())
  for (let i = 1; i <= rounds; i++) {
    const parts: string[] = []
    for (const r of runs) {
      await latencySlice({ ...r.o, seconds: slice }, r.tally)
      parts.push(`${r.key} ${fmtInt(r.tally.sliceRps[r.tally.sliceRps.length - 1]!)}/s`)
    }
    say(`  round ${i}/${rounds}: ${parts.join('  ')}`)
  }
  for (const r of runs) rows.set(r.key, { key: r.key, label: `${r.label} (${jobRate}/s)`, ...r.tally.figure() })
}

// The report.
const baselineOf = (key: string): string | undefined =>
  key.startsWith('b') || key.startsWith('c') ? 'a' : key.startsWith('d') ? 'e' : key === 'g.3' ? 'g.1' : key === 'x.list' ? 'x.list.rest' : key === 'x.create' ? 'x.create.rest' : key === 'k.get' ? 'k.get.rest' : key === 'k.set' ? 'k.set.rest' : key === 't.user' ? 't.user.rest' : key === 't.keys' ? 't.keys.rest' : undefined
/** Floors on the ratio of req/s to the baseline's. */
const floorOf = (key: string): number | undefined =>
  key.startsWith('b') ? 0.5 : key.startsWith('c') ? 0.1 : key.startsWith('d') ? 0.5 : key === 'g.3' ? 2 : key === 'x.list' || key === 'x.create' || key === 'k.get' || key === 'k.set' || key === 't.user' || key === 't.keys' ? 0.7 : undefined
/** Floors on req/s itself (jobs/s for f), where the requirement is a rate, not a ratio. */
const rateFloorOf = (key: string): number | undefined => (key === 'f' ? 500 : undefined)
const BASELINES = new Set(['a', 'e', 'g.1', 'x.list.rest', 'x.create.rest', 'k.get.rest', 'k.set.rest', 't.user.rest', 't.keys.rest'])
const order = ['a', 'b.bearer', 'b.basic', 'c.bearer', 'c.basic', 'd.bearer', 'd.basic', 'e', 'x.list.rest', 'x.list', 'x.create.rest', 'x.create', 'k.get.rest', 'k.get', 'k.set.rest', 'k.set', 't.user.rest', 't.user', 't.keys.rest', 't.keys', 'f', 'g.1', 'g.3', 'h.sqlite', 'h.postgres']

interface Verdict {
  key: string
  baseline?: string
  ratio?: { rps: number; p50: number; p99: number }
  /** Least req/s × (ratio to the baseline). */
  floor?: number
  /** Least req/s. */
  floorRps?: number
  pass?: boolean
  why?: string
}
const verdicts: Verdict[] = []
const out: string[][] = [['', 'figure', 'req/s', 'p50 ms', 'p99 ms', 'vs', 'req/s ×', 'p50 ×', 'p99 ×', 'floor', 'result']]
for (const key of order) {
  const r = rows.get(key)
  if (!r) continue
  const bk = baselineOf(key)
  const b = bk ? rows.get(bk) : BASELINES.has(key) ? r : undefined
  const v: Verdict = { key }
  const ratio = b ? { rps: r.rps / b.rps, p50: r.p50 / b.p50, p99: r.p99 / b.p99 } : undefined
  if (ratio) v.ratio = ratio
  if (bk) v.baseline = bk
  const floor = floorOf(key)
  const floorRps = rateFloorOf(key)
  const invalid = r.non2xx + r.errors + r.timeouts > 0
  let result = BASELINES.has(key) ? 'baseline' : ''
  if (floor !== undefined || floorRps !== undefined) {
    if (floor !== undefined) v.floor = floor
    if (floorRps !== undefined) v.floorRps = floorRps
    if (invalid) {
      v.pass = false
      v.why = `${r.non2xx} non-2xx answers (for jobs: failed), ${r.errors} errors, ${r.timeouts} timeouts (for jobs: unfinished)`
      result = 'FAIL (errors)'
    } else if (floor !== undefined && !ratio) {
      v.why = `no baseline ${bk} in this run`
      result = 'n/a'
    } else {
      v.pass = (floor === undefined || ratio!.rps >= floor) && (floorRps === undefined || r.rps >= floorRps)
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
    floor !== undefined ? `≥ ${Math.round(floor * 100)}% of ${bk}` : floorRps !== undefined ? `≥ ${fmtInt(floorRps)}/s` : '',
    result,
  ])
}

const report = table(out, (c) => c >= 2 && c <= 8)
console.log('')
console.log(report)
console.log('')
console.log(`ratios: req/s × = figure ÷ baseline (higher is better); p50 × and p99 × = figure's latency ÷ baseline's (lower is better).`)
if (rows.has('e')) console.log(`e counts committed inserts per second; its p50/p99 are one insert's commit time.`)
if (order.some((k) => /^[fg]/.test(k) && rows.has(k))) {
  console.log(`f and g count noop jobs finished per second (first claim to last finish of each batch, from the database); their p50/p99 are one job's time from its claim to its finish.`)
}
if (order.some((k) => k.startsWith('h') && rows.has(k))) {
  console.log(`h counts provisionings that succeeded per second; its p50/p99 run from sending the request to the finishedAt its request records (millisecond resolution).`)
}
for (const n of notes) console.log(n)
const m = machine()
console.log(`${m.cpus} × ${m.cpuModel}, Node ${m.node}; load generator in this process, servers in child processes; ${connections} connections; ${duration} s per figure in ${rounds} interleaved slices.`)

const failed = verdicts.filter((v) => v.pass === false)
const json = {
  date: new Date().toISOString(),
  machine: m,
  options: {
    quick,
    only: [...only],
    connections,
    durationSeconds: duration,
    rounds,
    sliceSeconds: slice,
    warmupSeconds: warmup,
    treeOrgs,
    jobBatch,
    jobRounds,
    jobRate,
    postgres: pgUrl !== undefined,
  },
  seed: seedInfo,
  rowBytes,
  jobCoresBusy: jobCpu,
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
// s: subscription purchases (bench/subscriptions.ts), run as its own program after the rest
// (it starts its own servers, and prints its own table and floor).
let purchasesFailed = false
if (only.has('s')) {
  console.log('\ns: subscription purchases through the REST face (bench/subscriptions.ts)')
  const sArgs = ['bin/run-ts.js', 'bench/subscriptions.ts', ...(quick ? ['--quick'] : []), '--connections', String(connections)]
  if (args.has('duration')) sArgs.push('--duration', String(duration))
  if (args.has('warmup')) sArgs.push('--warmup', String(warmup))
  if (pgUrl) sArgs.push('--postgres', pgUrl)
  const r = spawnSync(process.execPath, sArgs, { cwd: ROOT, stdio: 'inherit' })
  purchasesFailed = r.status !== 0
}
process.exit(failed.length > 0 || purchasesFailed ? 1 : 0)
