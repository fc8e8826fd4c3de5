/**
 * Real `clientele serve` processes for the crash tests, started as an operator starts them
 * (`node bin/clientele.js serve --db … --port 0`), seen ready by the line they log when they
 * serve, and killed with SIGKILL; and the write load (crash-load.ts) as its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { ADMIN_PASSWORD } from '../helpers/harness.js'

export interface ServeProcess {
  child: ChildProcess
  url: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `clientele serve` on `db` (a free port, no in-process worker) and resolves once it serves. */
export async function startServe(db: string, secretKeyFile: string): Promise<ServeProcess> {
  const args = ['bin/clientele.js', 'serve', '--db', db, '--port', '0', '--no-worker', '--pool-size', '6', '--secret-key-file', secretKeyFile]
  const child = spawn(process.execPath, args, {
    env: { ...process.env, CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let stderr = ''
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    let listening: string | undefined
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { msg?: string; level?: number }
      try {
        entry = JSON.parse(line) as typeof entry
      } catch {
        return
      }
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(entry.msg ?? '')
      if (m) listening = m[1]
      if (entry.msg === 'clientele is serving' && listening) resolve(listening)
      else if ((entry.level ?? 0) >= 50) process.stderr.write(`serve: ${line}\n`)
    })
    void exited.then(({ code, signal }) => reject(new Error(`clientele serve exited (${code ?? signal}) before it served: ${stderr}`)))
  })
  return { child, url, exited }
}

/** kill -9, and waits for the process to be gone. */
export async function kill9(p: ServeProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  await p.exited
}

export interface LoadProcess {
  child: ChildProcess
  exited: Promise<number | null>
  /** Asks the loops to stop (SIGTERM) and waits for the process to exit. */
  stop(): Promise<number | null>
}

/** Starts the write load (crash-load.ts) as a child process. */
export function startLoad(config: { urls: string[]; parent: string; authorization: string; connections: number; prefix: string; log: string }): LoadProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/adversarial/crash-load.ts', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

/** What a load's log holds: the acknowledged keys → ids (with when), and how many calls failed. */
export function readLog(file: string): { acked: Map<string, { id: string; at: number }>; failed: number } {
  const acked = new Map<string, { id: string; at: number }>()
  let failed = 0
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return { acked, failed }
  }
  for (const line of text.split('\n')) {
    const [kind, key, id, at] = line.split(' ')
    if (kind === 'ack' && key && id && at) acked.set(key, { id, at: Number(at) })
    else if (kind === 'fail') failed++
  }
  return { acked, failed }
}
