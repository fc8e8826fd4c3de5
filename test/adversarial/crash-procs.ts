/**
 * The crash tests' processes: real `clientele serve` processes (test/helpers/clientele-proc.ts),
 * started as an operator starts them and killed with SIGKILL; and the write load (crash-load.ts)
 * as its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { startServe, type ServeProcess } from '../helpers/clientele-proc.js'

/** Starts `clientele serve` on `db` with the sealing key in `secretKeyFile`, and resolves once it serves. */
export function startCrashServe(db: string, secretKeyFile: string): Promise<ServeProcess> {
  return startServe({ db, secretKeyFile, poolSize: 6, echoStderr: false })
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
