/**
 * `clientele worker` processes for the job tests: spawned as an operator would run them, told
 * apart by the name each one logs, and waited for (started, exited) without guessing times.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createDeps } from '../../src/server.js'
import { ensureMaster } from '../../src/ops/orgs/bootstrap.js'
import { masterContext } from '../../src/cli/master-actor.js'
import { testProvision } from '../../src/ops/provisioning/test-provision.js'
import type { Ctx, Deps } from '../../src/ops/context.js'
import { ADMIN_PASSWORD } from '../helpers/harness.js'

export interface WorkerProcess {
  child: ChildProcess
  /** Resolves with the worker's name (as it writes it in leases and request logs) once it runs. */
  running: Promise<string>
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface WorkerProcessOptions {
  concurrency?: number
  leaseMs?: number
  retryBaseMs?: number
  /** `--grace-ms`: how long running jobs may finish after SIGTERM. */
  graceMs?: number
}

/** Spawns `node bin/clientele.js worker --db DB …` with its log on a pipe (info and up). */
export function startWorkerProcess(db: string, o: WorkerProcessOptions = {}): WorkerProcess {
  const args = ['bin/clientele.js', 'worker', '--db', db, '--concurrency', String(o.concurrency ?? 4), '--pool-size', '3']
  if (o.leaseMs !== undefined) args.push('--lease-ms', String(o.leaseMs))
  if (o.retryBaseMs !== undefined) args.push('--retry-base-ms', String(o.retryBaseMs))
  if (o.graceMs !== undefined) args.push('--grace-ms', String(o.graceMs))
  const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const running = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; worker?: string; level?: number }
        if (entry.msg === 'clientele worker is running' && entry.worker) resolve(entry.worker)
        else if ((entry.level ?? 0) >= 40) process.stderr.write(`worker: ${line}\n`)
      } catch {
        process.stderr.write(`worker: ${line}\n`)
      }
    })
    void exited.then(({ code, signal }) => reject(new Error(`the worker exited (${code ?? signal}) before it ran`)))
  })
  running.catch(() => {})
  return { child, running, exited }
}

/** Kills the processes still alive with SIGKILL and waits for them to go. */
export async function killAll(procs: WorkerProcess[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  await Promise.all(procs.map((p) => p.exited))
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

/** The test's own handle on the database the workers share: migrated, with the master organisation. */
export async function openShared(location: string): Promise<{ deps: Deps; ctx: Ctx }> {
  const deps = createDeps({ db: location, logger: quiet, poolSize: 3 })
  await deps.store.migrate()
  await ensureMaster(deps, ADMIN_PASSWORD)
  return { deps, ctx: await masterContext(deps) }
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
