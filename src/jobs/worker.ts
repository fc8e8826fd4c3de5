/**
 * The worker loop: claims due jobs (up to `concurrency` at once), runs each through its
 * provisioning driver under a renewed lease, and records how each attempt ended. Runs inside
 * `clientele serve` and as `clientele worker` processes; any number of them share a database.
 *
 * Idle polling is a cheap indexed read, backing off to `pollMaxMs`; a ring of this process's
 * job bell (a job was queued here) wakes it at once. `stop()` stops claiming, lets running
 * jobs finish for `graceMs`, then stops the rest and gives their leases back.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Deps } from '../ops/context.js'
import { findDriver, type DriverOutcome, type ProvisioningRequest } from './drivers/index.js'
import { anyDue, claimJobs, endAttempt, renewLease, type AttemptEnd, type JobRow } from './queue.js'
import type { ProvisioningPayload } from './provisioning.js'

export interface WorkerOptions {
  /** Jobs run at once by this worker (default 4). */
  concurrency?: number
  /** Lease length (default 30 000 ms), renewed every third of it while a job runs. */
  leaseMs?: number
  /** Longest idle pause between polls (default 250 ms). */
  pollMaxMs?: number
  /** First retry delay (default 1 000 ms); doubled per attempt, with jitter, up to `retryMaxMs`. */
  retryBaseMs?: number
  retryMaxMs?: number
  /** How long `stop()` lets running jobs finish before stopping them (default 5 000 ms). */
  graceMs?: number
  /** This worker's name in leases and logs (default host:pid:random). */
  name?: string
}

export interface Worker {
  readonly name: string
  /** Polls at once. */
  wake(): void
  /** Stops claiming, finishes or releases running jobs, and resolves when none is left. */
  stop(): Promise<void>
}

type Abort = { why: 'deadline' } | { why: 'shutdown' } | { why: 'lease lost' }

