/**
 * `clientele worker` processes for the job tests (test/helpers/clientele-proc.ts): spawned as an
 * operator would run them, told apart by the name each one logs, and waited for (started,
 * exited) without guessing times; the database they share; the jobs they work on.
 */
import assert from 'node:assert/strict'
import { createDeps } from '../../src/server.js'
import { ensureMaster } from '../../src/ops/orgs/bootstrap.js'
import { masterContext } from '../../src/cli/master-actor.js'
import { testProvision } from '../../src/ops/provisioning/test-provision.js'
import type { Ctx, Deps } from '../../src/ops/context.js'
import type { Dialect } from '../../src/store/store.js'
import { spawnClientele, type ClienteleProcess } from '../helpers/clientele-proc.js'
import { ADMIN_PASSWORD, freshDb } from '../helpers/harness.js'

export interface WorkerProcess extends ClienteleProcess {
  /** Resolves with the worker's name (as it writes it in leases and request logs) once it runs. */
  running: Promise<string>
}

export interface WorkerProcessOptions {
  concurrency?: number
  leaseMs?: number
  retryBaseMs?: number
  /** `--grace-ms`: how long running jobs may finish after SIGTERM. */
  graceMs?: number
}

/** Spawns `clientele worker --db DB …` with its log on a pipe (info and up; warnings and errors copied to the test's stderr). */
export function startWorkerProcess(db: string, o: WorkerProcessOptions = {}): WorkerProcess {
  const args = ['worker', '--db', db, '--concurrency', String(o.concurrency ?? 4), '--pool-size', '3']
  if (o.leaseMs !== undefined) args.push('--lease-ms', String(o.leaseMs))
  if (o.retryBaseMs !== undefined) args.push('--retry-base-ms', String(o.retryBaseMs))
  if (o.graceMs !== undefined) args.push('--grace-ms', String(o.graceMs))
  const { proc, ready } = spawnClientele(args, {
    echoLevel: 40,
    ready: (entry) => (entry.msg === 'clientele worker is running' && typeof entry.worker === 'string' ? entry.worker : undefined),
  })
  return Object.assign(proc, { running: ready })
}

/** Kills the processes still alive with SIGKILL and waits for them to go. */
export async function killAll(procs: WorkerProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => p.kill9()))
}

/** Polls `cond` every 20 ms until it holds; fails the test after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const quiet = { info() {}, warn() {}, error() {} }

/**
 * A fresh database of `dialect` for worker processes to share, and the test's own handle on it
 * (migrated, with the master organisation); `close()` closes the handle and drops the database.
 */
export async function openShared(dialect: Dialect): Promise<{ location: string; deps: Deps; ctx: Ctx; close(): Promise<void> }> {
  const db = await freshDb(dialect)
  const deps = createDeps({ db: db.location, logger: quiet, poolSize: 3 })
  await deps.store.migrate()
  await ensureMaster(deps, ADMIN_PASSWORD)
  return {
    location: db.location,
    deps,
    ctx: await masterContext(deps),
    async close() {
      await deps.store.close()
      await db.drop()
    },
  }
}

/** Queues `n` test provisionings of `service` (subjects `<prefix>:0`, `<prefix>:1`, …), 8 at a time; answers their request guids. */
export async function queueProvisionings(ctx: Ctx, service: string, n: number, prefix: string): Promise<string[]> {
  const guids: string[] = new Array(n)
  let next = 0
  const one = async () => {
    while (next < n) {
      const i = next++
      guids[i] = (await testProvision({ ...ctx, exec: {} }, { service, subject: `${prefix}:${i}` })).requestGuid
    }
  }
  await Promise.all(Array.from({ length: Math.min(8, n) }, one))
  return guids
}

/** How many of the requests `guids` are not finished (neither succeeded nor failed). */
export async function unfinished(deps: Deps, guids: string[]): Promise<number> {
  const r = await deps.store.db
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('guid', 'in', guids)
    .where('status', 'not in', ['succeeded', 'failed'])
    .executeTakeFirstOrThrow()
  return Number(r.n)
}
