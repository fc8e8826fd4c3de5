/**
 * The worker loop: claims due jobs (up to `concurrency` at once), runs each through its
 * provisioning driver under a renewed lease, and records how each attempt ended. Runs inside
 * `clientele serve` and as `clientele worker` processes; any number of them share a database.
 *
 * Each turn of the loop is one write transaction (`endAndClaim`): the ends of the attempts that
 * ended since the last turn, and the claim of jobs for the slots they free. A busy worker thus
 * commits once per handful of jobs, whatever the database. Idle polling is a cheap indexed read,
 * backing off to `pollMaxMs`; a ring of this process's job bell (a job was queued here) wakes it
 * at once. `stop()` stops claiming, lets running jobs finish for `graceMs`, then stops the rest
 * and gives their leases back.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Deps } from '../ops/context.js'
import { findDriver, openDriverConfig, type DriverOutcome, type ProvisioningRequest } from './drivers/index.js'
import { callbackTimeoutSeconds } from './drivers/webhook.js'
import {
  anyDue,
  deadlineError,
  endAndClaim,
  endAttempt,
  MAXDURATION_ERROR,
  renewLease,
  type AttemptEnd,
  type AttemptRecord,
  type JobRow,
} from '../store/jobs.repo.js'
import type { ProvisioningPayload } from './provisioning.js'
import { findServiceDriver, listServiceDrivers, type ServiceDriverRow } from '../store/services.repo.js'
import { MAIL_JOB_KIND } from '../core/mail.js'
import { deliverMail, smtpTransport, type MailTransport } from './mail.js'
import { isNoticeJob, runNoticeJob } from './notices.js'

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
  /** How `mail` jobs are sent (default: SMTP at `deps.mail.smtpUrl`, when set). */
  mailTransport?: MailTransport
}

export interface Worker {
  readonly name: string
  /** Polls at once. */
  wake(): void
  /** Stops claiming, finishes or releases running jobs, and resolves when none is left. */
  stop(): Promise<void>
}

type Abort = { why: 'deadline' } | { why: 'shutdown' } | { why: 'lease lost' }

