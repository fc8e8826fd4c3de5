/**
 * The durable job queue: jobs are rows of `jobs`, each belonging to a request, and every step a
 * job takes is written to its request (status, log, stage times) in the same transaction.
 *
 * Claiming: one UPDATE of the due jobs picked by a sub-select, `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL (two workers never pick the same row), inside the write transaction on SQLite
 * (which holds the database's write lock). A claim sets a lease; every later step of the job
 * is fenced by `lease_owner`, so a worker whose lease ran out (and whose job another worker
 * claimed) changes nothing.
 *
 * Cost: a job's steps are the whole of its database work, so a worker records them in batches.
 * `endAndClaim` is one transaction of four statements however many jobs it carries: the ends of
 * the worker's attempts (one fenced UPDATE), the claim of more (one UPDATE; the pick reads each
 * kind of claimable job through its own index, never sorting the backlog), the read of their
 * requests (locking them on PostgreSQL; SQLite's write transaction already holds the database's
 * only write lock), and one UPDATE of the requests' status, log and stage times, which also
 * counts, after that lock, whether a request has jobs left unfinished.
 */
import { randomBytes } from 'node:crypto'
import { PostgresAdapter, sql, type Compilable, type CompiledQuery, type QueryCreator, type QueryResult } from 'kysely'
import { newId } from '../core/ids.js'
import type { Db, Store } from './store.js'
import { withParameters } from './prepared.js'
import type { Database, JobTable } from './schema.js'
import { toRequest, type RequestLogEntry, type RequestRow, type RequestStatus } from './requests.repo.js'
import { jobEvent } from './subjects.js'

/** `held`: waiting for approval; no worker claims it until `releaseHeldJobs` makes it `queued`. */
export type JobStatus = 'held' | 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed'

/** A job as stored (its payload still JSON text). */
export type JobRow = Omit<JobTable, 'id'> & { id: number }

/** A job's attempts when the caller names none. */
export const DEFAULT_MAX_ATTEMPTS = 5

export interface NewJob {
  requestId: number
  kind: string
  /** Stored as JSON; never put a secret here. */
  payload: Record<string, unknown>
  maxAttempts?: number
  /** When the request's `maxduration` runs out (ms since the epoch), if it has one. */
  deadlineAt?: number
  /** Now, ms since the epoch. */
  now: number
  /**
   * Held for approval: the job is written `held` (no worker claims it) and its request `pending`,
   * until `releaseHeldJobs` or `failHeldJobs`.
   */
  held?: boolean
}

const iso = (t: number) => new Date(t).toISOString()

/**
 * Queues a job for `job.requestId` inside the caller's write transaction `trx`, so that the
 * job exists exactly when the change that asked for it does, and notes it in the request's log.
 * Wake the workers after the commit (`Deps.jobs.ring()`). A `held` job waits for approval instead
 * (see `NewJob.held`).
 */
