/**
 * What every operation receives: the dependencies built once at start, and the actor of the
 * call. There is no global state and no container; `createDeps()` builds one plain object.
 */
import type { TSchema, Static } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Db, Store } from '../store/store.js'
import type { Role } from '../core/roles.js'
import type { Keyring } from '../core/sealed.js'
import type { MailSettings } from '../core/mail.js'
import { DomainError } from '../core/errors.js'
import { describeTextProblem, textProblem } from '../core/text.js'
import { propertyNamesAt, unknownFieldMessage } from '../core/field-names.js'
import { recorded } from './record-request.js'

/** Who is acting: a user, in the organisation it acts for, with the role it holds there. */
export interface Actor {
  userId: string
  username: string
  orgId: string
  orgNumber: number
  /** The acting organisation's materialised path; its subtree is every path with this prefix. */
  orgPath: string
  orgDepth: number
  role: Role
  /** The API key used, when the call came with one. */
  keyId?: string
  via: 'basic' | 'bearer' | 'session' | 'system'
}

/** Minimal logger shape (pino's); secrets are never passed to it. */
export interface Logger {
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
}

/** Dependencies shared by every call. */
export interface Deps {
  store: Store
  clock: () => number
  log: Logger
  /** The keys that seal secrets at rest (drivers' secret settings); see src/secret-key.ts. */
  secrets: Keyring
  /** Rings this process's workers when a job was queued (they poll less often when idle). */
  jobs?: JobBell
  /** How mail is sent (the outbox, see ops/mail/); absent: held in the outbox, links to the default URL. */
  mail?: MailSettings
}

/** A process-local signal from those who queue jobs to the workers that run them. */
export interface JobBell {
  ring(): void
  /** Calls `fn` on each ring; returns a function that stops it. */
  listen(fn: () => void): () => void
}

/**
 * How a caller shapes the request its call makes (seed 000's `jobguid` and `executionparams`,
 * REST's `X-Job-Guid` and `X-Execution-Params` headers).
 */
export interface ExecParams {
  /** The guid of an existing request: the new request becomes its child. */
  parentGuid?: string
  /** Work still running after this many ms is stopped and the request marked failed. */
  maxDurationMs?: number
  /** The text the caller gets instead of the error's own message when the request fails. */
  userErrorMessage?: string
  /** Set by a mutating operation: the guid of the request recorded for this call. */
  guid?: string
  /** Set by a mutating operation once its request is written: the request's integer id. */
  id?: number
  /** The call came with an `Idempotency-Key`: its writes are journaled (see ops/idempotency.ts). */
  journal?: WriteJournal
}

/**
 * The writes a call made with an `Idempotency-Key` committed, each recorded in its own write's
 * transaction (ops/idempotency.ts): a retry of a call whose process died before its answer was
 * recorded resumes from them, giving back each recorded result in place of doing the write again.
 */
export interface WriteJournal {
  owner: string
  key: string
  /** Each committed write's record, by `operation#n` (the operation's n-th write in the call). */
  entries: Record<string, JournalEntry>
  /** How many writes each operation asked for so far in this run of the call. */
  counts: Record<string, number>
  /** True once this run gave back a recorded write instead of doing it (it resumes a dead one). */
  resumed: boolean
  /** True once this run undid part of its work (`RequestRecorder.undo`): a retry must not resume it. */
  undone: boolean
}

/** One committed write: its result (encoded; absent when it could not be kept), and the request it wrote. */
export interface JournalEntry {
  /** The write's result as `encodeJournalValue` encodes it; absent: not replayable. */
  v?: unknown
  /** The guid and id of the request the write recorded. */
  g: string
  i?: number
  /** Which write this was: a digest of its function's source (a resumed run must ask for the same write there). */
  s: string
}

/** The request a mutating operation is recording (see `defineOp`). */
export interface RequestRecorder {
  guid: string
  /** The organisation the request concerns (its path decides who may see the request). */
  scopePath: string
  target: string
  /** Notes the organisation the request concerns; the first one noted wins. */
  noteTarget(path: string, target: string): void
  /**
   * Writes the request row now, in `trx` (the operation's write transaction), with status
   * `queued` and no finish time: its work goes on as jobs on a worker (see src/jobs/), which
   * finishes the request. Returns the request's integer id, for the jobs to refer to.
   */
  queue(trx: Db): Promise<number>
  /**
   * Runs a write that undoes part of this operation's work after it failed (a reservation
   * released when the registrar said no): not stopped by the operation's deadline, which may be
   * why it failed, and not journaled; a keyed call that undid its work is run afresh by a retry
   * (see ops/idempotency.ts).
   */
  undo<T>(fn: (trx: Db) => Promise<T>): Promise<T>
}

