/**
 * SQLite behind Kysely, built for a server: one connection for reads and one for writes (WAL
 * lets them run side by side), prepared statements kept by SQL text, rows built as objects of
 * a fixed shape, and group commit for writes.
 *
 * Group commit: write transactions queue up; the writer takes every queued one into a single
 * `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint (one that fails is rolled back alone,
 * and its caller alone gets the error), and answers them all after the one durable commit. A
 * caller's promise resolves only once its changes are on disk, so no acknowledged write is
 * lost, and under concurrency one fsync serves many requests.
 */
import SqliteDatabase from 'better-sqlite3'
import {
  CompiledQuery,
  Kysely,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type Driver,
  type QueryResult,
} from 'kysely'

type Shaper = (row: unknown[]) => Record<string, unknown>

interface Prepared {
  stmt: SqliteDatabase.Statement
  reader: boolean
  shape?: Shaper
}

/** A better-sqlite3 handle with a statement cache and fixed-shape row objects. */
class Connection implements DatabaseConnection {
  readonly raw: SqliteDatabase.Database
  readonly #cache = new Map<string, Prepared>()

  constructor(raw: SqliteDatabase.Database) {
    this.raw = raw
  }

  #prepare(text: string): Prepared {
    let p = this.#cache.get(text)
    if (!p) {
      const stmt = this.raw.prepare(text)
      p = { stmt, reader: stmt.reader }
      if (stmt.reader) {
        stmt.raw(true)
        p.shape = shaper(stmt.columns().map((c) => c.name))
      }
      if (this.#cache.size >= 2000) this.#cache.clear()
      this.#cache.set(text, p)
    }
    return p
  }

  executeQuery<R>(cq: CompiledQuery): Promise<QueryResult<R>> {
    const p = this.#prepare(cq.sql)
    const params = cq.parameters as unknown[]
    if (p.reader) {
      const rows = p.stmt.all(params) as unknown[][]
      const shape = p.shape!
      const out = new Array(rows.length)
      for (let i = 0; i < rows.length; i++) out[i] = shape(rows[i]!)
      return Promise.resolve({ rows: out as R[] })
    }
    const { changes, lastInsertRowid } = p.stmt.run(params)
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] })
  }

  async *streamQuery<R>(cq: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(cq.query)) throw new Error('SQLite streams only select queries')
    const p = this.#prepare(cq.sql)
    for (const row of p.stmt.iterate(cq.parameters as unknown[]) as Iterable<unknown[]>) yield { rows: [p.shape!(row) as R] }
  }

  clear(): void {
    this.#cache.clear()
  }
}

/** Builds a function that turns a row array into an object literal of one fixed shape. */
function shaper(names: string[]): Shaper {
  const body = names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')
  return new Function('r', `return { ${body} }`) as Shaper
}

/** A driver over one connection. `exclusive` serialises users (for the writer's transactions). */
class OneConnectionDriver implements Driver {
  readonly #conn: Connection
  readonly #exclusive: boolean
  #tail: Promise<void> = Promise.resolve()

  constructor(conn: Connection, exclusive: boolean) {
    this.#conn = conn
    this.#exclusive = exclusive
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#exclusive) {
      let release!: () => void
      const prev = this.#tail
      this.#tail = new Promise<void>((r) => (release = r))
      await prev
      ;(this.#conn as unknown as { release?: () => void }).release = release
    }
    return this.#conn
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    if (!this.#exclusive) throw new Error('transactions run on the writer (Store.write)')
    await conn.executeQuery(CompiledQuery.raw('begin immediate'))
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'))
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'))
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    if (this.#exclusive) {
      const c = conn as unknown as { release?: () => void }
      const r = c.release
      c.release = undefined
      r?.()
    }
  }
  async destroy(): Promise<void> {
    this.#conn.clear()
    this.#conn.raw.close()
  }
}

function dialect(driver: Driver): KyselyDialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }
}

function open(file: string, busyTimeoutMs: number): SqliteDatabase.Database {
  const raw = new SqliteDatabase(file)
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = FULL')
  raw.pragma('foreign_keys = ON')
  raw.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
  // 64 MiB of page cache per connection (the writer and the reader each have one): bounded, and
  // filled only with pages read, so a small database costs only its own size (src/store/README.md).
  raw.pragma('cache_size = -65536')
  return raw
}