export async function enqueueJob(trx: Db, job: NewJob): Promise<{ id: number; guid: string }> {
  const guid = newId()
  const now = iso(job.now)
  const r = await trx
    .insertInto('jobs')
    .values({
      guid,
      request_id: job.requestId,
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      status: job.held ? 'held' : 'queued',
      attempts: 0,
      max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      run_after: now,
      lease_owner: null,
      lease_until: null,
      deadline_at: job.deadlineAt === undefined ? null : iso(job.deadlineAt),
      result: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (job.held) {
    await updateRequest(trx, job.requestId, job.now, { log: [{ level: 'info', message: `job ${guid} (${job.kind}) held: waiting for approval` }], stageStart: ['approval'] })
    await trx.updateTable('requests').set({ status: 'pending' }).where('id', '=', job.requestId).execute()
    return { id: r.id, guid }
  }
  await updateRequest(trx, job.requestId, job.now, { log: [{ level: 'info', message: `queued job ${guid} (${job.kind})` }], stageStart: ['queued'] })
  return { id: r.id, guid }
}

/**
 * Marks the request `requestId` `pending` (waiting for approval) with `message` in its log, in
 * `trx`: for a request whose work is not a job (a user's creation or deletion).
 */
export async function holdRequest(trx: Db, requestId: number, now: number, message: string): Promise<void> {
  await updateRequest(trx, requestId, now, { log: [{ level: 'info', message }], stageStart: ['approval'] })
  await trx.updateTable('requests').set({ status: 'pending' }).where('id', '=', requestId).execute()
}

/**
 * Releases the held jobs of the request `requestId` (approval granted), in `trx`: they become
 * `queued` at once and the request `queued`, with `message` in its log. Answers how many jobs
 * were released (wake the workers after the commit).
 */
export async function releaseHeldJobs(trx: Db, requestId: number, now: number, message: string): Promise<number> {
  const r = await trx.updateTable('jobs').set({ status: 'queued', run_after: iso(now), updated_at: iso(now) }).where('request_id', '=', requestId).where('status', '=', 'held').executeTakeFirst()
  await updateRequest(trx, requestId, now, { status: 'queued', log: [{ level: 'info', message }], stageEnd: ['approval'], stageStart: ['queued'] })
  return Number(r.numUpdatedRows)
}

/**
 * Finishes the request `requestId` (waiting for approval) as `succeeded`, in `trx`, when its
 * work was done by the approval itself (a user's creation or deletion).
 */
export async function finishPendingRequest(trx: Db, requestId: number, now: number, message: string): Promise<void> {
  await updateRequest(trx, requestId, now, { status: 'succeeded', finished: true, started: true, stageEnd: ['approval'], log: [{ level: 'info', message }, { level: 'info', message: 'finished: succeeded' }] })
}

/**
 * Fails the held jobs of the request `requestId` and the request itself with `error` (approval
 * refused or timed out), in `trx`. The jobs' subjects are not told: the caller puts them back
 * as they were.
 */
export async function failHeldJobs(trx: Db, requestId: number, now: number, error: string): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({ status: 'failed', last_error: error, finished_at: iso(now), updated_at: iso(now) })
    .where('request_id', '=', requestId)
    .where('status', '=', 'held')
    .execute()
  await updateRequest(trx, requestId, now, { status: 'failed', error, finished: true, stageEnd: ['approval'], log: [{ level: 'error', message: error }, { level: 'info', message: 'finished: failed' }] })
}

/** Adds `message` to the log of the request `requestId`, in `trx`. */
export async function noteRequest(trx: Db, requestId: number, now: number, level: 'info' | 'warn' | 'error', message: string): Promise<void> {
  await updateRequest(trx, requestId, now, { log: [{ level, message }] })
}

/** The jobs a worker may claim at `now`: due queued jobs, expired leases, waiting jobs past their deadline. */
function due(now: string) {
  return (eb: any) =>
    eb.or([
      eb.and([eb('status', '=', 'queued'), eb('run_after', '<=', now)]),
      eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)]),
      eb.and([eb('status', '=', 'waiting'), eb('deadline_at', '<=', now)]),
    ])
}

const isPostgres = (db: Db) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * The ids of up to `limit` jobs claimable at `at`: expired leases and waiting jobs past their
 * deadline first (they are overdue), then due queued jobs, oldest first. Each kind is read
 * through its own index, `limit` rows at most: one `OR … ORDER BY run_after` would find and
 * sort every due job on each claim, a cost that grows with the backlog. `lock` takes the rows
 * with `FOR UPDATE SKIP LOCKED` (PostgreSQL).
 */
function pickDue(db: QueryCreator<Database>, at: string, limit: number, lock: boolean) {
  const expired = db.selectFrom('jobs').select('id').where('status', '=', 'running').where('lease_until', '<', at).limit(limit)
  const overdue = db.selectFrom('jobs').select('id').where('status', '=', 'waiting').where('deadline_at', '<=', at).limit(limit)
  const ready = db.selectFrom('jobs').select('id').where('status', '=', 'queued').where('run_after', '<=', at).orderBy('run_after').limit(limit)
  return db
    .selectFrom(expired.$if(lock, (q) => q.forUpdate().skipLocked()).as('expired'))
    .select('expired.id')
    .unionAll(db.selectFrom(overdue.$if(lock, (q) => q.forUpdate().skipLocked()).as('overdue')).select('overdue.id'))
    .unionAll(db.selectFrom(ready.$if(lock, (q) => q.forUpdate().skipLocked()).as('ready')).select('ready.id'))
    .limit(limit)
}

