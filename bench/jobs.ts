/**
 * The job figures of `npm run bench` (f, g, h): provisioning jobs queued through the real
 * enqueue path, run by real `clientele` processes, and timed from the database's own record
 * of each job (the request's `started_at` when a worker first claimed it, its `finished_at`).
 *
 * Throughput (f, g): a batch of jobs is queued with the `service.test-provision` operation
 * while no worker runs, held (its `run_after` moved far ahead, one UPDATE) while the worker
 * processes start, then released at once; the figure is the batch's size over the time from
 * the first claim to the last finish. Holding keeps process start-up, and the few hundred
 * milliseconds by which several workers come up apart, out of the figure.
 *
 * Latency (h): provisionings are started over HTTP at a steady rate, without waiting for one
 * to finish before the next is sent (so a slow spell delays the requests behind it as it
 * would a real client's), and each one's time runs from the moment it was sent to the
 * `finishedAt` its request answers on `GET /jobs/{guid}`: the same clock, on one machine.
 */
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createDeps } from '../src/server.js'
import { ensureMaster } from '../src/ops/orgs/bootstrap.js'
import { masterContext } from '../src/cli/master-actor.js'
import { createService } from '../src/ops/catalog/create-service.js'
import { testProvision } from '../src/ops/provisioning/test-provision.js'
import type { Ctx, Deps } from '../src/ops/context.js'
import { api, expectStatus, sleep, type Tally } from './lib.js'

/** The catalogue entry every job figure provisions through: the `noop` driver, so the figures are the queue's own cost. */
export const NOOP_SERVICE = 'BENCHNOOP'

const quiet = { info() {}, warn() {}, error() {} }
const HELD = '9999-12-31T23:59:59.999Z'

/**
 * Creates a fresh database on the PostgreSQL server of `adminUrl` (whose role may create
 * databases) and answers its URL and how to drop it.
 */
export async function createPgDatabase(adminUrl: string, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clientele_bench_${label}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}

/** The jobs of one batch: ids in (`after`, `last`]. */
export interface Batch {
  after: number
  last: number
}

/** What the database says about a batch once its workers stopped. */
export interface BatchResult {
  jobs: number
  succeeded: number
  failed: number
  /** Neither succeeded nor failed. */
  open: number
  /** From the first claim to the last finish, ms. */
  windowMs: number
  /** Each succeeded job's time from its first claim to its finish, ms. */
  runMs: number[]
}

/**
 * A database made ready for job figures: migrated, with the master organisation (its admin's
 * password is the run's) and the noop service. Reads and setup writes go through the bench
 * process's own connection; the workers are other processes.
 */
export class JobDb {
  readonly location: string
  readonly deps: Deps
  readonly #ctx: Ctx

  private constructor(location: string, deps: Deps, ctx: Ctx) {
    this.location = location
    this.deps = deps
    this.#ctx = ctx
  }

  static async open(location: string, password: string): Promise<JobDb> {
    const deps = createDeps({ db: location, logger: quiet, poolSize: 8 })
    await deps.store.migrate()
    await ensureMaster(deps, password)
    const ctx = await masterContext(deps)
    const exists = await deps.store.db.selectFrom('services').select('id').where('name', '=', NOOP_SERVICE).executeTakeFirst()
    if (!exists) await createService({ ...ctx, exec: {} }, { name: NOOP_SERVICE, driver: 'noop' })
    return new JobDb(location, deps, ctx)
  }

