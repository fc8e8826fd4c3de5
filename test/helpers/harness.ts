/**
 * Test harness: fresh databases per suite on every dialect, and the server on real HTTP over
 * loopback. SQLite always; PostgreSQL when TEST_POSTGRES_URL (or DATABASE_URL) names a server
 * whose role may create databases (each suite gets its own database, dropped afterwards).
 */
import { describe } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildApp, createDeps, type AppOptions, type DepsOptions } from '../../src/server.js'
import { ensureMaster } from '../../src/ops/orgs/bootstrap.js'
import type { Deps } from '../../src/ops/context.js'
import type { Dialect } from '../../src/store/store.js'

const PG_URL = process.env.TEST_POSTGRES_URL ?? process.env.DATABASE_URL

/**
 * The dialects this run covers: SQLite, and PostgreSQL when a URL is given; `TEST_DIALECTS`
 * (`sqlite`, `postgres` or both, comma-separated) narrows it, e.g. for CI's PostgreSQL pass.
 */
export const dialects: Dialect[] = (() => {
  const all: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite']
  const only = process.env.TEST_DIALECTS?.split(',').map((d) => d.trim())
  if (!only) return all
  if (only.includes('postgres') && !PG_URL) throw new Error('TEST_DIALECTS names postgres but TEST_POSTGRES_URL is not set')
  return all.filter((d) => only.includes(d))
})()

/** Declares the suite once per dialect. */
export function eachDialect(title: string, fn: (dialect: Dialect) => void): void {
  for (const d of dialects) describe(`${title} [${d}]`, () => fn(d))
}

/** A new empty database of the dialect, and how to drop it. */
export async function freshDb(dialect: Dialect): Promise<{ location: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'clientele-test-'))
    return { location: join(dir, 'test.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `clientele_t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const u = new URL(PG_URL!)
  u.pathname = `/${name}`
  return {
    location: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL })
      await c.connect()
      try {
        // An autovacuum worker on the database (it has no role) makes FORCE refuse with 42501
        // unless the role is in pg_signal_backend (.ci/run grants it); it is gone soon: retry.
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`drop database if exists ${name} with (force)`)
            break
          } catch (e) {
            if ((e as { code?: string }).code !== '42501' || attempt >= 50) throw e
            await new Promise((r) => setTimeout(r, 100))
          }
        }
      } finally {
        await c.end()
      }
    },
  }
}

export const ADMIN_PASSWORD = 'admin-password-for-tests'

/** Quiet logger for tests. */
const quiet = { info() {}, warn() {}, error() {} }

export interface Answer {
  status: number
  headers: Headers
  body: any
  text: string
}

export interface RequestOptions {
  body?: unknown
  /** Raw body text, sent as is. */
  raw?: string
  headers?: Record<string, string>
  /** `[user, password]` for Basic, a string for Bearer, null for none; default: admin Basic. */
  auth?: [string, string] | string | null
}

/** A server on loopback with its database. */
export interface TestServer {
  base: string
  /** Where the database lives (SQLite file path or PostgreSQL URL), for `startServerOn`. */
  location: string
  deps: Deps
  app: FastifyInstance
  masterId: string
  req(method: string, path: string, opts?: RequestOptions): Promise<Answer>
  close(): Promise<void>
}

/** The Authorization header for Basic credentials. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

/** Starts a server on a fresh database of `dialect`. */
export async function startServer(dialect: Dialect, opts: AppOptions = {}, depsOpts: Partial<Omit<DepsOptions, 'db'>> = {}): Promise<TestServer> {
  const db = await freshDb(dialect)
  const deps = createDeps({ logger: quiet, poolSize: 5, ...depsOpts, db: db.location })
  await deps.store.migrate()
  const boot = await ensureMaster(deps, ADMIN_PASSWORD)
  return listen(deps, db.location, boot.orgId, opts, () => db.drop())
}

/**
 * Starts another server process's worth of app (its own store, authenticator and caches) on
 * the database of a running one: `location` is `TestServer.location`. Closing it leaves the
 * database in place for the server that made it.
 */
export async function startServerOn(location: string, opts: AppOptions = {}): Promise<TestServer> {
  const deps = createDeps({ db: location, logger: quiet, poolSize: 5 })
  await deps.store.migrate()
  const boot = await ensureMaster(deps, ADMIN_PASSWORD)
  return listen(deps, location, boot.orgId, opts, async () => {})
}

/**
 * `n` instances on one fresh database of `dialect`, as `n` server processes would share it: the
 * first made with `first` options (it may run the worker), the others with none. Close them with
 * `closeInstances`.
 */
export async function startInstances(dialect: Dialect, n: number, first: AppOptions = { worker: false }): Promise<TestServer[]> {
  const s = await startServer(dialect, first)
  const all = [s]
  for (let i = 1; i < n; i++) all.push(await startServerOn(s.location, { worker: false }))
  return all
}

/** Closes what `startInstances` started, the database's owner last. */
export async function closeInstances(all: TestServer[] | undefined): Promise<void> {
  for (const o of (all ?? []).slice(1)) await o.close()
  await all?.[0]?.close()
}

/** A request that must succeed (2xx) as the admin; answers its body. */
export async function ok(s: TestServer, method: string, path: string, body?: unknown): Promise<any> {
  const r = await s.req(method, path, { body })
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`)
  return r.body
}

async function listen(deps: Deps, location: string, masterId: string, opts: AppOptions, drop: () => Promise<void>): Promise<TestServer> {
  const app = await buildApp(deps, { logLevel: 'silent', ...opts })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
  async function req(method: string, path: string, o: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) }
    const auth: RequestOptions['auth'] = o.auth === undefined ? ['admin', ADMIN_PASSWORD] : o.auth
    if (Array.isArray(auth)) headers.authorization = basic(auth[0], auth[1])
    else if (typeof auth === 'string') headers.authorization = `Bearer ${auth}`
    let body: string | undefined
    if (o.raw !== undefined) body = o.raw
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body)
      headers['content-type'] ??= 'application/json'
    }
    const res = await fetch(base + path, { method, headers, body })
    const text = await res.text()
    let parsed: unknown = undefined
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: res.status, headers: res.headers, body: parsed, text }
  }
  return {
    base,
    location,
    deps,
    app,
    masterId,
    req,
    async close() {
      await app.close()
      await deps.store.close()
      await drop()
    },
  }
}
