/**
 * Opens the database (SQLite file or PostgreSQL URL) behind one Kysely instance, runs
 * migrations, and runs write transactions the same way on both: immediate transactions on
 * SQLite, read-committed transactions retried on serialization failures and deadlocks on
 * PostgreSQL.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import pg from 'pg'
import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet, type PostgresPool, type PostgresPoolClient } from 'kysely'
import { openSqliteKysely } from './sqlite.js'
import type { Database } from './schema.js'
import { migrations } from './migrations/index.js'
import { DomainError } from '../core/errors.js'
import { postgresReadOnly, ReadOnlyQueryError, sqliteReadOnly, type ReadOnlyRunner } from './read-only-query.js'

export type Dialect = 'sqlite' | 'postgres'

/** A Kysely handle: the database itself, or a transaction on it. */
export type Db = Kysely<Database>

export interface StoreOptions {
  /** PostgreSQL pool size per process (default 10). */
  poolSize?: number
  /** SQLite busy timeout in ms (default 5000). */
  busyTimeoutMs?: number
  /** Keep reads in `Store.memo` while the database is unchanged (default true; SQLite only). */
  memo?: boolean
}

/** The open database: `db` for reads, `write()` for transactions. */
export interface Store {
  readonly dialect: Dialect
  readonly db: Db
  /** Where the database lives, without any password (for logs). */
  readonly description: string
  /**
   * Runs `fn` in one write transaction and resolves once it is durably committed. On
   * PostgreSQL it is retried whole on serialization failures; on SQLite it joins a group
   * commit (see sqlite.ts). Never call `write` from inside `fn`.
   */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>
  /**
   * A token that changes whenever the database may have changed, from this process or any
   * other; `undefined` where the dialect cannot tell exactly (PostgreSQL). Caches of data read
   * from the database are valid while it stays the same.
   */
  generation(): string | undefined
  /**
   * The value of a read, kept while the database's generation is unchanged (so exactly as
   * fresh as reading again); on PostgreSQL, always read again. `key` must name everything the
   * read depends on. The value is shared: callers must not change it.
   */
  memo<T>(key: string, read: () => Promise<T>): Promise<T>
  /**
   * Runs one read-only query with a deadline, apart from every other connection (reports; see
   * read-only-query.ts). Placeholders are `readOnlyPlaceholder(dialect, i)`.
   */
  readonly readOnly: ReadOnlyRunner
  /** Answers when the database answers a trivial query. */
  ping(): Promise<void>
  /**
   * What the database says of its durability: `refusals` (SQLite: the journal is not WAL or
   * `synchronous` is below FULL, so an acknowledged write could be lost: `clientele serve` will
   * not start) and `warnings` (PostgreSQL: `fsync` or `synchronous_commit` off — the server's
   * own configuration, which Clientele cannot change).
   */
  durability(): Promise<{ refusals: string[]; warnings: string[] }>
  migrate(): Promise<MigrationResultSet>
  close(): Promise<void>
}

/** True when the string names a PostgreSQL database. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//.test(s)
}

// PostgreSQL's count(*) and other bigints arrive as strings; our numbers fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v))

/** Opens the store named by `location`: a `postgres://` URL, or a SQLite file path (`:memory:` too). */
export function openStore(location: string, opts: StoreOptions = {}): Store {
  return isPostgresUrl(location) ? openPostgres(location, opts) : openSqlite(location, opts)
}

function openSqlite(file: string, opts: StoreOptions): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const k = openSqliteKysely<Database>(file, opts.busyTimeoutMs ?? 5000)
  const readOnly: ReadOnlyRunner =
    file === ':memory:'
      ? { run: async () => Promise.reject(new ReadOnlyQueryError('failed', 'an in-memory database cannot run reports')), close: async () => {} }
      : sqliteReadOnly(file)
  return {
    dialect: 'sqlite',
    db: k.reader,
    description: `sqlite:${file}`,
    write: k.write,
    generation: k.generation,
    memo: opts.memo === false ? (_key, read) => read() : generationMemo(k.generation),
    async ping() {
      k.ping()
    },
    async durability() {
      const { journalMode, synchronous } = k.durability()
      const refusals: string[] = []
      if (journalMode !== 'wal') refusals.push(`SQLite's journal_mode is ${journalMode}, not WAL${file === ':memory:' ? ' (an in-memory database keeps nothing)' : ' (is the file on a filesystem that supports WAL?)'}`)
      if (synchronous < 2) refusals.push(`SQLite's synchronous is ${synchronous}, below FULL (2)`)
      return { refusals, warnings: [] }
    },
    readOnly,
    migrate: () => runMigrations(k.writer, 'sqlite'),
    async close() {
      await readOnly.close()
      await k.close()
    },
  }
}