interface Pending<D> {
  fn: (trx: Kysely<D>) => Promise<unknown>
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  /** Set once `fn` has run inside the batch. */
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown }
}

/** The largest number of write transactions committed together. */
const MAX_BATCH = 128

/** Reader and group-committing writer over one SQLite file. */
export function openSqliteKysely<D>(file: string, busyTimeoutMs: number) {
  // ':memory:' cannot be shared by two connections: there the reader is the writer.
  const writerRaw = open(file, busyTimeoutMs)
  const readerRaw = file === ':memory:' ? writerRaw : open(file, busyTimeoutMs)
  const writerConn = new Connection(writerRaw)
  const readerConn = file === ':memory:' ? writerConn : new Connection(readerRaw)
  const writer = new Kysely<D>({ dialect: dialect(new OneConnectionDriver(writerConn, true)) })
  const reader = file === ':memory:' ? writer : new Kysely<D>({ dialect: dialect(new OneConnectionDriver(readerConn, false)) })
  const dataVersion = readerRaw.prepare('pragma data_version').pluck()

  const queue: Pending<D>[] = []
  let running = false
  /** Batches this process committed (data_version does not see a connection's own commits). */
  let commits = 0
  let versionSeen: number | undefined
  const forgetVersion = () => {
    versionSeen = undefined
  }

  let scheduled = false

  /**
   * Starts a batch on the next turn of the event loop, not at once: a request's path to its
   * write is all microtasks, so starting at once would commit each request alone before the
   * next one is even read from its socket.
   */
  function schedule(): void {
    if (scheduled || running) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      void drain()
    })
  }

  async function drain(): Promise<void> {
    if (running) return
    running = true
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_BATCH)
        await runBatch(batch)
      }
    } finally {
      running = false
    }
    if (queue.length > 0) schedule()
  }

  async function runBatch(batch: Pending<D>[]): Promise<void> {
    try {
      await writer.connection().execute(async (conn) => {
        await beginImmediate(conn)
        try {
          for (const p of batch) {
            await sql`savepoint w`.execute(conn)
            try {
              p.outcome = { ok: true, value: await p.fn(conn) }
              await sql`release w`.execute(conn)
            } catch (error) {
              p.outcome = { ok: false, error }
              await sql`rollback to w`.execute(conn)
              await sql`release w`.execute(conn)
            }
          }
          await sql`commit`.execute(conn)
          commits++
        } catch (e) {
          if (writerRaw.inTransaction) await sql`rollback`.execute(conn)
          throw e
        }
      })
    } catch (e) {
      // Nothing of this batch is on disk: every caller gets the error.
      for (const p of batch) p.reject(e)
      return
    }
    for (const p of batch) {
      const o = p.outcome!
      if (o.ok) p.resolve(o.value)
      else p.reject(o.error)
    }
  }

  async function beginImmediate(conn: Kysely<D>): Promise<void> {
    // busy_timeout waits for another process's write lock; past it, wait and try again.
    for (let attempt = 0; ; attempt++) {
      try {
        await sql`begin immediate`.execute(conn)
        return
      } catch (e) {
        const code = (e as { code?: string }).code
        if ((code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') && attempt < 20) {
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 30))
          continue
        }
        throw e
      }
    }
  }

  return {
    reader,
    writer,
    /** Queues `fn` for the next group commit; resolves after its commit is durable. */
    write<T>(fn: (trx: Kysely<D>) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject })
        schedule()
      })
    },
    /**
     * Changes whenever any connection, this process's included, commits to the file. Other
     * processes' commits are read from SQLite at most once per turn of the event loop (a read
     * costs as much as a small query); this process's own commits count at once.
     */
    generation(): string {
      if (versionSeen === undefined) {
        versionSeen = dataVersion.get() as number
        setImmediate(forgetVersion)
      }
      return `${commits}:${versionSeen}`
    },
    ping(): void {
      readerRaw.prepare('select 1').get()
    },
    /** The writer's journal mode and synchronous level, as SQLite reports them. */
    durability(): { journalMode: string; synchronous: number } {
      return { journalMode: String(writerRaw.pragma('journal_mode', { simple: true })).toLowerCase(), synchronous: Number(writerRaw.pragma('synchronous', { simple: true })) }
    },
    async close(): Promise<void> {
      try {
        writerRaw.pragma('optimize')
      } catch {
        /* closing anyway */
      }
      if (reader !== writer) await reader.destroy()
      await writer.destroy()
    },
  }
}
