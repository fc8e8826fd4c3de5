/** Requests as stored, and their mapping to the core's Request. */
import { PostgresAdapter } from 'kysely'
import type { Db } from './store.js'
import type { RequestTable } from './schema.js'
import { preparedLookup, preparedQuery } from './prepared.js'
import type { RequestStatus, RequestLogEntry, Request } from '../core/requests.js'
export type { RequestStatus, RequestLogEntry, Request } from '../core/requests.js'

export type RequestRow = Omit<RequestTable, 'id'> & { id: number }

/**
 * Maps a stored row to a Request; a request without a stored log gets one made from its times
 * (with the failure's own message, whatever `error` answers).
 */
export function toRequest(r: RequestRow): Request {
  const log: RequestLogEntry[] = r.log
    ? (JSON.parse(r.log) as RequestLogEntry[])
    : [
        { at: r.received_at, level: 'info', message: `received ${r.operation}` },
        ...(r.started_at ? [{ at: r.started_at, level: 'info' as const, message: 'started' }] : []),
        ...(r.finished_at
          ? [{ at: r.finished_at, level: r.status === 'failed' ? ('error' as const) : ('info' as const), message: r.status === 'failed' ? `failed: ${r.error ?? ''}` : r.status }]
          : []),
      ]
  return {
    id: r.id,
    guid: r.guid,
    parentId: r.parent_id,
    operation: r.operation,
    actorUserId: r.actor_user_id,
    actorOrgId: r.actor_org_id,
    via: r.via,
    target: r.target,
    scopePath: r.scope_path,
    status: r.status as RequestStatus,
    approvalPending: r.status === 'pending',
    log,
    error: r.status === 'failed' && r.user_error ? r.user_error : r.error,
    stages: r.stages ? (JSON.parse(r.stages) as Request['stages']) : {},
    maxDurationMs: r.max_duration_ms,
    receivedAt: r.received_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }
}

const insertQ = preparedQuery((d, slot) =>
  d.insertInto('requests').values({
    guid: slot('guid'),
    parent_id: slot('parent_id'),
    operation: slot('operation'),
    actor_user_id: slot('actor_user_id'),
    actor_org_id: slot('actor_org_id'),
    via: slot('via'),
    target: slot('target'),
    scope_path: slot('scope_path'),
    status: slot('status'),
    log: slot('log'),
    error: slot('error'),
    stages: slot('stages'),
    max_duration_ms: slot('max_duration_ms'),
    received_at: slot('received_at'),
    started_at: slot('started_at'),
    finished_at: slot('finished_at'),
    user_error: slot('user_error'),
  }).returning('id'),
)

/** Inserts a request and answers its integer id. */
export async function insertRequest(db: Db, row: Omit<RequestTable, 'id'>): Promise<number> {
  const r = await insertQ(db, row as unknown as Record<string, unknown>)
  return Number((r.rows[0] as { id: number | string }).id)
}


const byGuidQ = preparedLookup((d, guid) => d.selectFrom('requests').selectAll().where('guid', '=', guid))

/** Finds a request by guid. */
export async function findRequestByGuid(db: Db, guid: string): Promise<RequestRow | undefined> {
  return (await byGuidQ(db, guid)) as RequestRow | undefined
}

/** Finds a request by integer id. */
export async function findRequestById(db: Db, id: number): Promise<RequestRow | undefined> {
  return (await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst()) as RequestRow | undefined
}

/**
 * Reopens a request recorded as finished (queued again, no finish time) and answers its id.
 * Two statements, in the caller's transaction: the update, then the read of the id.
 */
export async function reopenRequest(db: Db, guid: string): Promise<number> {
  await db.updateTable('requests').set({ status: 'queued', finished_at: null }).where('guid', '=', guid).execute()
  return (await db.selectFrom('requests').select('id').where('guid', '=', guid).executeTakeFirstOrThrow()).id
}

/** Sets a request's target and the scope path it is visible under. */
export async function setRequestTarget(db: Db, id: number, target: string, scopePath: string): Promise<void> {
  await db.updateTable('requests').set({ target, scope_path: scopePath }).where('id', '=', id).execute()
}

/** Marks a request failed with `error` at `finishedAt` (ISO time). */
export async function markRequestFailed(db: Db, guid: string, error: string, finishedAt: string): Promise<void> {
  await db.updateTable('requests').set({ status: 'failed', error, finished_at: finishedAt }).where('guid', '=', guid).execute()
}