/** The most attempt ends written in one transaction. */
const MAX_ENDS = 64

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
  /** Made at the first `mail` job, and closed when the worker stops. */
  let mailer: MailTransport | undefined = opts.mailTransport
  const mailTransport = (): MailTransport | undefined => (mailer ??= deps.mail?.smtpUrl ? smtpTransport(deps.mail.smtpUrl) : undefined)

  const running = new Map<number, { controller: AbortController; done: Promise<void> }>()
  /** The claims holding a slot: their end not yet written (`running` keeps them a little longer). */
  const slots = new Set<JobRow>()
  let stopping = false
  /** Set when `stop()`'s grace time ran out: running jobs are being given back. */
  let shutdown = false
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

  /** Attempt ends waiting to be written by the loop's next step. */
  const ending: { record: AttemptRecord; resolve: (recorded: boolean) => void; reject: (err: unknown) => void }[] = []

  /** Records how an attempt ended; resolves once it is committed (false when the lease was lost). */
  function recordEnd(job: JobRow, end: AttemptEnd): Promise<boolean> {
    return new Promise((resolve, reject) => {
      ending.push({ record: { job, end }, resolve, reject })
      wake()
    })
  }

  /**
   * Each step writes, in one transaction, the ends of the attempts that ended since the last
   * step and the claim of as many jobs as there are free slots (`endAndClaim`): the first end
   * is written at once, and those that come while it commits go together with the next (a
   * group commit of this worker's own, on PostgreSQL as on SQLite). Runs until stopped and
   * every running job's end is written.
   */
  async function loop(): Promise<void> {
    // While claims find work the next claim goes straight to the write; an idle worker first
    // asks with a read, which costs no write transaction.
    let busy = false
    while (!stopping || running.size > 0 || ending.length > 0) {
      const ends = ending.splice(0, MAX_ENDS)
      // The slots of the jobs ending here are free once their ends are written, in this step.
      const free = stopping ? 0 : Math.max(0, concurrency - slots.size + ends.length)
      let claimed = 0
      if (ends.length > 0 || free > 0) {
        try {
          if (ends.length > 0 || busy || (await anyDue(store.db, clock()))) {
            const step = await endAndClaim(store, name, ends.map((e) => e.record), free, leaseMs, clock())
            ends.forEach((e, i) => {
              slots.delete(e.record.job)
              e.resolve(step.recorded[i]!)
            })
            claimed = step.claimed.length
            busy = claimed > 0
            if (claimed > 0) {
              const services = readServices(step.claimed)
              for (const j of step.claimed) track(j, services)
            }
          }
        } catch (err) {
          busy = false
          if (ends.length > 0) await recordAlone(ends)
          else if (!stopping) log.error({ err, worker: name }, 'worker could not claim jobs')
        }
      }
      if (ending.length > 0 || (claimed > 0 && claimed === free)) continue
      if (claimed > 0) delay = 0
      await sleep(delay)
      delay = Math.min(Math.max(delay * 2, 5), pollMaxMs)
    }
  }

  /**
   * Writes ends one at a time, each in its own transaction, after the step that held them
   * failed: one end that cannot be recorded (a subject handler's error) does not take the
   * others with it.
   */
  async function recordAlone(ends: typeof ending): Promise<void> {
    for (const e of ends) {
      await endAttempt(store, e.record.job, name, e.record.end, clock()).then(e.resolve, e.reject)
      slots.delete(e.record.job)
    }
  }

  type ServiceRow = ServiceDriverRow

  /**
   * The services of a claimed batch, read once for all of its jobs. Never rejects: a job whose
   * service this read missed reads it alone.
   */
  function readServices(jobs: JobRow[]): Promise<Map<string, ServiceRow>> {
    const ids = [...new Set(jobs.filter((j) => j.kind !== MAIL_JOB_KIND && !isNoticeJob(j.kind)).map((j) => (JSON.parse(j.payload) as ProvisioningPayload).serviceId))]
    if (ids.length === 0) return Promise.resolve(new Map())
    return listServiceDrivers(store.db, ids).then(
        (rows) => new Map(rows.map((r) => [r.id, r])),
        () => new Map(),
      )
  }

  function track(job: JobRow, services: Promise<Map<string, ServiceRow>>): void {
    const controller = new AbortController()
    const done = runJob(job, services, controller)
      .catch((err) => log.error({ err, worker: name, job: job.guid }, 'worker could not record a job'))
      .finally(() => {
        slots.delete(job)
        // The same job may have been claimed again meanwhile (a retry that came due): keep that one.
        if (running.get(job.id)?.controller === controller) running.delete(job.id)
        wake()
      })
    slots.add(job)
    running.set(job.id, { controller, done })
    // Past the grace time, a job that a claim under way brings in is given back at once.
    if (shutdown) controller.abort({ why: 'shutdown' } satisfies Abort)
  }

  async function runJob(job: JobRow, services: Promise<Map<string, ServiceRow>>, controller: AbortController): Promise<void> {
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
      const spent = endBeforeRun(job)
      if (spent) {
        await recordEnd(job, spent)
        return
      }
      const { outcome, config } = await Promise.race([attempt(job, services, signal), aborted])
      end = toEnd(job, outcome, config)
    } catch (e) {
      const reason = (signal.aborted ? signal.reason : e) as Abort | Error
      if (reason && 'why' in reason) {
        if (reason.why === 'lease lost') {
          log.warn({ worker: name, job: job.guid }, 'lost the lease of a running job; another worker has it')
          return
        }
        end =
          reason.why === 'deadline'
            ? { kind: 'failed', error: await deadlineError(store.db, job, clock()).catch(() => MAXDURATION_ERROR) }
            : { kind: 'released' }
      } else {
        log.error({ err: e, worker: name, job: job.guid }, 'provisioning driver threw')
        end = toEnd(job, { ok: false, retryable: true, error: 'the provisioning driver failed unexpectedly' })
      }
    } finally {
      clearInterval(renew)
      for (const t of timers) clearTimeout(t)
    }
    await recordEnd(job, end)
  }

  /** Runs the job's driver; answers its outcome and the settings it ran with (when it ran). */
  async function attempt(
    job: JobRow,
    services: Promise<Map<string, ServiceRow>>,
    signal: AbortSignal,
  ): Promise<{ outcome: DriverOutcome; config?: Record<string, unknown> }> {
    // A message of the mail outbox: sent through the SMTP transport, retried as a driver's work is.
    if (job.kind === MAIL_JOB_KIND) return { outcome: await deliverMail(deps, mailTransport(), job, signal) }
    // A notice's fan-out or one of its webhook deliveries (jobs/notices.ts).
    if (isNoticeJob(job.kind)) return { outcome: await runNoticeJob(deps, job, signal) }
    const p = JSON.parse(job.payload) as ProvisioningPayload
    // Read with the claim's batch; settings changed since are read at the next attempt.
    const service =
      (await services).get(p.serviceId) ??
      (await findServiceDriver(store.db, p.serviceId))
    if (!service) return { outcome: { ok: false, retryable: false, error: `service ${p.service} no longer exists` } }
    const driver = findDriver(service.driver)
    if (!driver) return { outcome: { ok: false, retryable: false, error: `no provisioning driver named ${JSON.stringify(service.driver)}` } }
    const request: ProvisioningRequest = {
      jobGuid: job.guid,
      requestGuid: p.requestGuid,
      service: p.service,
      action: p.action,
      subject: p.subject,
      payload: p.payload,
      attempt: job.attempts,
    }
    const opened = openDriverConfig(deps.secrets, p.serviceId, service.driver_config)
    if (!opened.ok) return { outcome: { ok: false, retryable: false, error: opened.error } }
    // The driver may change the object it is given; the wait limit is read from a copy.
    const config = { ...opened.config }
    return { outcome: await driver.provision({ config: opened.config, log, clock }, request, signal), config }
  }

  function toEnd(job: JobRow, o: DriverOutcome, config: Record<string, unknown> = {}): AttemptEnd {
    return attemptEnd(job, o, config, retryBaseMs, retryMaxMs)
  }

  const looping = loop()
  let stopped: Promise<void> | undefined
  log.info({ worker: name, concurrency }, 'worker started')

  return {
    name,
    wake,
    stop() {
      stopped ??= (async () => {
        stopping = true
        unlisten?.()
        wake()
        // The loop claims nothing more but goes on writing the ends of the running jobs (and
        // of any that a claim under way when stop() was called brings in).
        const all = async () => {
          while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done))
        }
        let timer: NodeJS.Timeout | undefined
        const graced = await Promise.race([all().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))])
        clearTimeout(timer)
        if (!graced) {
          shutdown = true
          for (const r of running.values()) r.controller.abort({ why: 'shutdown' } satisfies Abort)
          await all()
        }
        await looping
        if (mailer && !opts.mailTransport) mailer.close()
        log.info({ worker: name }, 'worker stopped')
      })()
      return stopped
    },
  }
}

