/**
 * Shared pieces of the benchmarks: child-process servers, `clientele dev seed`, credentials,
 * autocannon runs with exact latency percentiles, and the raw SQLite insert baseline.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon, { type RequestParams } from 'autocannon'
import SqliteDatabase from 'better-sqlite3'

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** Where benchmarks keep databases, logs and results (gitignored). */
export const BENCH_DIR = join(ROOT, '.bench')

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.unref()
    s.on('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => res(port))
    })
  })
}

/** A server (or a worker, which has no `url`) running in a child process. */
export interface ServerChild {
  name: string
  url: string
  port: number
  logFile: string
  proc: ChildProcess
  stop(): Promise<void>
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...extra }
  // The command line says where to listen and which database to use; nothing else may.
  delete env.CLIENTELE_DB
  delete env.CLIENTELE_HOST
  delete env.CLIENTELE_PORT
  return env
}

/** Answers true once `url + path` answers 2xx. */
function answers(url: string, path: string): () => Promise<boolean> {
  return async () => {
    try {
      return (await fetch(url + path)).ok
    } catch {
      return false /* not listening yet */
    }
  }
}

async function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  readyWhat: string,
  ready: () => Promise<boolean>,
): Promise<ServerChild> {
  mkdirSync(dirname(logFile), { recursive: true })
  const fd = openSync(logFile, 'a')
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  let exited: number | null | undefined
  const exit = new Promise<void>((r) =>
    proc.once('exit', (code) => {
      exited = code
      r()
    }),
  )
  const url = port > 0 ? `http://127.0.0.1:${port}` : ''
  const deadline = Date.now() + 60_000
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`${name} exited (code ${exited}) before it was ready; see ${logFile}:\n${tail(logFile)}`)
    }
    if (await ready()) break
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`${name} did not ${readyWhat} within 60 s; see ${logFile}`)
    }
    await sleep(100)
  }
  return {
    name,
    url,
    port,
    logFile,
    proc,
    async stop() {
      if (exited !== undefined) return
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000)
      await exit
      clearTimeout(t)
    },
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Starts `node bin/clientele.js serve --db DB --port P` (request logging off, as by default). */
export async function startClientele(opts: { name: string; db: string; password: string; logFile: string; nodeArgs?: string[]; serveArgs?: string[] }): Promise<ServerChild> {
  const port = await freePort()
  const args = [...(opts.nodeArgs ?? []), 'bin/clientele.js', 'serve', '--db', opts.db, '--host', '127.0.0.1', '--port', String(port), ...(opts.serveArgs ?? [])]
  const url = `http://127.0.0.1:${port}`
  return startChild(opts.name, args, childEnv({ CLIENTELE_ADMIN_PASSWORD: opts.password }), port, opts.logFile, 'answer /readyz', answers(url, '/readyz'))
}

/**
 * Starts `node bin/clientele.js worker --db DB` and resolves once it logs that it runs (it has
 * no HTTP port: `url` and `port` of the answer are empty).
 */
export async function startWorkerChild(opts: { name: string; db: string; logFile: string; nodeArgs?: string[]; workerArgs?: string[] }): Promise<ServerChild> {
  const args = [...(opts.nodeArgs ?? []), 'bin/clientele.js', 'worker', '--db', opts.db, ...(opts.workerArgs ?? [])]
  // The log file is appended to by every start: count the lines that say it runs.
  const before = countMatches(opts.logFile, WORKER_RUNNING)
  const ready = async () => countMatches(opts.logFile, WORKER_RUNNING) > before
  return startChild(opts.name, args, childEnv({}), 0, opts.logFile, 'log that it runs', ready)
}

const WORKER_RUNNING = 'clientele worker is running'

function countMatches(file: string, text: string): number {
  try {
    return readFileSync(file, 'utf8').split(text).length - 1
  } catch {
    return 0
  }
}

/** Starts the ceiling's bare Fastify server (bench/bare-server.ts). */
export async function startBare(opts: { logFile: string; nodeArgs?: string[] }): Promise<ServerChild> {
  const port = await freePort()
  const args = [...(opts.nodeArgs ?? []), 'bin/run-ts.js', 'bench/bare-server.ts', '--port', String(port)]
  return startChild('bare fastify', args, childEnv({}), port, opts.logFile, 'answer /healthz', answers(`http://127.0.0.1:${port}`, '/healthz'))
}