/** Starts a worker on `deps.store`. */
export function startWorker(deps: Deps, opts: WorkerOptions = {}): Worker {
  const concurrency = opts.concurrency ?? 4
  const leaseMs = opts.leaseMs ?? 30_000
  const pollMaxMs = opts.pollMaxMs ?? 250
  const retryBaseMs = opts.retryBaseMs ?? 1000
  const retryMaxMs = opts.retryMaxMs ?? 300_000
  const graceMs = opts.graceMs ?? 5000
  const name = opts.name ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const { store, clock, log } = deps

  const running = new Map<number, { controller: AbortController; done: Promise<void> }>()
  let stopping = false
  let delay = 0
  let nap: { timer: NodeJS.Timeout; resolve: () => void } | undefined

  function wake(): void {
    delay = 0
    if (nap) {
      clearTimeout(nap.timer)
      nap.resolve()
      nap = undefined
    }
  }
  const unlisten = deps.jobs?.listen(wake)

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      nap = { timer: setTimeout(() => ((nap = undefined), resolve()), ms), resolve }
    })
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const free = concurrency - running.size
      let claimed = 0
      if (free > 0) {
        try {
          if (await anyDue(store.db, clock())) {
            const jobs = await claimJobs(store, name, free, leaseMs, clock())
            claimed = jobs.length
            for (const j of jobs) track(j)
          }
        } catch (err) {
          if (!stopping) log.error({ err, worker: name }, 'worker could not claim jobs')
        }
      }
      if (stopping) break
      if (claimed > 0 && claimed === free) continue
      if (claimed > 0) delay = 0
      await sleep(delay)
      delay = Math.min(Math.max(delay * 2, 5), pollMaxMs)
    }
  }

  function track(job: JobRow): void {
    const controller = new AbortController()
    const done = runJob(job, controller)
      .catch((err) => log.error({ err, worker: name, job: job.guid }, 'worker could not record a job'))
      .finally(() => {
        running.delete(job.id)
        wake()
      })
    running.set(job.id, { controller, done })
  }

  async function runJob(job: JobRow, controller: AbortController): Promise<void> {
    const signal = controller.signal
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
    aborted.catch(() => {})
    const timers: NodeJS.Timeout[] = []
    if (job.deadline_at !== null) {
      const left = Date.parse(job.deadline_at) - clock()
      timers.push(setTimeout(() => controller.abort({ why: 'deadline' } satisfies Abort), Math.max(0, left)))
    }
    const renew = setInterval(() => {
      renewLease(store, job.id, name, leaseMs, clock()).then(
        (held) => {
          if (!held) controller.abort({ why: 'lease lost' } satisfies Abort)
        },
        (err) => log.warn({ err, worker: name, job: job.guid }, 'could not renew a lease'),
      )
    }, Math.max(50, Math.floor(leaseMs / 3)))

    let end: AttemptEnd | undefined
    try {
      if (job.deadline_at !== null && Date.parse(job.deadline_at) <= clock()) throw { why: 'deadline' } satisfies Abort
      const outcome = await Promise.race([attempt(job, signal), aborted])
      end = toEnd(job, outcome)
    } catch (e) {
      const reason = (signal.aborted ? signal.reason : e) as Abort | Error
      if (reason && 'why' in reason) {
        if (reason.why === 'lease lost') {
          log.warn({ worker: name, job: job.guid }, 'lost the lease of a running job; another worker has it')
          return
        }
        end =
          reason.why === 'deadline'
            ? { kind: 'failed', error: 'deadline_exceeded: the request ran past its maxduration and was stopped' }
            : { kind: 'released' }
      } else {
        log.error({ err: e, worker: name, job: job.guid }, 'provisioning driver threw')
        end = toEnd(job, { ok: false, retryable: true, error: 'the provisioning driver failed unexpectedly' })
      }
    } finally {
      clearInterval(renew)
      for (const t of timers) clearTimeout(t)
    }
    await endAttempt(store, job, name, end, clock())
  }

  async function attempt(job: JobRow, signal: AbortSignal): Promise<DriverOutcome> {
    const p = JSON.parse(job.payload) as ProvisioningPayload
    const service = await store.db.selectFrom('services').select(['driver', 'driver_config']).where('id', '=', p.serviceId).executeTakeFirst()
    if (!service) return { ok: false, retryable: false, error: `service ${p.service} no longer exists` }
    const driver = findDriver(service.driver)
    if (!driver) return { ok: false, retryable: false, error: `no provisioning driver named ${JSON.stringify(service.driver)}` }
    const request: ProvisioningRequest = {
      jobGuid: job.guid,
      requestGuid: p.requestGuid,
      service: p.service,
      action: p.action,
      subject: p.subject,
      payload: p.payload,
      attempt: job.attempts,
    }
    const config = JSON.parse(service.driver_config) as Record<string, unknown>
    return driver.provision({ config, log, clock }, request, signal)
  }

  function toEnd(job: JobRow, o: DriverOutcome): AttemptEnd {
    if ('pending' in o) return { kind: 'waiting', ...(o.note ? { note: o.note } : {}) }
    if (o.ok) return { kind: 'succeeded', result: o.result }
    if (!o.retryable) return { kind: 'failed', error: o.error }
    if (job.attempts >= job.max_attempts) return { kind: 'failed', error: `${o.error} (gave up after ${job.attempts} attempts)` }
    const exp = Math.min(retryMaxMs, retryBaseMs * 2 ** (job.attempts - 1))
    // "Equal jitter": half the delay fixed, half random, so that retries of many jobs spread out.
    return { kind: 'retry', error: o.error, delayMs: Math.round(exp / 2 + Math.random() * (exp / 2)) }
  }

  const looping = loop()
  log.info({ worker: name, concurrency }, 'worker started')

  return {
    name,
    wake,
    async stop() {
      if (stopping) return looping
      stopping = true
      unlisten?.()
      wake()
      await looping
      const all = () => Promise.all([...running.values()].map((r) => r.done))
      let timer: NodeJS.Timeout | undefined
      const graced = await Promise.race([all().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))])
      clearTimeout(timer)
      if (!graced) {
        for (const r of running.values()) r.controller.abort({ why: 'shutdown' } satisfies Abort)
        await all()
      }
      log.info({ worker: name }, 'worker stopped')
    },
  }
}