/** True when some job is claimable at `now` (a cheap read, for idle polling). */
export async function anyDue(db: Db, now: number): Promise<boolean> {
  const r = await pickDue(db, iso(now), 1, false).executeTakeFirst()
  return r !== undefined
}

/**
 * Claims up to `limit` claimable jobs for `owner` with a lease of `leaseMs`, counting an
 * attempt for each, and marks their requests running. Never hands one job to two workers.
 */
export async function claimJobs(store: Store, owner: string, limit: number, leaseMs: number, now: number): Promise<JobRow[]> {
  return (await endAndClaim(store, owner, [], limit, leaseMs, now)).claimed
}

/**
 * Queries built and compiled once per dialect, then run with new values in their `slot`s: a
 * transaction is a new Kysely handle each time (so a cache keyed by handle never hits), and
 * building the claim's query costs about as much as the database's running it.
 */
function compiledOnce<R>(build: (db: Db, slot: (name: string) => any) => Compilable<R>): (db: Db, values: Record<string, unknown>) => Promise<QueryResult<R>> {
  const tag = `\0jobs:${randomBytes(6).toString('hex')}:`
  const byDialect = new Map<boolean, { query: CompiledQuery<R>; slots: (string | null)[] }>()
  return (db, values) => {
    const pg = isPostgres(db)
    let c = byDialect.get(pg)
    if (!c) {
      const query = build(db, (name) => tag + name).compile()
      c = { query, slots: query.parameters.map((p) => (typeof p === 'string' && p.startsWith(tag) ? p.slice(tag.length) : null)) }
      byDialect.set(pg, c)
    }
    const { query, slots } = c
    return db.executeQuery<R>(withParameters(query, query.parameters.map((p, i) => (slots[i] === null ? p : values[slots[i]!]))))
  }
}

// The pick is a CTE: PostgreSQL evaluates it exactly once (a plain `IN (SELECT … LIMIT … FOR
// UPDATE SKIP LOCKED)` may be run again by the planner and claim more than `limit`).
const claimQ = compiledOnce((db, slot) =>
  db
    .with('picked', (d) => pickDue(d, slot('at'), slot('limit'), isPostgres(db)))
    .updateTable('jobs')
    .set({ status: 'running', lease_owner: slot('owner'), lease_until: slot('leaseUntil'), attempts: sql`attempts + 1`, updated_at: slot('at') })
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .where(due(slot('at')))
    .returningAll(),
)

/** The claim itself, in `trx`: the picked jobs, leased to `owner`, in id order. */
async function claimDue(trx: Db, owner: string, limit: number, leaseMs: number, now: number): Promise<JobRow[]> {
  const { rows } = await claimQ(trx, { at: iso(now), limit, owner, leaseUntil: iso(now + leaseMs) })
  if (rows.length > limit) throw new Error(`claimed ${rows.length} jobs where ${limit} were asked for`)
  return (rows as unknown as JobRow[]).sort((a, b) => a.id - b.id)
}

/** Extends the lease of a job `owner` holds; false when it no longer holds it. */
export async function renewLease(store: Store, jobId: number, owner: string, leaseMs: number, now: number): Promise<boolean> {
  return store.write(async (trx) => {
    const r = await trx
      .updateTable('jobs')
      .set({ lease_until: iso(now + leaseMs), updated_at: iso(now) })
      .where('id', '=', jobId)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst()
    return r.numUpdatedRows > 0n
  })
}

/** How an attempt ended, as the worker records it. */
export type AttemptEnd =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'retry'; error: string; delayMs: number }
  | { kind: 'failed'; error: string }
  /**
   * The endpoint will call back. `callbackTimeoutMs` bounds the wait: the job's deadline
   * becomes the earlier of its own (maxduration's) and now + that, and a worker fails it then.
   */
  | { kind: 'waiting'; note?: string; callbackTimeoutMs?: number }
  /** Given back unfinished (the worker is shutting down): claimable again at once, the attempt not counted. */
  | { kind: 'released' }

/** One attempt's end, for `endAttempts`. */
export interface AttemptRecord {
  job: JobRow
  end: AttemptEnd
}

/**
 * Records how `owner`'s attempt at `job` ended, on the job and its request, if `owner` still
 * holds the job's lease; answers false (and changes nothing) when it does not.
 */