function openPostgres(url: string, opts: StoreOptions): Store {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 })
  // A connection's error (the server restarted, or an operator ended the backend with
  // pg_terminate_backend) must not crash the process: an idle client's reaches the pool's
  // listener, and a checked-out client's reaches the listener every client gets on connect
  // (without it, a client held between two statements of a transaction emitted an unhandled
  // 'error' and the process exited). The statement in flight fails on its own; pg marks the
  // client unusable and the pool drops it when it is released.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: declaringLoss(pool) }) })

  async function write<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction().setIsolationLevel('read committed').execute(fn)
      } catch (e) {
        if (isPgRetryable(e)) {
          if (attempt < RETRIES) {
            await sleep(5 * 2 ** attempt + Math.random() * 10)
            continue
          }
          // Still conflicting after every retry (~1.3 s of backing off): a declared 503 the
          // caller may retry, not an internal error; the transaction changed nothing.
          throw new DomainError('unavailable', 'the database is too busy to complete this change now; nothing was changed, try again', { retryAfterSeconds: 1 })
        }
        // The connection died under the transaction (the server restarted, the backend was
        // ended): `declaringLoss` made it the declared 503. It is not retried here, because a
        // connection lost during COMMIT leaves unknown whether the change was made; a caller
        // that sent an Idempotency-Key retries safely.
        throw e
      }
    }
  }

  let redacted = url
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    redacted = u.toString()
  } catch {
    redacted = 'postgres://…'
  }
  return {
    dialect: 'postgres',
    db,
    description: redacted,
    write,
    generation: () => undefined,
    memo: (_key, read) => read(),
    async ping() {
      await sql`select 1`.execute(db)
    },
    async durability() {
      const warnings: string[] = []
      for (const name of ['fsync', 'synchronous_commit'] as const) {
        const { rows } = await sql<{ setting: string }>`select setting from pg_settings where name = ${name}`.execute(db)
        const v = rows[0]?.setting
        if (v === 'off') warnings.push(`PostgreSQL's ${name} is off: a write it acknowledged can be lost in a crash`)
      }
      return { refusals: [], warnings }
    },
    readOnly: postgresReadOnly(pool),
    migrate: () => runMigrations(db, 'postgres'),
    close: () => db.destroy(),
  }
}

/** Reads kept while `generation()` is unchanged; bounded, emptied when full. */
function generationMemo(generation: () => string): Store['memo'] {
  const kept = new Map<string, { gen: string; value: unknown }>()
  return async <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const gen = generation()
    const hit = kept.get(key)
    if (hit && hit.gen === gen) return hit.value as T
    const value = await read()
    if (kept.size >= 5000) kept.clear()
    kept.set(key, { gen, value })
    return value
  }
}

async function runMigrations(db: Db, dialect: Dialect): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: 'clientele_migrations',
    migrationLockTableName: 'clientele_migrations_lock',
    // Work lands from parallel branches; a migration may arrive after a later-named one ran.
    allowUnorderedMigrations: true,
  })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error
  return result
}

/** How many times a write is run again after a serialization failure or deadlock. */
const RETRIES = 8

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}


/**
 * Serialization failures and deadlocks are retried whole, and one internal error: PostgreSQL
 * (seen on 15) can refuse a row lock with `XX000 new multixact has more than one updating
 * member` when many transactions key-share lock a row (foreign-key checks) while updating it
 * (a plan's subscription count under concurrent sales). The error aborts the transaction and
 * changes nothing, so running it again is as safe as after a serialization failure.
 */
function isPgRetryable(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  if (err?.code === '40001' || err?.code === '40P01') return true
  return err?.code === 'XX000' && typeof err.message === 'string' && err.message.startsWith('new multixact has more than one updating member')
}

/**
 * The pool as Kysely sees it: a connection that cannot be had or is lost under a statement, on
 * a read as on a write, is the declared 503 `unavailable` with `Retry-After`, not an internal
 * error (pg's own error names the backend's end, which callers are not told).
 */
function declaringLoss(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>()
  return {
    async connect() {
      const client = await pool.connect().catch(rethrowLoss)
      let w = wrapped.get(client)
      if (!w) {
        w = {
          query: ((text: unknown, params?: unknown) => {
            const out = (client.query as (a: unknown, b?: unknown) => unknown)(text, params)
            return out instanceof Promise ? out.catch(rethrowLoss) : out
          }) as PostgresPoolClient['query'],
          release: () => client.release(),
        }
        wrapped.set(client, w)
      }
      return w
    },
    end: () => pool.end(),
  }
}

function rethrowLoss(e: unknown): never {
  if (isPgConnectionLoss(e)) {
    throw new DomainError('unavailable', 'the database connection was lost before this call was answered; retry it (with the same Idempotency-Key, if one was sent)', { retryAfterSeconds: 1 })
  }
  throw e
}

/** A PostgreSQL connection that ended: admin or crash shutdown, class 08, or pg's own words for a dead client. */
function isPgConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  if (typeof err?.code === 'string' && (/^57P0[123]$/.test(err.code) || err.code.startsWith('08') || err.code === 'ECONNRESET' || err.code === 'ECONNREFUSED' || err.code === 'EPIPE')) return true
  return typeof err?.message === 'string' && /^(Client has encountered a connection error|Connection terminated)/.test(err.message)
}

/**
 * Names the unique constraint a database error broke, or undefined when the error is not a
 * unique violation. SQLite names the columns (`orgs.parent_id, orgs.name`), PostgreSQL the
 * constraint or index (`orgs_sibling_name`); callers match on either.
 */
export function uniqueViolation(e: unknown): string | undefined {
  const err = e as { code?: string; message?: string; constraint?: string }
  if (err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return err.message?.replace(/^UNIQUE constraint failed: /, '') ?? 'unique'
  }
  if (err?.code === '23505') return err.constraint ?? 'unique'
  return undefined
}

/** Runs `fn`; a unique violation becomes `already_exists` with `message`. */
export async function mapUnique<T>(fn: () => Promise<T>, message: (constraint: string) => string): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    const c = uniqueViolation(e)
    if (c !== undefined) throw new DomainError('already_exists', message(c))
    throw e
  }
}

/** The current time as stored: ISO-8601 UTC with milliseconds. */
export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString()
}
