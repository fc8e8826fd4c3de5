/**
 * The durable job queue: jobs are rows of `jobs`, each belonging to a request, and every step a
 * job takes is written to its request (status, log, stage times) in the same transaction.
 *
 * Claiming: one UPDATE of the due jobs picked by a sub-select, `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL (two workers never pick the same row), inside the write transaction on SQLite
 * (which holds the database's write lock). A claim sets a lease; every later step of the job
 * is fenced by `lease_owner`, so a worker whose lease ran out (and whose job another worker
 * claimed) changes nothing.
 */
import { sql } from 'kysely'
import { newId } from '../core/ids.js'
import type { Db, Store } from '../store/store.js'
import type { JobTable } from '../store/schema.js'
import { toRequest, type RequestLogEntry, type RequestRow, type RequestStatus } from '../store/requests.repo.js'
import { jobEvent } from './subjects.js'

export type JobStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed'

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
}

const iso = (t: number) => new Date(t).toISOString()

/**
 * Queues a job for `job.requestId` inside the caller's write transaction `trx`, so that the
 * job exists exactly when the change that asked for it does, and notes it in the request's log.
 * Wake the workers after the commit (`Deps.jobs.ring()`).
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
      status: 'queued',
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
  await updateRequest(trx, job.requestId, job.now, { log: [{ level: 'info', message: `queued job ${guid} (${job.kind})` }], stageStart: ['queued'] })
  return { id: r.id, guid }
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

/** True when some job is claimable at `now` (a cheap read, for idle polling). */
export async function anyDue(db: Db, now: number): Promise<boolean> {
  const r = await db.selectFrom('jobs').select('id').where(due(iso(now))).limit(1).executeTakeFirst()
  return r !== undefined
}

/**
 * Claims up to `limit` claimable jobs for `owner` with a lease of `leaseMs`, counting an
 * attempt for each, and marks their requests running. Never hands one job to two workers.
 */