export async function endAttempt(store: Store, job: JobRow, owner: string, end: AttemptEnd, now: number): Promise<boolean> {
  return (await endAttempts(store, owner, [{ job, end }], now))[0]!
}

/**
 * Records how several of `owner`'s attempts ended, in one transaction: a worker's jobs often
 * end together, and one commit then serves them all. Each is fenced by its lease exactly as in
 * `endAttempt`; answers, per attempt, whether it was recorded.
 */
export async function endAttempts(store: Store, owner: string, ends: AttemptRecord[], now: number): Promise<boolean[]> {
  return (await endAndClaim(store, owner, ends, 0, 0, now)).recorded
}

/**
 * A worker's step, in one transaction: records how its attempts `ends` ended (each fenced by
 * its lease, as `endAttempt` does) and claims up to `limit` more jobs (as `claimJobs` does).
 * A busy worker's jobs end and are replaced together, so one commit and a handful of
 * statements serve them all, however many they are. Answers, per end, whether it was
 * recorded, and the jobs claimed.
 */
export async function endAndClaim(
  store: Store,
  owner: string,
  ends: AttemptRecord[],
  limit: number,
  leaseMs: number,
  now: number,
): Promise<{ recorded: boolean[]; claimed: JobRow[] }> {
  // Jobs, then requests, each in id order: the order every transaction of the queue locks in.
  const order = ends.map((_, i) => i).sort((a, b) => ends[a]!.job.id - ends[b]!.job.id)
  return store.write(async (trx) => {
    const fenced = ends.length > 0 ? await fenceEnds(trx, order.map((i) => ends[i]!), owner, now) : new Set<number>()
    const recorded = ends.map((e) => fenced.has(e.job.id))
    const done = order.filter((i) => recorded[i]).map((i) => ends[i]!)
    const claimed = limit > 0 ? await claimDue(trx, owner, limit, leaseMs, now) : []
    if (done.length + claimed.length === 0) return { recorded, claimed }
    const requests = await lockRequests(trx, [...done.map((e) => e.job.request_id), ...claimed.map((j) => j.request_id)])
    const writes = [...requests.values()].map((req): RequestWrite => {
      const mine = done.filter((e) => e.job.request_id === req.id)
      // As if recorded one by one: only the last of this request's jobs to end here may find
      // none of the others unfinished, and only a success leaves that to be counted.
      const last = mine.findLastIndex((e) => e.end.kind === 'succeeded' || e.end.kind === 'failed')
      const counted = last >= 0 && mine[last]!.end.kind === 'succeeded' ? last : -1
      const changes = (finish: boolean) => {
        const out: RequestChange[] = mine.map((e, k) => {
          const change = requestChange(e, owner)
          if (e.end.kind === 'failed') return finishing(change, 'failed')
          return finishing(change, k === counted && finish ? 'succeeded' : undefined)
        })
        for (const j of claimed) {
          if (j.request_id !== req.id) continue
          out.push({
            status: 'running',
            started: true,
            stageEnd: ['queued'],
            stageStart: [`attempt ${j.attempts}`],
            log: [{ level: 'info', message: `job ${j.guid} claimed by worker ${owner}: attempt ${j.attempts} of ${j.max_attempts}` }],
          })
        }
        return out
      }
      return { row: req, changes: changes(false), ...(counted >= 0 ? { ifNoneOpen: changes(true) } : {}) }
    })
    await writeRequests(trx, now, writes)
    for (const { job, end } of done) {
      if (end.kind === 'retry' || end.kind === 'failed') await jobEvent(trx, job.payload, job.request_id, end.kind, now, end.error)
      else await jobEvent(trx, job.payload, job.request_id, end.kind, now)
    }
    for (const j of claimed) await jobEvent(trx, j.payload, j.request_id, 'claimed', now)
    return { recorded, claimed }
  })
}

/**
 * Writes how attempts ended on their jobs, in one statement, each fenced by `owner`'s lease
 * (`lease_owner`, status `running`); answers the ids of the jobs it changed.
 */