/** The context of one call. */
export interface Ctx extends Deps {
  actor: Actor
  exec?: ExecParams
  /** Present inside a mutating operation. */
  request?: RequestRecorder
}

/** Every key of T, optional ones included: a literal of this type must name them all. */
export type AllKeys<T> = { [K in keyof Required<T>]: T[K] }

/**
 * The context of one call by `actor`. Built key by key rather than with `{ ...deps, actor }`:
 * on Node 20's V8 a spread followed by another property takes a slow path (~1.2 µs against
 * ~20 ns here), and every call on every face makes one. Every context has the same keys, so
 * later assignments (`ctx.request = …`) keep its shape.
 */
export function contextOf(deps: Deps, actor: Actor, exec?: ExecParams): Ctx {
  const ctx: AllKeys<Ctx> = {
    store: deps.store,
    clock: deps.clock,
    log: deps.log,
    secrets: deps.secrets,
    jobs: deps.jobs,
    mail: deps.mail,
    actor,
    exec,
    request: undefined,
  }
  return ctx
}

/** An operation: validates its input, then runs; callable from every face. */
export interface Op<I, R, S extends TSchema = TSchema> {
  (ctx: Ctx, input: I): Promise<R>
  /** The one name the operation has on every face and in logs (`customer.create`). */
  readonly opName: string
  /** The input's schema, for faces that derive their wire schema from it. */
  readonly input: S
}

/** Operations whose name ends in one of these verbs only read (`run`: a report, read-only); every other operation mutates. */
const READ_VERBS = new Set(['get', 'list', 'find', 'export', 'run'])

/**
 * Defines an operation. The input is checked against `input` (a TypeBox schema) before `run`
 * sees it, and every string and key in it against the characters text may hold, every value
 * against the nesting bound (core/text.ts); a failed check throws `invalid_argument` naming the
 * first offending field (and records nothing).
 *
 * A mutating operation (its name's last part is not get/list/find/export/run) is recorded as a
 * request: the request row is written in the same transaction as the operation's first write,
 * so it exists exactly when the change does; a failure is recorded in a transaction of its
 * own, with its error. `ctx.exec` gives the parent request, a deadline (checked before each
 * commit: `deadline_exceeded`) and a message to answer instead of the error's own.
 */
export function defineOp<S extends TSchema, R>(def: {
  name: string
  input: S
  run(ctx: Ctx, input: Static<S>): Promise<R>
}): Op<Static<S>, R, S> {
  const checker = Compile(def.input)
  const mutates = !READ_VERBS.has(def.name.slice(def.name.lastIndexOf('.') + 1))
  const op = async (ctx: Ctx, input: Static<S>): Promise<R> => {
    if (!checker.Check(input)) {
      throw invalidInput(def.input, checker.Errors(input))
    }
    refuseBadText(input)
    if (!mutates || ctx.request) return def.run(ctx, input)
    return recorded(ctx, def.name, (inner) => def.run(inner, input))
  }
  Object.defineProperty(op, 'opName', { value: def.name })
  Object.defineProperty(op, 'input', { value: def.input })
  return op as unknown as Op<Static<S>, R, S>
}

/**
 * Refuses input holding text no face could carry, or nesting past the bound (core/text.ts), on
 * every face alike; the error names the top-level field, never the value.
 */
function refuseBadText(input: unknown): void {
  if (input === null || typeof input !== 'object') return
  for (const k of Object.keys(input)) {
    const p = textProblem((input as Record<string, unknown>)[k])
    if (p) throw new DomainError('invalid_argument', describeTextProblem(k, p), { field: k })
  }
}

interface CheckError {
  instancePath: string
  schemaPath: string
  message: string
  keyword: string
  params: Record<string, unknown>
}

function invalidInput(schema: TSchema, errors: Iterable<CheckError>): DomainError {
  const list = [...errors]
  // Prefer the error that names a field over the generic "schema is false" entries.
  const e = list.find((x) => x.keyword !== 'boolean') ?? list[0]
  if (!e) return new DomainError('invalid_argument', 'invalid input')
  let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
  if (e.keyword === 'additionalProperties') {
    // The unknown name is not repeated: it may be a secret put in the wrong place.
    const where = field || 'input'
    return new DomainError('invalid_argument', unknownFieldMessage('field', where, propertyNamesAt(schema, e.schemaPath)), { field: where })
  }
  if (e.keyword === 'required') {
    const missing = (e.params.requiredProperties as string[] | undefined)?.[0]
    field = field ? `${field}.${missing}` : String(missing)
    return new DomainError('invalid_argument', `${field} is required`, { field })
  }
  return new DomainError('invalid_argument', `${field || 'input'} ${e.message}`, { field })
}
