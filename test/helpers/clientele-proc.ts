/**
 * Real `clientele` processes for the tests that need one of their own (to kill it, to read its
 * memory, to run several): `node bin/clientele.js serve|worker …` started as an operator starts
 * it, seen ready by the line it logs (never by a guessed delay), and stopped (SIGTERM, SIGKILL
 * after a grace time) or killed (SIGKILL).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { ADMIN_PASSWORD } from './harness.js'

/** One line of the process's JSON log (pino) on stdout. */
export interface LogEntry {
  msg?: string
  level?: number
  [field: string]: unknown
}

export interface ClienteleProcess {
  child: ChildProcess
  pid: number
  /** Resolves once the process is gone: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  alive(): boolean
  /** Log lines at `echoLevel` or above (an `internal` error is logged at error level, 50). */
  errors: string[]
  /** What it has written on stderr (the last 64 KiB). */
  stderr(): string
  /** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
  rss(): number
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`; waits for it to be gone. */
  stop(graceMs?: number): Promise<void>
  /** kill -9, and waits for it to be gone. */
  kill9(): Promise<void>
}

export interface SpawnOptions<T> {
  /** Arguments for node before `bin/clientele.js` (`--expose-gc`, `--require <preload>`). */
  nodeArgs?: string[]
  /** Added to the environment (which has `LOG_LEVEL=info`). */
  env?: Record<string, string>
  /** Copy the process's stderr to the test's, each chunk prefixed with the command (default); false keeps it to `stderr()`. */
  echoStderr?: boolean
  /** Log lines at this level or above are kept in `errors` and copied to the test's stderr (default 50, error). */
  echoLevel?: number
  /** Sees every JSON log line (before readiness is looked for). */
  onLog?: (entry: LogEntry, line: string) => void
  /** What readiness looks like: answers the ready value on the line that says it, else undefined. */
  ready: (entry: LogEntry) => T | undefined
}

/**
 * Spawns `node [nodeArgs] bin/clientele.js <args>` with its log on a pipe, and answers the process
 * at once with `ready`, which resolves with what `o.ready` picks from the log, or rejects (with
 * its stderr) if the process exits first.
 */
export function spawnClientele<T>(args: string[], o: SpawnOptions<T>): { proc: ClienteleProcess; ready: Promise<T> } {
  const name = args[0] ?? 'clientele'
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), 'bin/clientele.js', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  let stderr = ''
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-64 * 1024)
    if (o.echoStderr !== false) process.stderr.write(`${name}: ${b}`)
  })
  const errors: string[] = []
  const echoLevel = o.echoLevel ?? 50
  const ready = new Promise<T>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: LogEntry
      try {
        entry = JSON.parse(line) as LogEntry
      } catch {
        process.stderr.write(`${name}: ${line}\n`)
        return
      }
      o.onLog?.(entry, line)
      const value = o.ready(entry)
      if (value !== undefined) resolve(value)
      if ((entry.level ?? 0) >= echoLevel) {
        errors.push(line)
        process.stderr.write(`${name}: ${line}\n`)
      }
    })
    void exited.then(({ code, signal }) => reject(new Error(`clientele ${name} exited (${code ?? signal}) before it was ready: ${stderr}`)))
  })
  ready.catch(() => {})
  const alive = () => child.exitCode === null && child.signalCode === null
  const proc: ClienteleProcess = {
    child,
    pid: child.pid!,
    exited,
    alive,
    errors,
    stderr: () => stderr,
    rss() {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      assert.ok(m, 'VmRSS not found in /proc/<pid>/status')
      return Number(m[1]) * 1024
    },
    async stop(graceMs = 10_000) {
      if (alive()) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs)
        await exited
        clearTimeout(t)
      }
      await exited
    },
    async kill9() {
      if (alive()) child.kill('SIGKILL')
      await exited
    },
  }
  return { proc, ready }
}

export interface ServeOptions {
  /** Where the database lives (SQLite file path or PostgreSQL URL). */
  db: string
  /** `--pool-size` (default 3). */
  poolSize?: number
  /** `--secret-key-file`. */
  secretKeyFile?: string
  /** More arguments for `serve` (`--thrift-port 0`, `--thrift-frame-timeout 500`, …). */
  args?: string[]
  nodeArgs?: string[]
  env?: Record<string, string>
  echoStderr?: boolean
  onLog?: (entry: LogEntry, line: string) => void
}

export interface ServeProcess extends ClienteleProcess {
  /** `http://127.0.0.1:<port>`, as it logs it. */
  url: string
  /** The Thrift TCP port, when `--thrift-port` was given. */
  thriftPort?: number
}

/**
 * Starts `clientele serve --db <db> --port 0 --no-worker …` (a free port, no in-process worker,
 * the admin's password `ADMIN_PASSWORD`) and resolves once it serves.
 */
export async function startServe(o: ServeOptions): Promise<ServeProcess> {
  const args = ['serve', '--db', o.db, '--port', '0', '--no-worker', '--pool-size', String(o.poolSize ?? 3)]
  if (o.secretKeyFile !== undefined) args.push('--secret-key-file', o.secretKeyFile)
  let listening: string | undefined
  const { proc, ready } = spawnClientele([...args, ...(o.args ?? [])], {
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    env: { CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD, ...o.env },
    ...(o.echoStderr !== undefined ? { echoStderr: o.echoStderr } : {}),
    ...(o.onLog ? { onLog: o.onLog } : {}),
    ready(entry) {
      const m = /^Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(entry.msg ?? '')
      if (m) listening = m[1]
      if (entry.msg !== 'clientele is serving' || !listening) return undefined
      return { url: listening, thriftPort: typeof entry.thriftPort === 'number' ? entry.thriftPort : undefined }
    },
  })
  const where = await ready
  return Object.assign(proc, { url: where.url }, where.thriftPort !== undefined ? { thriftPort: where.thriftPort } : {})
}