/**
 * How an attempt ends given its driver's outcome: done, failed, retried with exponential backoff
 * and "equal jitter" (half the delay fixed, half random, so that retries of many jobs spread
 * out) while attempts are left, or waiting for a callback at most `callbackTimeoutSeconds`.
 */
export function attemptEnd(job: JobRow, o: DriverOutcome, config: Record<string, unknown>, retryBaseMs: number, retryMaxMs: number): AttemptEnd {
  // A callback that never comes must not keep the job waiting for ever.
  if ('pending' in o) return { kind: 'waiting', ...(o.note ? { note: o.note } : {}), callbackTimeoutMs: callbackTimeoutSeconds(config) * 1000 }
  if (o.ok) return { kind: 'succeeded', result: o.result }
  if (!o.retryable) return { kind: 'failed', error: o.error }
  if (job.attempts >= job.max_attempts) return { kind: 'failed', error: `${o.error} (gave up after ${job.attempts} attempts)` }
  const exp = Math.min(retryMaxMs, retryBaseMs * 2 ** (job.attempts - 1))
  return { kind: 'retry', error: o.error, delayMs: Math.round(exp / 2 + Math.random() * (exp / 2)) }
}

/**
 * The end of a claim that must not run its driver: a job claimed again after the worker of its
 * last allowed attempt died (its lease ran out) has no attempt left, and fails rather than run
 * a sixth time (a job that kills its worker would otherwise be run, and kill, for ever).
 */
export function endBeforeRun(job: JobRow): AttemptEnd | undefined {
  if (job.attempts <= job.max_attempts) return undefined
  return { kind: 'failed', error: `gave up after ${job.max_attempts} attempts: the worker of the last one stopped before recording how it ended` }
}
