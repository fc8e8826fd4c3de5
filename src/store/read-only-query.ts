/**
 * Runs one read-only query with a deadline, for reports: on PostgreSQL in a `READ ONLY`
 * transaction with `SET LOCAL statement_timeout`; on SQLite in a child process holding its own
 * read-only connection (`readonly: true`, `query_only`), killed when the deadline passes.
 *
 * Why a child process on SQLite: better-sqlite3 exposes neither `sqlite3_interrupt` nor
 * `sqlite3_progress_handler`, and `Worker.terminate()` does not stop a thread that is inside
 * a native call (a recursive CTE counting to 1e12 kept its thread busy after terminate, and
 * terminate never resolved). Killing a process does stop it, and takes its memory with it.
 * Children are kept for the next query (at most `SQLITE_CHILDREN` at once; later queries wait,
 * and the wait counts against their deadline).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import type { Dialect } from './store.js'

/** The type a database tells for a result column, where it tells one. */
export type DbColumnType = 'integer' | 'number' | 'text' | 'boolean' | 'datetime' | undefined

/** A read-only query's answer. */
export interface ReadOnlyResult {
  columns: { name: string; type: DbColumnType }[]
  rows: unknown[][]
}

/** How a read-only query can fail. */
export class ReadOnlyQueryError extends Error {
  readonly kind: 'timeout' | 'failed' | 'too_many_rows'
  constructor(kind: ReadOnlyQueryError['kind'], message: string) {
    super(message)
    this.kind = kind
  }
}

export interface ReadOnlyOptions {
  /** Milliseconds from the call; past them the query is stopped (`timeout`). */
  timeoutMs: number
  /** More rows than this fail the query (`too_many_rows`). */
  maxRows: number
}

/** Runs a query; `params[i - 1]` binds the placeholder `readOnlyPlaceholder(dialect, i)`. */
export type ReadOnlyRunner = {
  run(text: string, params: unknown[], opts: ReadOnlyOptions): Promise<ReadOnlyResult>
  close(): Promise<void>
}

/** The text of the i-th (1-based) parameter's placeholder in a read-only query. */
export function readOnlyPlaceholder(dialect: Dialect, i: number): string {
  return dialect === 'sqlite' ? `:p${i}` : `$${i}`
}

// ---- PostgreSQL ----

const PG_TYPES: Record<number, DbColumnType> = {
  16: 'boolean',
  20: 'integer',
  21: 'integer',
  23: 'integer',
  700: 'number',
  701: 'number',
  1700: 'number',
  25: 'text',
  1042: 'text',
  1043: 'text',
  1082: 'datetime',
  1114: 'datetime',
  1184: 'datetime',
}

/** The runner over a PostgreSQL pool. */
export function postgresReadOnly(pool: pg.Pool): ReadOnlyRunner {
  return {
    async run(text, params, opts) {
      const client = await pool.connect()
      let broken = false
      try {
        await client.query('begin transaction isolation level repeatable read read only')
        // A whole number of ms; 0 would mean "none", so at least 1.
        await client.query(`set local statement_timeout = ${Math.max(1, Math.trunc(opts.timeoutMs))}`)
        const r = await client.query({ text, values: params, rowMode: 'array' })
        await client.query('commit')
        if (r.rows.length > opts.maxRows) throw new ReadOnlyQueryError('too_many_rows', `more than ${opts.maxRows} rows`)
        return {
          columns: r.fields.map((f) => ({ name: f.name, type: PG_TYPES[f.dataTypeID] })),
          rows: r.rows as unknown[][],
        }
      } catch (e) {
        try {
          await client.query('rollback')
        } catch {
          broken = true
        }
        if (e instanceof ReadOnlyQueryError) throw e
        const err = e as { code?: string; message?: string }
        if (err.code === '57014') throw new ReadOnlyQueryError('timeout', 'canceling statement due to statement timeout')
        throw new ReadOnlyQueryError('failed', err.message ?? String(e))
      } finally {
        client.release(broken)
      }
    },
    async close() {},
  }
}

// ---- SQLite ----

/** Child processes running report queries at once, per store. */
const SQLITE_CHILDREN = 2

const CHILD = fileURLToPath(new URL('./read-only-child.cjs', import.meta.url))
const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3')

interface Job {
  id: number
  sql: string
  params: Record<string, unknown>
  maxRows: number
  resolve(r: ReadOnlyResult): void
  reject(e: unknown): void
  timer?: NodeJS.Timeout
  child?: Child
}

interface Child {
  proc: ChildProcess
  ready: Promise<void>
  job?: Job
  dead: boolean
}