async function fenceEnds(trx: Db, ends: AttemptRecord[], owner: string, now: number): Promise<Set<number>> {
  const at = iso(now)
  // Per job: the values its end sets; NULL keeps the column as it is.
  const rows = ends.map(({ job, end }) => {
    const v = { status: end.kind as string, result: null as string | null, lastError: null as string | null, runAfter: null as string | null, finishedAt: null as string | null, deadline: null as string | null, back: 0 }
    switch (end.kind) {
      case 'succeeded':
        return { ...v, result: JSON.stringify(end.result ?? null), finishedAt: at }
      case 'retry':
        return { ...v, status: 'queued', lastError: end.error, runAfter: iso(now + end.delayMs) }
      case 'failed':
        return { ...v, lastError: end.error, finishedAt: at }
      case 'waiting':
        return { ...v, deadline: end.callbackTimeoutMs === undefined ? null : iso(now + end.callbackTimeoutMs) }
      case 'released':
        return { ...v, status: 'queued', runAfter: at, back: 1 }
    }
  })
  const values = sql.join(
    ends.map(
      ({ job }, i) =>
        sql`(cast(${job.id} as integer), ${rows[i]!.status}, ${rows[i]!.result}, ${rows[i]!.lastError}, ${rows[i]!.runAfter}, ${rows[i]!.finishedAt}, ${rows[i]!.deadline}, cast(${rows[i]!.back} as integer))`,
    ),
  )
  // A waiting job's deadline becomes the earlier of its own and the callback's (times are ISO
  // text: the earlier is the smaller string); a released attempt is not counted.
  const r = await sql<{ id: number }>`
    with v (id, status, result, last_error, run_after, finished_at, deadline, back) as (values ${values})
    update jobs set
      status = v.status,
      result = coalesce(v.result, jobs.result),
      last_error = coalesce(v.last_error, jobs.last_error),
      run_after = coalesce(v.run_after, jobs.run_after),
      finished_at = coalesce(v.finished_at, jobs.finished_at),
      deadline_at = case when v.deadline is not null and (jobs.deadline_at is null or jobs.deadline_at > v.deadline) then v.deadline else jobs.deadline_at end,
      attempts = jobs.attempts - v.back,
      lease_owner = null,
      lease_until = null,
      updated_at = ${at}
    from v
    where jobs.id = v.id and jobs.lease_owner = ${owner} and jobs.status = 'running'
    returning jobs.id`.execute(trx)
  return new Set(r.rows.map((x) => Number(x.id)))
}

/** What an attempt's end writes to its request (before the request's own finish, see `finishing`). */
function requestChange({ job, end }: AttemptRecord, owner: string): Omit<RequestChange, 'status' | 'finished'> {
  const stage = `attempt ${job.attempts}`
  switch (end.kind) {
    case 'succeeded':
      return { stageEnd: [stage], log: [{ level: 'info', message: `job ${job.guid}: driver answered ok` }] }
    case 'retry':
      return {
        stageEnd: [stage],
        log: [
          { level: 'warn', message: `job ${job.guid}: attempt ${job.attempts} failed: ${end.error}` },
          { level: 'info', message: `job ${job.guid}: retry in ${(end.delayMs / 1000).toFixed(1)} s` },
        ],
      }
    case 'failed':
      return { stageEnd: [stage, 'waiting for callback'], error: end.error, log: [{ level: 'error', message: `job ${job.guid} failed: ${end.error}` }] }
    case 'waiting':
      return { stageEnd: [stage], stageStart: ['waiting for callback'], log: [{ level: 'info', message: `job ${job.guid}: ${end.note ?? 'waiting for callback'}` }] }
    case 'released':
      return { stageEnd: [stage], log: [{ level: 'warn', message: `job ${job.guid}: released unfinished by worker ${owner} (shutting down)` }] }
  }
}

/**
 * Finishes a job waiting for its callback (or still running: the callback may overtake the
 * worker's note of the 202) with the callback's verdict, in `trx`. False when the job had
 * already finished or its deadline has passed.
 */
