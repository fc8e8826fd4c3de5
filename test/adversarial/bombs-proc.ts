/**
 * What the bomb tests share: a real `clientele serve` process (so its memory is its own and
 * measured from /proc, not mixed with the test's), requests timed from the client, a listener
 * that counts every connection made to it, and the row count of every table.
 */
import { connect, createServer, type Server } from 'node:net'
import { sql } from 'kysely'
import { createDeps } from '../../src/server.js'
import { ensureMaster } from '../../src/ops/orgs/bootstrap.js'
import type { Deps } from '../../src/ops/context.js'
import type { Dialect } from '../../src/store/store.js'
import { startServe, type ServeProcess } from '../helpers/clientele-proc.js'
import { ADMIN_PASSWORD, basic, freshDb } from '../helpers/harness.js'

export const ADMIN_AUTH = basic('admin', ADMIN_PASSWORD)

export interface BombServer extends ServeProcess {
  masterId: string
  /** The test's own handle on the server's database (row counts). */
  deps: Deps
  /** Stops the process, closes `deps` and drops the database. */
  close(): Promise<void>
}

/** Spawns `clientele serve --db <fresh> --port 0 --no-worker …args` and waits until it serves. */
export async function startServeProcess(dialect: Dialect, args: string[] = []): Promise<BombServer> {
  const db = await freshDb(dialect)
  const deps = createDeps({ db: db.location, logger: { info() {}, warn() {}, error() {} }, poolSize: 2 })
  await deps.store.migrate()
  const { orgId } = await ensureMaster(deps, ADMIN_PASSWORD)
  let proc: ServeProcess
  try {
    proc = await startServe({ db: db.location, poolSize: 3, args })
  } catch (e) {
    await deps.store.close()
    await db.drop()
    throw e
  }
  return Object.assign(proc, {
    masterId: orgId,
    deps,
    async close() {
      await proc.stop()
      await deps.store.close()
      await db.drop()
    },
  })
}

/** Samples `rss` every 10 ms until stopped; `stop()` answers the largest value seen. */
export function rssSampler(rss: () => number): { stop(): number } {
  let max = rss()
  const timer = setInterval(() => (max = Math.max(max, rss())), 10)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(max, rss())
    },
  }
}

/** The number of rows of every table (but the migrations' own), by table. */
export async function rowCounts(deps: Deps): Promise<Record<string, number>> {
  const tables = (await deps.store.db.introspection.getTables()).map((t) => t.name).filter((n) => !/migration/i.test(n)).sort()
  const out: Record<string, number> = {}
  for (const t of tables) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(deps.store.db)
    out[t] = Number(r.rows[0]!.n)
  }
  return out
}

export interface Sent {
  status: number
  headers: Record<string, string>
  text: string
  /** From the first byte written to the answer's last byte read, ms. */
  ms: number
}

/**
 * POSTs `body` over a raw socket (`Connection: close`) and reads the answer whatever happens to
 * the rest of the upload: a server should answer 413 from the Content-Length and may close
 * before the body is sent, which makes node:http and fetch lose the answer to EPIPE. `chunked`
 * sends the body in chunked encoding, without a Content-Length.
 */
export function post(base: string, path: string, body: Buffer | string, headers: Record<string, string> = {}, chunked = false): Promise<Sent> {
  const buf = typeof body === 'string' ? Buffer.from(body) : body
  const u = new URL(path, base)
  const head = [`POST ${u.pathname} HTTP/1.1`, `host: ${u.host}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)]
  head.push(chunked ? 'transfer-encoding: chunked' : `content-length: ${buf.length}`)
  // As curl does with a large body (and .NET with any): the server may answer (413, 415) before the body is sent.
  const expect = !chunked && buf.length > 64 * 1024
  if (expect) head.push('expect: 100-continue')
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const parts: Buffer[] = []
    let done = false
    const sock = connect(Number(u.port), u.hostname)
    const finish = () => {
      if (done) return
      done = true
      const all = Buffer.concat(parts)
      const split = all.indexOf('\r\n\r\n')
      // Closed without an answer (status 0): callers decide whether that counts as refused.
      if (split < 0) return resolve({ status: 0, headers: {}, text: '', ms: performance.now() - t0 })
      const lines = all.subarray(0, split).toString('latin1').split('\r\n')
      const status = Number(lines[0]!.split(' ')[1])
      const hs: Record<string, string> = {}
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':')
        hs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim()
      }
      let rest = all.subarray(split + 4)
      if (/chunked/i.test(hs['transfer-encoding'] ?? '')) {
        const out: Buffer[] = []
        for (;;) {
          const nl = rest.indexOf('\r\n')
          const n = parseInt(rest.subarray(0, nl).toString('latin1'), 16)
          if (!(n > 0)) break
          out.push(rest.subarray(nl + 2, nl + 2 + n))
          rest = rest.subarray(nl + 4 + n)
        }
        rest = Buffer.concat(out)
      }
      resolve({ status, headers: hs, text: rest.toString('utf8'), ms: ms ?? performance.now() - t0 })
    }
    let ms: number | undefined
    let sent = !expect
    const sendBody = () => {
      sent = true
      if (chunked) {
        for (let i = 0; i < buf.length; i += 64 * 1024) {
          const c = buf.subarray(i, i + 64 * 1024)
          sock.write(`${c.length.toString(16)}\r\n`)
          sock.write(c)
          sock.write('\r\n')
        }
        sock.write('0\r\n\r\n')
      } else sock.write(buf)
    }
    sock.on('data', (d: Buffer) => {
      if (!sent && d.toString('latin1').startsWith('HTTP/1.1 100')) {
        const end = d.indexOf('\r\n\r\n')
        d = d.subarray(end + 4)
        sendBody()
        if (d.length === 0) return
      }
      sent = true
      parts.push(d)
      // The answer is complete when its length is in: time it then, not at the close.
      const all = Buffer.concat(parts)
      const split = all.indexOf('\r\n\r\n')
      const m = split >= 0 ? /content-length:\s*(\d+)/i.exec(all.subarray(0, split).toString('latin1')) : null
      if (m && all.length >= split + 4 + Number(m[1])) ms ??= performance.now() - t0
      else if (split >= 0 && all.subarray(all.length - 5).toString('latin1') === '0\r\n\r\n') ms ??= performance.now() - t0
    })
    sock.on('error', () => {}) // a reset after an early answer: what was read is the answer
    sock.on('close', finish)
    sock.write(head.join('\r\n') + '\r\n\r\n')
    if (!expect) sendBody()
  })
}

/** A TCP listener that counts every connection made to it (and answers none). */
export async function countingListener(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  let n = 0
  const server: Server = createServer((s) => {
    n++
    s.destroy()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  return { port, connections: () => n, close: () => new Promise<void>((r) => server.close(() => r())) }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

export const MB = 1024 * 1024