const SQLITE_TYPES: Record<string, DbColumnType> = { integer: 'integer', int: 'integer', real: 'number', text: 'text', boolean: 'boolean' }

/** The runner over a SQLite file (`:memory:` cannot be read by another connection). */
export function sqliteReadOnly(file: string): ReadOnlyRunner {
  const idle: Child[] = []
  const busy = new Set<Child>()
  const waiting: Job[] = []
  let nextId = 1
  let closed = false

  function spawn(): Child {
    const proc = fork(CHILD, [file, DRIVER], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
    const child: Child = { proc, dead: false, ready: Promise.resolve() }
    child.ready = new Promise<void>((resolve, reject) => {
      proc.once('message', () => resolve())
      proc.once('exit', () => reject(new ReadOnlyQueryError('failed', 'the query process stopped')))
    })
    child.ready.catch(() => {})
    proc.on('message', (m: { id?: number; ok?: boolean; columns?: { name: string; declType: string | null }[]; rows?: unknown[][]; code?: string; message?: string }) => {
      const job = child.job
      if (!job || m.id !== job.id) return
      finish(child, job)
      if (m.ok) {
        job.resolve({
          columns: m.columns!.map((c) => ({ name: c.name, type: c.declType ? SQLITE_TYPES[c.declType.toLowerCase()] : undefined })),
          rows: m.rows!,
        })
      } else job.reject(new ReadOnlyQueryError(m.code === 'TOO_MANY_ROWS' ? 'too_many_rows' : 'failed', m.message ?? 'failed'))
    })
    proc.on('exit', () => {
      child.dead = true
      busy.delete(child)
      const i = idle.indexOf(child)
      if (i >= 0) idle.splice(i, 1)
      const job = child.job
      if (job) {
        child.job = undefined
        clearTimeout(job.timer)
        job.reject(new ReadOnlyQueryError('failed', 'the query process stopped'))
      }
      pump()
    })
    proc.on('error', () => {})
    return child
  }

  function finish(child: Child, job: Job): void {
    clearTimeout(job.timer)
    child.job = undefined
    busy.delete(child)
    if (!child.dead && !closed) {
      idle.push(child)
      child.proc.unref()
      ;(child.proc.channel as { unref?: () => void } | undefined)?.unref?.()
    }
    pump()
  }

  function pump(): void {
    while (waiting.length > 0 && !closed) {
      let child = idle.pop()
      if (!child) {
        if (busy.size + idle.length >= SQLITE_CHILDREN) return
        child = spawn()
      }
      const job = waiting.shift()!
      start(child, job)
    }
  }

  function start(child: Child, job: Job): void {
    busy.add(child)
    child.job = job
    job.child = child
    child.proc.ref()
    ;(child.proc.channel as { ref?: () => void } | undefined)?.ref?.()
    child.ready.then(
      () => {
        if (child.job === job) child.proc.send({ id: job.id, sql: job.sql, params: job.params, maxRows: job.maxRows })
      },
      () => {},
    )
  }

  return {
    run(text, params, opts) {
      if (closed) return Promise.reject(new ReadOnlyQueryError('failed', 'the store is closed'))
      const named: Record<string, unknown> = {}
      params.forEach((v, i) => (named[`p${i + 1}`] = v))
      return new Promise<ReadOnlyResult>((resolve, reject) => {
        const job: Job = { id: nextId++, sql: text, params: named, maxRows: opts.maxRows, resolve, reject }
        job.timer = setTimeout(() => {
          const child = job.child
          if (child && child.job === job) {
            // Stops the query where it stands; the exit handler does the bookkeeping.
            child.job = undefined
            child.proc.kill('SIGKILL')
          } else {
            const i = waiting.indexOf(job)
            if (i >= 0) waiting.splice(i, 1)
          }
          reject(new ReadOnlyQueryError('timeout', `ran past ${opts.timeoutMs} ms`))
        }, opts.timeoutMs)
        waiting.push(job)
        pump()
      })
    },
    async close() {
      closed = true
      for (const j of waiting.splice(0)) {
        clearTimeout(j.timer)
        j.reject(new ReadOnlyQueryError('failed', 'the store is closed'))
      }
      const all = [...idle, ...busy]
      await Promise.all(
        all.map(
          (c) =>
            new Promise<void>((r) => {
              if (c.dead) return r()
              // An idle child is unref'd: ref it so that the wait for its exit holds the loop.
              c.proc.ref()
              c.proc.once('exit', () => r())
              c.proc.kill('SIGKILL')
            }),
        ),
      )
    },
  }
}