export async function finishFromCallback(
  trx: Db,
  job: JobRow,
  verdict: { status: 'succeeded' | 'failed'; result?: unknown; error?: string },
  now: number,
): Promise<boolean> {
  const at = iso(now)
  const error = verdict.status === 'failed' ? (verdict.error ?? 'the provisioning endpoint reported a failure') : null
  const r = await trx
    .updateTable('jobs')
    .set({
      status: verdict.status,
      result: verdict.result === undefined ? null : JSON.stringify(verdict.result),
      last_error: error,
      lease_owner: null,
      lease_until: null,
      updated_at: at,
      finished_at: at,
    })
    .where('id', '=', job.id)
    .where('status', 'in', ['waiting', 'running'])
    // Past its deadline (the callback wait or maxduration) the job is a worker's to fail, whether
    // or not one has claimed it yet: a callback then comes too late, whenever the workers poll.
    .where((eb) => eb.or([eb('deadline_at', 'is', null), eb('deadline_at', '>', at)]))
    .executeTakeFirst()
  if (r.numUpdatedRows === 0n) return false
  await finishRequestPart(trx, job, now, {
    stageEnd: ['waiting for callback', `attempt ${job.attempts}`],
    ...(error !== null ? { error } : {}),
    log: [
      verdict.status === 'succeeded'
        ? { level: 'info', message: `job ${job.guid}: callback reported success` }
        : { level: 'error', message: `job ${job.guid}: callback reported failure: ${error}` },
    ],
  })
  await jobEvent(trx, job.payload, job.request_id, verdict.status, now, error ?? undefined)
  return true
}

/** The error of a job stopped because its request's `maxduration` ran out. */
export const MAXDURATION_ERROR = 'deadline_exceeded: the request ran past its maxduration and was stopped'

/**
 * The error of `job`, claimed or running past its `deadline_at` at `now`: the request's
 * maxduration when that has run out, otherwise the callback wait the deadline was cut to when
 * the job went waiting (its length is the deadline less the start of that wait).
 */
export async function deadlineError(db: Db, job: JobRow, now: number): Promise<string> {
  const r = await db.selectFrom('requests').select(['max_duration_ms', 'received_at', 'stages']).where('id', '=', job.request_id).executeTakeFirst()
  if (!r || job.deadline_at === null) return MAXDURATION_ERROR
  if (r.max_duration_ms !== null && now >= Date.parse(r.received_at) + r.max_duration_ms) return MAXDURATION_ERROR
  const stages = r.stages ? (JSON.parse(r.stages) as Record<string, { startedAt?: string }>) : {}
  const since = stages['waiting for callback']?.startedAt
  if (!since) return MAXDURATION_ERROR
  const seconds = Math.round(Date.parse(job.deadline_at) - Date.parse(since)) / 1000
  return `callback_timeout: no callback came within ${seconds} seconds of the endpoint accepting the request (driverConfig.callbackTimeoutSeconds)`
}

/** Finds a job by guid. */
export async function findJobByGuid(db: Db, guid: string): Promise<JobRow | undefined> {
  return (await db.selectFrom('jobs').selectAll().where('guid', '=', guid).executeTakeFirst()) as JobRow | undefined
}

/**
 * Records that one of a request's jobs ended: with `error` the request fails at once;
 * otherwise it succeeds once none of its jobs is left unfinished.
 */
async function finishRequestPart(trx: Db, job: JobRow, now: number, change: Omit<RequestChange, 'status' | 'finished'>): Promise<void> {
  const req = (await lockRequests(trx, [job.request_id])).get(job.request_id)
  if (!req) return
  if (change.error !== undefined) return writeRequests(trx, now, [{ row: req, changes: [finishing(change, 'failed')] }])
  await writeRequests(trx, now, [{ row: req, changes: [change], ifNoneOpen: [finishing(change, 'succeeded')] }])
}

/** `change`, finishing the request with `status` when one is given. */
function finishing(change: Omit<RequestChange, 'status' | 'finished'>, status: 'succeeded' | 'failed' | undefined): RequestChange {
  if (!status) return change
  return { ...change, status, finished: true, log: [...(change.log ?? []), { level: status === 'failed' ? 'error' : 'info', message: `finished: ${status}` }] }
}

interface RequestChange {
  status?: RequestStatus
  log?: Omit<RequestLogEntry, 'at'>[]
  stageStart?: string[]
  stageEnd?: string[]
  error?: string
  /** Set `started_at` unless set. */
  started?: boolean
  /** Set `finished_at`. */
  finished?: boolean
}

/** Ranks of request statuses: a request never goes back, and a failed one stays failed. */
const RANK: Record<RequestStatus, number> = { pending: -1, queued: 0, running: 1, succeeded: 2, failed: 3 }