export async function claimJobs(store: Store, owner: string, limit: number, leaseMs: number, now: number): Promise<JobRow[]> {
  const at = iso(now)
  const pg = store.dialect === 'postgres'
  return store.write(async (trx) => {
    // The pick is a CTE: PostgreSQL evaluates it exactly once (a plain `IN (SELECT … LIMIT …
    // FOR UPDATE SKIP LOCKED)` may be run again by the planner and claim more than `limit`).
    const rows = (await trx
      .with('picked', (db) =>
        db
          .selectFrom('jobs')
          .select('id')
          .where(due(at))
          .orderBy('run_after')
          .limit(limit)
          .$if(pg, (q) => q.forUpdate().skipLocked()),
      )
      .updateTable('jobs')
      .set({ status: 'running', lease_owner: owner, lease_until: iso(now + leaseMs), attempts: sql`attempts + 1`, updated_at: at })
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
      .where(due(at))
      .returningAll()
      .execute()) as unknown as JobRow[]
    if (rows.length > limit) throw new Error(`claimed ${rows.length} jobs where ${limit} were asked for`)
    // The rows as they were before the claim matter for the log: an expired lease is news.
    for (const j of rows) {
      await updateRequest(trx, j.request_id, now, {
        status: 'running',
        started: true,
        stageEnd: ['queued'],
        stageStart: [`attempt ${j.attempts}`],
        log: [{ level: 'info', message: `job ${j.guid} claimed by worker ${owner}: attempt ${j.attempts} of ${j.max_attempts}` }],
      })
      await jobEvent(trx, j.payload, j.request_id, 'claimed', now)
    }
    return rows
  })
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
  | { kind: 'waiting'; note?: string }
  /** Given back unfinished (the worker is shutting down): claimable again at once, the attempt not counted. */
  | { kind: 'released' }

/**
 * Records how `owner`'s attempt at `job` ended, on the job and its request, if `owner` still
 * holds the job's lease; answers false (and changes nothing) when it does not.
 */
export async function endAttempt(store: Store, job: JobRow, owner: string, end: AttemptEnd, now: number): Promise<boolean> {
  const at = iso(now)
  return store.write(async (trx) => {
    const fenced = trx.updateTable('jobs').where('id', '=', job.id).where('lease_owner', '=', owner).where('status', '=', 'running')
    const stage = `attempt ${job.attempts}`
    let r
    switch (end.kind) {
      case 'succeeded':
        r = await fenced
          .set({ status: 'succeeded', result: JSON.stringify(end.result ?? null), lease_owner: null, lease_until: null, updated_at: at, finished_at: at })
          .executeTakeFirst()
        if (r.numUpdatedRows === 0n) return false
        await finishRequestPart(trx, job, now, { stageEnd: [stage], log: [{ level: 'info', message: `job ${job.guid}: driver answered ok` }] })
        await jobEvent(trx, job.payload, job.request_id, 'succeeded', now)
        return true
      case 'retry':
        r = await fenced
          .set({ status: 'queued', last_error: end.error, run_after: iso(now + end.delayMs), lease_owner: null, lease_until: null, updated_at: at })
          .executeTakeFirst()
        if (r.numUpdatedRows === 0n) return false
        await updateRequest(trx, job.request_id, now, {
          stageEnd: [stage],
          log: [
            { level: 'warn', message: `job ${job.guid}: attempt ${job.attempts} failed: ${end.error}` },
            { level: 'info', message: `job ${job.guid}: retry in ${(end.delayMs / 1000).toFixed(1)} s` },
          ],
        })
        await jobEvent(trx, job.payload, job.request_id, 'retry', now, end.error)
        return true
      case 'failed':
        r = await fenced
          .set({ status: 'failed', last_error: end.error, lease_owner: null, lease_until: null, updated_at: at, finished_at: at })
          .executeTakeFirst()
        if (r.numUpdatedRows === 0n) return false
        await finishRequestPart(trx, job, now, { stageEnd: [stage, 'waiting for callback'], error: end.error, log: [{ level: 'error', message: `job ${job.guid} failed: ${end.error}` }] })
        await jobEvent(trx, job.payload, job.request_id, 'failed', now, end.error)
        return true
      case 'waiting':
        r = await fenced.set({ status: 'waiting', lease_owner: null, lease_until: null, updated_at: at }).executeTakeFirst()
        if (r.numUpdatedRows === 0n) return false
        await updateRequest(trx, job.request_id, now, {
          stageEnd: [stage],
          stageStart: ['waiting for callback'],
          log: [{ level: 'info', message: `job ${job.guid}: ${end.note ?? 'waiting for callback'}` }],
        })
        await jobEvent(trx, job.payload, job.request_id, 'waiting', now)
        return true
      case 'released':
        r = await fenced
          .set({ status: 'queued', run_after: at, attempts: sql`attempts - 1`, lease_owner: null, lease_until: null, updated_at: at })
          .executeTakeFirst()
        if (r.numUpdatedRows === 0n) return false
        await updateRequest(trx, job.request_id, now, { stageEnd: [stage], log: [{ level: 'warn', message: `job ${job.guid}: released unfinished by worker ${owner} (shutting down)` }] })
        await jobEvent(trx, job.payload, job.request_id, 'released', now)
        return true
    }
  })
}

/**
 * Finishes a job waiting for its callback (or still running: the callback may overtake the
 * worker's note of the 202) with the callback's verdict, in `trx`. False when the job had
 * already finished.
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

/** Finds a job by guid. */
export async function findJobByGuid(db: Db, guid: string): Promise<JobRow | undefined> {
  return (await db.selectFrom('jobs').selectAll().where('guid', '=', guid).executeTakeFirst()) as JobRow | undefined
}

/**
 * Records that one of a request's jobs ended: with `error` the request fails at once;
 * otherwise it succeeds once none of its jobs is left unfinished.
 */
async function finishRequestPart(trx: Db, job: JobRow, now: number, change: Omit<RequestChange, 'status' | 'finished'>): Promise<void> {
  let done = change.error !== undefined
  if (!done) {
    const open = await trx
      .selectFrom('jobs')
      .select('id')
      .where('request_id', '=', job.request_id)
      .where('status', 'not in', ['succeeded', 'failed'])
      .limit(1)
      .executeTakeFirst()
    done = open === undefined
  }
  const status: RequestStatus | undefined = done ? (change.error !== undefined ? 'failed' : 'succeeded') : undefined
  await updateRequest(trx, job.request_id, now, {
    ...change,
    ...(status ? { status, finished: true } : {}),
    log: [...(change.log ?? []), ...(status ? [{ level: status === 'failed' ? ('error' as const) : ('info' as const), message: `finished: ${status}` }] : [])],
  })
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
const RANK: Record<RequestStatus, number> = { queued: 0, running: 1, succeeded: 2, failed: 3 }

/**
 * Applies `change` to a request's status, log, stages and times in `trx`. The row is locked
 * first (a no-op UPDATE, portable to every database) so that two jobs of one request never
 * lose each other's log lines.
 */
async function updateRequest(trx: Db, requestId: number, now: number, change: RequestChange): Promise<void> {
  await trx.updateTable('requests').set((eb) => ({ status: eb.ref('status') })).where('id', '=', requestId).execute()
  const row = (await trx.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst()) as RequestRow | undefined
  if (!row) return
  const at = iso(now)
  const current = toRequest(row)
  const log = [...current.log, ...(change.log ?? []).map((e) => ({ at, ...e }))]
  const stages = { ...current.stages }
  for (const s of change.stageEnd ?? []) if (stages[s] && !stages[s].finishedAt) stages[s] = { ...stages[s], finishedAt: at }
  for (const s of change.stageStart ?? []) stages[s] = { startedAt: at }
  const status = change.status && RANK[change.status] > RANK[current.status] ? change.status : current.status
  await trx
    .updateTable('requests')
    .set({
      status,
      log: JSON.stringify(log),
      stages: JSON.stringify(stages),
      ...(change.error !== undefined && current.status !== 'failed' ? { error: change.error } : {}),
      ...(change.started && !row.started_at ? { started_at: at } : {}),
      ...(change.finished && status !== current.status ? { finished_at: at } : {}),
    })
    .where('id', '=', requestId)
    .execute()
}