/** Runs `clientele dev seed --orgs N --db DB`; answers the wall time and the time it reported. */
export async function seed(opts: { db: string; orgs: number; password: string; logFile: string }): Promise<{ wallSeconds: number; reportedSeconds: number | null }> {
  mkdirSync(dirname(opts.logFile), { recursive: true })
  const started = process.hrtime.bigint()
  const out = await new Promise<string>((res, rej) => {
    const proc = spawn(process.execPath, ['bin/clientele.js', 'dev', 'seed', '--orgs', String(opts.orgs), '--db', opts.db], {
      cwd: ROOT,
      env: childEnv({ CLIENTELE_ADMIN_PASSWORD: opts.password, LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let text = ''
    proc.stdout!.on('data', (c: Buffer) => (text += c.toString()))
    proc.stderr!.on('data', (c: Buffer) => (text += c.toString()))
    proc.on('error', rej)
    proc.on('exit', (code) => (code === 0 ? res(text) : rej(new Error(`clientele dev seed exited with ${code}:\n${text.slice(-2000)}`))))
  })
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
  writeFileSync(opts.logFile, out)
  const m = /seeded \d+ organisations in ([\d.]+) s/.exec(out)
  return { wallSeconds, reportedSeconds: m ? Number(m[1]) : null }
}

/** A JSON request with an Authorization header; answers the status and the parsed body. */
export async function api(base: string, method: string, path: string, authorization: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(base + path, {
    method,
    headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await r.text()
  let json: any = undefined
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = text
  }
  return { status: r.status, json }
}

/** Throws unless the response has the expected status. */
export function expectStatus(what: string, r: { status: number; json: unknown }, status: number): void {
  if (r.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${r.status}: ${JSON.stringify(r.json)}`)
}

/** The two ways the benchmarks authenticate: an API key and the admin's password. */
export interface Credentials {
  masterId: string
  bearer: string
  basic: string
}

/** Answers Basic credentials for admin, an API key made with `POST /api-keys`, and the master organisation's id. */
export async function credentials(base: string, password: string): Promise<Credentials> {
  const basic = 'Basic ' + Buffer.from(`admin:${password}`).toString('base64')
  const id = await api(base, 'GET', '/identity', basic)
  expectStatus('GET /identity', id, 200)
  const key = await api(base, 'POST', '/api-keys', basic, { name: `bench ${Date.now()}` })
  expectStatus('POST /api-keys', key, 201)
  return { masterId: id.json.org.id as string, bearer: `Bearer ${key.json.secret as string}`, basic }
}

/** One measured figure. Latencies in milliseconds. */
export interface Figure {
  /** 2xx answers (or committed inserts) per second over all slices. */
  rps: number
  p50: number
  p99: number
  /** Successful (2xx) responses or committed rows counted. */
  count: number
  seconds: number
  /** Requests per second of each slice, in the order they ran (the run's spread). */
  sliceRps: number[]
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
}

/** Exact percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

/** Every latency of a figure, across its slices. */
export class Samples {
  private buf = new Float64Array(1 << 16)
  length = 0
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2)
      next.set(this.buf)
      this.buf = next
    }
    this.buf[this.length++] = v
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort()
  }
}

/** Accumulates the slices of one figure. */
export class Tally {
  readonly samples = new Samples()
  seconds = 0
  sliceRps: number[] = []
  non2xx = 0
  errors = 0
  timeouts = 0
  statusCodes: Record<string, number> = {}

  figure(): Figure {
    const sorted = this.samples.sorted()
    return {
      rps: sorted.length / this.seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      count: sorted.length,
      seconds: this.seconds,
      sliceRps: this.sliceRps.map((r) => Math.round(r)),
      non2xx: this.non2xx,
      errors: this.errors,
      timeouts: this.timeouts,
      statusCodes: this.statusCodes,
    }
  }
}

export interface LoadOptions {
  url: string
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** Builds each request anew (e.g. a unique body per request). */
  setupRequest?: (req: RequestParams) => RequestParams
  connections: number
}

function autocannonOptions(o: LoadOptions, seconds: number) {
  const request: RequestParams = {
    method: o.method ?? 'GET',
    path: o.path,
    headers: { ...(o.body !== undefined || o.setupRequest ? { 'content-type': 'application/json' } : {}), ...(o.headers ?? {}) },
    ...(o.body !== undefined ? { body: o.body } : {}),
    ...(o.setupRequest ? { setupRequest: o.setupRequest } : {}),
  }
  return {
    url: o.url,
    connections: o.connections,
    pipelining: 1,
    timeout: 30,
    duration: seconds,
    requests: [request],
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  }
}

/** Loads the target for `seconds` and counts nothing (a warm-up). */
export async function warm(o: LoadOptions, seconds: number): Promise<void> {
  if (seconds > 0) await autocannon(autocannonOptions(o, seconds))
}

/**
 * Runs autocannon against `url + path` for `seconds` and adds the slice to `tally`. Requests
 * per second count 2xx answers only; latencies are exact, one per 2xx answer (autocannon's
 * own histogram rounds to whole milliseconds).
 */
export async function loadSlice(o: LoadOptions, seconds: number, tally: Tally): Promise<void> {
  const inst = autocannon(autocannonOptions(o, seconds))
  let ok = 0
  inst.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
    if (statusCode >= 200 && statusCode < 300) {
      tally.samples.push(ms)
      ok++
    }
  })
  const r = await inst
  tally.seconds += r.duration
  tally.sliceRps.push(ok / r.duration)
  tally.non2xx += r.non2xx
  tally.errors += r.errors
  tally.timeouts += r.timeouts
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) tally.statusCodes[k] = (tally.statusCodes[k] ?? 0) + v.count
}

/**
 * The baseline for creating organisations: a prepared single-row INSERT on better-sqlite3 in
 * autocommit mode (one row per transaction) with Clientele's durability settings (WAL,
 * synchronous=FULL) and rows of `rowBytes` bytes. `slice()` inserts for that many seconds.
 */
export function rawInserter(file: string, rowBytes: number) {
  mkdirSync(dirname(file), { recursive: true })
  const db = new SqliteDatabase(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec('create table if not exists rows (id integer primary key, name text not null, payload text not null)')
  const insert = db.prepare('insert into rows (name, payload) values (?, ?)')
  // id (8 bytes, as orgRowBytes counts integers) + name (23 bytes) + payload = rowBytes.
  const pad = 'x'.repeat(Math.max(0, rowBytes - 8 - 23))
  let n = 0
  const one = () => insert.run(`raw ${(n++).toString().padStart(19, '0')}`, pad)
  return {
    warm(seconds: number): void {
      const end = Date.now() + seconds * 1000
      while (Date.now() < end) one()
    },
    slice(seconds: number, tally: Tally): void {
      const start = process.hrtime.bigint()
      const end = start + BigInt(Math.round(seconds * 1e9))
      let now = start
      let count = 0
      while (now < end) {
        const t = now
        one()
        now = process.hrtime.bigint()
        tally.samples.push(Number(now - t) / 1e6)
        count++
      }
      const s = Number(now - start) / 1e9
      tally.seconds += s
      tally.sliceRps.push(count / s)
    },
    close(): void {
      db.close()
    },
  }
}

/** The stored size of one organisation row: the sum of its columns' byte lengths. */
export function orgRowBytes(dbFile: string, orgId: string): number | undefined {
  const db = new SqliteDatabase(dbFile, { readonly: true, fileMustExist: true })
  try {
    const row = db.prepare('select * from orgs where id = ?').get(orgId) as Record<string, unknown> | undefined
    if (!row) return undefined
    let bytes = 0
    for (const v of Object.values(row)) {
      if (v === null) continue
      bytes += typeof v === 'string' ? Buffer.byteLength(v) : 8
    }
    return bytes
  } finally {
    db.close()
  }
}

/**
 * The machine's CPU time so far, in clock ticks, from `/proc/stat` (Linux): `busy` is all but
 * idle and I/O wait. Undefined where there is no `/proc/stat`.
 */
export function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    return { busy: total - f[3]! - f[4]!, total }
  } catch {
    return undefined
  }
}

export function machine(): { cpus: number; cpuModel: string; node: string; platform: string } {
  const c = cpus()
  return { cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` }
}

/** Formats a number with thousands separators. */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—'
}

export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return '—'
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)
}

export function fmtRatio(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '—' : n < 0.1 ? n.toFixed(3) : n.toFixed(2)
}

/** Renders rows as a plain-text table (first row is the header). */
export function table(rows: string[][], rightAlign: (col: number) => boolean): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  const line = (r: string[]) => r.map((cell, c) => (rightAlign(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ')
  const sep = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(rows[0]!), sep, ...rows.slice(1).map(line)].join('\n')
}

/** Parses `--flag`, `--key value` and `--key=value`. */
export function parseArgs(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const eq = a.indexOf('=')
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1))
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out.set(a.slice(2), argv[++i]!)
    else out.set(a.slice(2), true)
  }
  return out
}