  /**
   * Queues `n` noop provisioning jobs through the `service.test-provision` operation (`parallel`
   * at once, so that SQLite's group commit and PostgreSQL's pool are used as a server uses them),
   * then holds them: call it while no worker runs on this database.
   */
  async queueHeld(n: number, parallel: number): Promise<Batch> {
    const after = await this.#lastJobId()
    let next = 0
    const one = async () => {
      while (next < n) {
        const i = next++
        await testProvision({ ...this.#ctx, exec: {} }, { service: NOOP_SERVICE, subject: `bench:${after + i}` })
      }
    }
    await Promise.all(Array.from({ length: Math.min(parallel, n) }, one))
    const last = await this.#lastJobId()
    // Counted, not subtracted: PostgreSQL's ids may skip numbers (a transaction retried).
    const queued = await this.deps.store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '>', after)
      .where('id', '<=', last)
      .executeTakeFirstOrThrow()
    if (Number(queued.n) !== n) throw new Error(`queued ${queued.n} jobs where ${n} were asked for`)
    await this.deps.store.write((trx) =>
      trx.updateTable('jobs').set({ run_after: HELD }).where('id', '>', after).where('id', '<=', last).where('status', '=', 'queued').execute(),
    )
    return { after, last }
  }

  /** Makes a held batch due now. */
  async release(b: Batch): Promise<void> {
    const now = new Date(Date.now()).toISOString()
    await this.deps.store.write((trx) =>
      trx.updateTable('jobs').set({ run_after: now }).where('id', '>', b.after).where('id', '<=', b.last).where('run_after', '=', HELD).execute(),
    )
  }

  /** Polls until every job of the batch has finished; false when `timeoutMs` ran out first. */
  async waitFinished(b: Batch, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const open = await this.deps.store.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', '>', b.after)
        .where('id', '<=', b.last)
        .where('status', 'not in', ['succeeded', 'failed'])
        .executeTakeFirstOrThrow()
      if (Number(open.n) === 0) return true
      if (Date.now() > end) return false
      await sleep(50)
    }
  }

  /** Reads the batch's outcome from the database. */
  async measure(b: Batch): Promise<BatchResult> {
    const rows = await this.deps.store.db
      .selectFrom('jobs')
      .innerJoin('requests', 'requests.id', 'jobs.request_id')
      .select(['jobs.status', 'jobs.finished_at', 'requests.started_at'])
      .where('jobs.id', '>', b.after)
      .where('jobs.id', '<=', b.last)
      .execute()
    let first = Infinity
    let lastFinish = -Infinity
    const runMs: number[] = []
    let succeeded = 0
    let failed = 0
    for (const r of rows) {
      const started = r.started_at ? Date.parse(r.started_at) : NaN
      const finished = r.finished_at ? Date.parse(r.finished_at) : NaN
      if (Number.isFinite(started)) first = Math.min(first, started)
      if (Number.isFinite(finished)) lastFinish = Math.max(lastFinish, finished)
      if (r.status === 'succeeded') {
        succeeded++
        if (Number.isFinite(started) && Number.isFinite(finished)) runMs.push(finished - started)
      } else if (r.status === 'failed') failed++
    }
    return { jobs: rows.length, succeeded, failed, open: rows.length - succeeded - failed, windowMs: lastFinish - first, runMs }
  }

  async #lastJobId(): Promise<number> {
    const r = await this.deps.store.db.selectFrom('jobs').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst()
    return Number(r?.id ?? 0)
  }

  async close(): Promise<void> {
    await this.deps.store.close()
  }
}

/**
 * Adds a batch to a figure's tally: a job is a "2xx", a failed job a non-2xx, an unfinished one a
 * timeout. `wallMs`: how long the bench waited for the batch.
 */
export function tallyBatch(tally: Tally, r: BatchResult, wallMs: number): void {
  // No job finished (the figure fails on its errors anyway): the time waited stands in.
  const seconds = (r.windowMs > 0 ? r.windowMs : wallMs) / 1000
  for (const ms of r.runMs) tally.samples.push(ms)
  tally.seconds += seconds
  tally.sliceRps.push(r.succeeded / seconds)
  tally.non2xx += r.failed
  tally.timeouts += r.open
  tally.statusCodes.succeeded = (tally.statusCodes.succeeded ?? 0) + r.succeeded
  if (r.failed) tally.statusCodes.failed = (tally.statusCodes.failed ?? 0) + r.failed
  if (r.open) tally.statusCodes.unfinished = (tally.statusCodes.unfinished ?? 0) + r.open
}

/**
 * Starts one provisioning and answers the guid of the request it recorded (every mutating
 * REST call answers it in `X-Job-Guid`), or throws with the HTTP status.
 */
export type StartProvisioning = (i: number) => Promise<string>

/**
 * h's provisioning step today: `POST /services/{service}/test-provision`. When
 * `PUT /orgs/{orgId}/services/{service}` exists, a starter that PUTs there (answering the same
 * header) replaces this one and nothing else of h changes.
 */
export function testProvisionStarter(base: string, authorization: string, service: string): StartProvisioning {
  return async (i) => {
    const r = await fetch(`${base}/services/${encodeURIComponent(service)}/test-provision`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: `bench-latency:${i}` }),
    })
    await r.text()
    const guid = r.headers.get('x-job-guid')
    if (r.status !== 202 || !guid) throw new HttpStatus(r.status)
    return guid
  }
}