/**
 * Applies `change` to a request's status, log, stages and times in `trx` (a read and a write of
 * its row).
 */
async function updateRequest(trx: Db, requestId: number, now: number, change: RequestChange): Promise<void> {
  const req = (await lockRequests(trx, [requestId])).get(requestId)
  if (req) await writeRequests(trx, now, [{ row: req, changes: [change] }])
}

/**
 * Reads requests in one statement, by id, for a change in `trx`. On PostgreSQL the read locks
 * the rows (in id order, the same in every transaction) so that two jobs of one request never
 * lose each other's log lines; on SQLite the write transaction already excludes every other
 * writer.
 */
async function lockRequests(trx: Db, ids: number[]): Promise<Map<number, RequestRow>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b)
  const rows = (await trx
    .selectFrom('requests')
    .selectAll()
    .where('id', 'in', unique)
    .orderBy('id')
    .$if(isPostgres(trx), (q) => q.forUpdate())
    .execute()) as RequestRow[]
  return new Map(rows.map((r) => [r.id, r]))
}

/** What to write to one request, read by `lockRequests` in this transaction. */
interface RequestWrite {
  row: RequestRow
  changes: RequestChange[]
  /**
   * Written instead of `changes` when none of the request's jobs is unfinished. The write
   * counts them itself, after the row's lock: two jobs of one request ending at once on two
   * workers are then counted one after the other, and the second sees the first finished.
   */
  ifNoneOpen?: RequestChange[]
}

/**
 * Writes each request's changes, in order, to its row: one statement for all of them. `now`
 * is the time of every change.
 */
async function writeRequests(trx: Db, now: number, writes: RequestWrite[]): Promise<void> {
  if (writes.length === 0) return
  const at = iso(now)
  const apply = (row: RequestRow, changes: RequestChange[]) => {
    const current = toRequest(row)
    const log = current.log
    const stages = { ...current.stages }
    let status = current.status
    let error: string | null = null
    let startedAt: string | null = null
    let finishedAt: string | null = null
    for (const change of changes) {
      for (const e of change.log ?? []) log.push({ at, ...e })
      for (const s of change.stageEnd ?? []) if (stages[s] && !stages[s].finishedAt) stages[s] = { ...stages[s], finishedAt: at }
      for (const s of change.stageStart ?? []) stages[s] = { startedAt: at }
      const next = change.status && RANK[change.status] > RANK[status] ? change.status : status
      if (change.error !== undefined && status !== 'failed') error = change.error
      if (change.started && !row.started_at) startedAt = at
      if (change.finished && next !== status) finishedAt = at
      status = next
    }
    return { status, log: JSON.stringify(log), stages: JSON.stringify(stages), error, startedAt, finishedAt }
  }
  const values = sql.join(
    writes.map(({ row, changes, ifNoneOpen }) => {
      const a = apply(row, changes)
      // The two outcomes differ only in the request's status, log and finish time.
      const b = ifNoneOpen ? apply(row, ifNoneOpen) : a
      return sql`(cast(${row.id} as integer), cast(${ifNoneOpen ? 1 : 0} as integer), ${a.status}, ${a.log}, ${a.stages}, ${a.error}, ${a.startedAt}, ${a.finishedAt}, ${b.status}, ${b.log}, ${b.finishedAt})`
    }),
  )
  // NULL keeps the column as it is.
  await sql`
    with
      v (id, counted, status, log, stages, error, started_at, finished_at, done_status, done_log, done_finished_at) as (values ${values}),
      unfinished (request_id) as (
        select distinct request_id from jobs
        where request_id in (select id from v where counted = 1) and status not in ('succeeded', 'failed')
      )
    update requests set
      status = case when v.counted = 1 and u.request_id is null then v.done_status else v.status end,
      log = case when v.counted = 1 and u.request_id is null then v.done_log else v.log end,
      stages = v.stages,
      error = coalesce(v.error, requests.error),
      started_at = coalesce(v.started_at, requests.started_at),
      finished_at = coalesce(case when v.counted = 1 and u.request_id is null then v.done_finished_at else v.finished_at end, requests.finished_at)
    from v left join unfinished u on u.request_id = v.id
    where requests.id = v.id`.execute(trx)
}
