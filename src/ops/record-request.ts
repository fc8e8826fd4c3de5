/**
 * Records a mutating operation as a request (see `defineOp`). The request row goes into the
 * operation's first write transaction, so it exists exactly when the change does; a failed
 * operation is recorded in a transaction of its own. A call made with an `Idempotency-Key`
 * (`ctx.exec.journal`) journals each write in its own transaction, and a call resuming a dead
 * one gives back each journaled write's result instead of doing it again (ops/idempotency.ts).
 */
import { contextOf, type AllKeys, type Ctx, type RequestRecorder } from './context.js'
import { DomainError, isDomainError } from '../core/errors.js'
import { newId } from '../core/ids.js'
import { cannotResume, decodeJournalValue, encodeJournalValue, journalSlot, journalWrite, writeSite } from './idempotency.js'
import type { JournalEntry } from './context.js'
import { findRequestByGuid, insertRequest, markRequestFailed, reopenRequest, setRequestTarget } from '../store/requests.repo.js'
import type { Db, Store } from '../store/store.js'
import type { RequestTable } from '../store/schema.js'

/** Runs `run` as the request `operation`, recording it. */
export async function recorded<R>(ctx: Ctx, operation: string, run: (inner: Ctx) => Promise<R>): Promise<R> {
  const exec = ctx.exec
  const receivedAt = ctx.clock()
  // A call resuming a dead one takes over the guid of the request that call's first write recorded.
  let guid = newId()
  if (exec) exec.guid = guid
  const journal = exec?.journal
  const parentId = exec?.parentGuid ? await parentOf(ctx, exec.parentGuid) : null
  const deadline = exec?.maxDurationMs !== undefined ? receivedAt + exec.maxDurationMs : undefined
  /** The id of the row `queue()` wrote in the transaction now running, if it did. */
  let queuedId: number | undefined
  const rec: RequestRecorder = {
    guid,
    scopePath: ctx.actor.orgPath,
    target: '',
    noteTarget(path, target) {
      if (this.target === '') {
        this.scopePath = path
        this.target = target
      }
    },
    async queue(trx) {
      if (queuedId !== undefined) return queuedId
      if (written) {
        // An earlier transaction of this operation wrote the row as finished: reopen it.
        queuedId = await reopenRequest(trx, guid)
      } else {
        queuedId = await insertRequest(trx, { ...row('queued', null), started_at: null, finished_at: null })
      }
      if (exec) exec.id = queuedId
      return queuedId
    },
    undo(fn) {
      if (journal) journal.undone = true
      return ctx.store.write(fn)
    },
  }
  let written = false
  let unrebuildable = false
  const row = (status: string, error: string | null): Omit<RequestTable, 'id'> => {
    const iso = (t: number) => new Date(t).toISOString()
    return {
      guid,
      parent_id: parentId,
      operation,
      actor_user_id: ctx.actor.userId,
      actor_org_id: ctx.actor.orgId,
      via: ctx.actor.via,
      target: rec.target,
      scope_path: rec.scopePath,
      status,
      log: null,
      error,
      stages: null,
      max_duration_ms: exec?.maxDurationMs ?? null,
      received_at: iso(receivedAt),
      started_at: iso(receivedAt),
      finished_at: iso(ctx.clock()),
      // Kept so that a failure met later, on a worker, is answered with it too.
      user_error: exec?.userErrorMessage ?? null,
    }
  }
  const write = async <T>(fn: (trx: Db) => Promise<T>): Promise<T> => {
    const slot = journal ? journalSlot(journal, operation) : undefined
    const site = slot !== undefined ? writeSite(fn) : ''
    const done = slot !== undefined ? journal!.entries[slot] : undefined
    if (done) {
      // Committed by the dead run this call resumes: give back what it gave.
      journal!.resumed = true
      if (!written) {
        guid = done.g
        rec.guid = done.g
        if (exec) {
          exec.guid = done.g
          if (done.i !== undefined) exec.id = done.i
        }
      }
      written = true
      if (!('v' in done) || done.s !== site) {
        // Answered as it is, and not recorded: the request the dead run recorded stands.
        unrebuildable = true
        throw cannotResume()
      }
      return decodeJournalValue(done.v) as T
    }
    let out: T
    let queuedWork = false
    let entries: Record<string, JournalEntry> | undefined
    try {
      out = await ctx.store.write(async (trx) => {
        queuedId = undefined
        queuedWork = false
        const value = await fn(trx)
        if (deadline !== undefined && ctx.clock() > deadline) {
          throw new DomainError('deadline_exceeded', `${operation} ran past its maxduration of ${exec!.maxDurationMs} ms and was stopped`)
        }
        if (queuedId !== undefined) {
          queuedWork = true
          // Written early by queue(): the target may have been noted since.
          await setRequestTarget(trx, queuedId, rec.target, rec.scopePath)
        } else if (!written) {
          const id = await insertRequest(trx, row('succeeded', null))
          if (exec) exec.id = id
        }
        if (slot !== undefined) {
          const entry: JournalEntry = { ...encodeJournalValue(value), g: guid, ...(exec?.id !== undefined ? { i: exec.id } : {}), s: site }
          entries = await journalWrite(trx, ctx.secrets, journal!, slot, entry)
        }
        return value
      })
    } finally {
      // A rolled-back transaction took the queued row with it; a committed one keeps it.
      queuedId = undefined
    }
    written = true
    if (entries) journal!.entries = entries
    // Jobs queued in that transaction are committed now: this process's workers may look.
    if (queuedWork) ctx.jobs?.ring()
    return out
  }
  // The store with that write, key by key (a spread with an override is slow; see contextOf).
  const base = ctx.store
  const store: AllKeys<Store> = {
    dialect: base.dialect,
    db: base.db,
    description: base.description,
    write,
    generation: base.generation,
    memo: base.memo,
    readOnly: base.readOnly,
    ping: base.ping,
    durability: base.durability,
    migrate: base.migrate,
    close: base.close,
  }
  try {
    const inner = contextOf(ctx, ctx.actor, ctx.exec)
    inner.store = store
    inner.request = rec
    const out = await run(inner)
    if (!written) {
      const id = await ctx.store.write((trx) => insertRequest(trx, row('succeeded', null)))
      if (exec) exec.id = id
    }
    return out
  } catch (e) {
    if (unrebuildable) throw e
    const shown = isDomainError(e) && e.code !== 'internal' ? e.message : 'internal error'
    if (!isDomainError(e) || e.code === 'internal') ctx.log.error({ err: e, operation, request: guid }, 'operation failed')
    try {
      await ctx.store.write(async (trx) => {
        if (written) {
          await markRequestFailed(trx, guid, shown, new Date(ctx.clock()).toISOString())
        } else {
          const id = await insertRequest(trx, row('failed', shown))
          if (exec) exec.id = id
        }
      })
    } catch (recordError) {
      ctx.log.error({ err: recordError, operation, request: guid }, 'could not record a failed request')
    }
    if (exec?.userErrorMessage) {
      const code = isDomainError(e) ? e.code : 'internal'
      throw new DomainError(code, exec.userErrorMessage)
    }
    throw e
  }
}

async function parentOf(ctx: Ctx, parentGuid: string): Promise<number> {
  const p = await findRequestByGuid(ctx.store.db, parentGuid)
  if (!p || !p.scope_path.startsWith(ctx.actor.orgPath)) {
    throw new DomainError('not_found', `no request with jobguid ${parentGuid}`, { field: 'jobguid' })
  }
  return p.id
}