/**
 * h's provisioning step: `PUT /orgs/{orgId}/services/{service}` (a customer service, the real
 * path from a request to `Provisioned`), over a pool of customers taken in turn so that each
 * one's previous provisioning has long finished (a service with a request under way refuses
 * another). The first request provisions; later ones re-apply the settings, through the same
 * states.
 */
export async function customerServiceStarter(base: string, authorization: string, service: string, parentId: string, pool: number): Promise<StartProvisioning> {
  const ids: string[] = []
  const tag = Math.random().toString(36).slice(2, 8)
  for (let i = 0; i < pool; i += 20) {
    const made = await Promise.all(
      Array.from({ length: Math.min(20, pool - i) }, (_, k) => api(base, 'POST', `/orgs/${parentId}/customers`, authorization, { name: `h-${tag}-${i + k}` })),
    )
    for (const m of made) {
      expectStatus('POST /orgs/{id}/customers (h pool)', m, 201)
      ids.push(m.json.id as string)
    }
  }
  return async (i) => {
    const r = await fetch(`${base}/orgs/${ids[i % ids.length]}/services/${encodeURIComponent(service)}`, {
      method: 'PUT',
      headers: { authorization, 'content-type': 'application/json' },
      body: '{}',
    })
    await r.text()
    const guid = r.headers.get('x-job-guid')
    if (r.status !== 202 || !guid) throw new HttpStatus(r.status)
    return guid
  }
}

/** A provisioning call answered with something else than its success status. */
export class HttpStatus extends Error {
  readonly status: number
  constructor(status: number) {
    super(`HTTP ${status}`)
    this.status = status
  }
}

/** Makes sure the noop service exists on a running server (h's servers make their own databases). */
export async function ensureNoopService(base: string, authorization: string): Promise<void> {
  const got = await api(base, 'GET', `/services/${NOOP_SERVICE}`, authorization)
  if (got.status === 200) return
  expectStatus(`POST /services ${NOOP_SERVICE}`, await api(base, 'POST', '/services', authorization, { name: NOOP_SERVICE, driver: 'noop' }), 201)
}

/**
 * One slice of h: starts `rate` provisionings a second for `seconds` on a fixed schedule, then
 * waits (up to `waitMs`) for each to finish, and adds each one's time from sending to its
 * request's `finishedAt` to `tally`. `sliceRps` counts the provisionings that succeeded, per
 * second of the slice.
 */
export async function latencySlice(
  o: { base: string; authorization: string; start: StartProvisioning; rate: number; seconds: number; waitMs: number; seq: { n: number } },
  tally: Tally,
): Promise<void> {
  const count = Math.max(1, Math.round(o.rate * o.seconds))
  const sent: { at: number; guid: Promise<string | undefined> }[] = []
  const t0 = performance.now()
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / o.rate
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    const at = performance.timeOrigin + performance.now()
    const guid = o.start(o.seq.n++).catch((e: unknown) => {
      if (e instanceof HttpStatus) {
        tally.non2xx++
        tally.statusCodes[String(e.status)] = (tally.statusCodes[String(e.status)] ?? 0) + 1
      } else tally.errors++
      return undefined
    })
    sent.push({ at, guid })
  }
  const elapsed = (performance.now() - t0) / 1000
  const end = Date.now() + o.waitMs
  let ok = 0
  // Reading the outcome afterwards keeps polling out of the measured time.
  let next = 0
  const reader = async () => {
    while (next < sent.length) {
      const s = sent[next++]!
      const guid = await s.guid
      if (guid === undefined) continue
      for (;;) {
        const j = await api(o.base, 'GET', `/jobs/${guid}`, o.authorization)
        const finishedAt = j.status === 200 ? (j.json?.times?.finishedAt as string | null) : null
        if (finishedAt) {
          if (j.json.status === 'succeeded') {
            tally.samples.push(Date.parse(finishedAt) - s.at)
            ok++
            tally.statusCodes.succeeded = (tally.statusCodes.succeeded ?? 0) + 1
          } else {
            tally.non2xx++
            tally.statusCodes.failed = (tally.statusCodes.failed ?? 0) + 1
          }
          break
        }
        if (Date.now() > end) {
          tally.timeouts++
          break
        }
        await sleep(20)
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, reader))
  tally.seconds += elapsed
  tally.sliceRps.push(ok / elapsed)
}
