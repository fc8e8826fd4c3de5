/**
 * Opens the database (SQLite file or PostgreSQL URL) behind one Kysely instance, runs
 * migrations, and runs write transactions the same way on both: immediate transactions on
 * SQLite, read-committed transactions retried on serialization failures and deadlocks on
 * PostgreSQL.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationResultSet } from 'kysely'
import type { Database } from './schema.js'
import { migrations } from './migrations/index.js'
import { DomainError } from '../core/errors.js'

export type Dialect = 'sqlite' | 'postgres'

/** A Kysely handle: the database itself, or a transaction on it. */
export type Db = Kysely<Database>

export interface StoreOptions {
  /** PostgreSQL pool size per process (default 10). */
  poolSize?: number
  /** SQLite busy timeout in ms (default 5000). */
  busyTimeoutMs?: number
}

/** The open database: `db` for reads, `write()` for transactions. */
export interface Store {
  readonly dialect: Dialect
  readonly db: Db
  /** Where the database lives, without any password (for logs). */
  readonly description: string
  /** Runs `fn` in one write transaction and commits; retried whole on transient conflicts. */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>
  /** Answers when the database answers a trivial query. */
  ping(): Promise<void>
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
  const raw = new SqliteDatabase(file)
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = FULL')
  raw.pragma('foreign_keys = ON')
  raw.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`)
  raw.pragma('cache_size = -65536')
  // Kysely prepares every query anew; keep prepared statements by SQL text instead.
  const cache = new Map<string, SqliteDatabase.Statement>()
  const database = {
    prepare(text: string) {
      let s = cache.get(text)
      if (!s) {
        s = raw.prepare(text)
        if (cache.size > 2000) cache.clear()
        cache.set(text, s)
      }
      return s
    },
    close() {
      cache.clear()
      raw.close()
    },
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) })

  async function write<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn)
          try {
            const out = await fn(conn)
            await sql`commit`.execute(conn)
            return out
          } catch (e) {
            if (raw.inTransaction) await sql`rollback`.execute(conn)
            throw e
          }
        })
      } catch (e) {
        if (isSqliteBusy(e) && attempt < 5) {
          await sleep(10 * 2 ** attempt + Math.random() * 10)
          continue
        }
        throw e
      }
    }
  }

  return {
    dialect: 'sqlite',
    db,
    description: `sqlite:${file}`,
    write,
    async ping() {
      raw.prepare('select 1').get()
    },
    migrate: () => runMigrations(db, 'sqlite'),
    async close() {
      try {
        raw.pragma('optimize')
      } catch {
        /* closing anyway */
      }
      await db.destroy()
    },
  }
}

function openPostgres(url: string, opts: StoreOptions): Store {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 })
  // An idle client's error (the server restarted) must not crash the process.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })

  async function write<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction().setIsolationLevel('read committed').execute(fn)
      } catch (e) {
        if (isPgRetryable(e) && attempt < 8) {
          await sleep(5 * 2 ** attempt + Math.random() * 10)
          continue
        }
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
    async ping() {
      await sql`select 1`.execute(db)
    },
    migrate: () => runMigrations(db, 'postgres'),
    close: () => db.destroy(),
  }
}

async function runMigrations(db: Db, dialect: Dialect): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: 'clientele_migrations',
    migrationLockTableName: 'clientele_migrations_lock',
  })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error
  return result
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

function isSqliteBusy(e: unknown): boolean {
  const code = (e as { code?: string })?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED'
}

function isPgRetryable(e: unknown): boolean {
  const code = (e as { code?: string })?.code
  return code === '40001' || code === '40P01'
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