/** Lists a request's children by id, a page at a time (`limit` from `offset`); every child, whatever its scope. */
export async function listChildRequestRows(db: Db, parentId: number, limit: number, offset: number): Promise<RequestRow[]> {
  return (await db
    .selectFrom('requests')
    .selectAll()
    .where('parent_id', '=', parentId)
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute()) as RequestRow[]
}

/** Which recent requests a listing answers: those whose scope path is in [lo, hi), optionally one status or operation. */
export interface RecentRequests {
  lo: string
  hi: string
  status?: string
  operation?: string
  limit: number
  offset: number
}

/** Lists recent requests, newest first (`requests_scope` reads the scope's range). */
export async function listRecentRequestRows(db: Db, w: RecentRequests): Promise<RequestRow[]> {
  let q = db.selectFrom('requests').selectAll().where('scope_path', '>=', w.lo).where('scope_path', '<', w.hi)
  if (w.status !== undefined) q = q.where('status', '=', w.status)
  if (w.operation !== undefined) q = q.where('operation', '=', w.operation)
  return (await q.orderBy('id', 'desc').limit(w.limit).offset(w.offset).execute()) as RequestRow[]
}

/** A parent request's answer to one of its children's steps (see `followChildRequest`). */
export interface ParentStep {
  parentId: number
  /** Set when this step finished the parent. */
  finished?: 'succeeded' | 'failed'
}

/**
 * Makes a parent request follow one of its children, in `trx`, once the child's own status is
 * written: for a request whose work is done by the requests under it, each with its job
 * (`site.wizard`'s parts). The first child claimed makes the parent `running`; the first that
 * fails fails the parent with `<label> failed: <error>` (the children still running finish on
 * their own rows); the last to succeed, all the others having succeeded, makes it `succeeded`.
 * A finished parent changes no more. The parent's row is locked first (on PostgreSQL), so that
 * two children ending at once on two workers are counted one after the other. Answers
 * undefined for a request without a parent.
 */
export async function followChildRequest(
  trx: Db,
  childId: number,
  now: number,
  event: 'claimed' | 'succeeded' | 'failed',
  label: string,
  error?: string,
): Promise<ParentStep | undefined> {
  const child = await trx.selectFrom('requests').select('parent_id').where('id', '=', childId).executeTakeFirst()
  if (!child || child.parent_id === null) return undefined
  const parentId = child.parent_id
  const row = (await trx
    .selectFrom('requests')
    .selectAll()
    .where('id', '=', parentId)
    .$if(trx.getExecutor().adapter instanceof PostgresAdapter, (q) => q.forUpdate())
    .executeTakeFirst()) as RequestRow | undefined
  if (!row || row.status === 'succeeded' || row.status === 'failed') return { parentId }
  const at = new Date(now).toISOString()
  const log = toRequest(row).log
  const write = (set: Partial<Pick<RequestTable, 'status' | 'error' | 'started_at' | 'finished_at'>>) =>
    trx.updateTable('requests').set({ ...set, log: JSON.stringify(log) }).where('id', '=', parentId).execute()
  if (event === 'claimed') {
    if (row.status !== 'queued') return { parentId }
    log.push({ at, level: 'info', message: `${label}: provisioning started` })
    await write({ status: 'running', started_at: row.started_at ?? at })
    return { parentId }
  }
  if (event === 'failed') {
    const message = `${label} failed: ${error ?? 'provisioning failed'}`
    log.push({ at, level: 'error', message }, { at, level: 'info', message: 'finished: failed' })
    await write({ status: 'failed', error: message, finished_at: at })
    return { parentId, finished: 'failed' }
  }
  const left = await trx
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('parent_id', '=', parentId)
    .where('status', '!=', 'succeeded')
    .executeTakeFirstOrThrow()
  const n = Number(left.n)
  if (n > 0) {
    log.push({ at, level: 'info', message: `${label}: provisioned (${n} part${n === 1 ? '' : 's'} left)` })
    await write({})
    return { parentId }
  }
  log.push({ at, level: 'info', message: `${label}: provisioned` }, { at, level: 'info', message: 'finished: succeeded' })
  await write({ status: 'succeeded', started_at: row.started_at ?? at, finished_at: at })
  return { parentId, finished: 'succeeded' }
}
