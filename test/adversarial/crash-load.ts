/**
 * The crash tests' write load, run as its own process (`node --import tsx crash-load.ts CONFIG`)
 * so that what it acknowledged outlives the servers it talks to and the test's view of them.
 *
 * CONNECTIONS loops each create a customer organisation whose `externalId` (and name) is a key
 * the client chose, `<prefix>-<loop>-<n>`, with that key as its `Idempotency-Key`, spreading the
 * calls over every URL given (a refused connection moves a loop to the next URL). An answer is
 * ACKNOWLEDGED only once the line `ack <key> <id> <ms>` is written to the log file and fsynced;
 * every other outcome (refused, reset, 409, 5xx) is a line `fail <key> <status>` and counts for
 * nothing. The loops run until SIGTERM; the process then exits 0.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'

interface LoadConfig {
  urls: string[]
  parent: string
  authorization: string
  connections: number
  prefix: string
  log: string
}

const config = JSON.parse(process.argv[2]!) as LoadConfig
const fd = openSync(config.log, 'a')
let stopping = false

function record(line: string, durable: boolean): void {
  writeSync(fd, line + '\n')
  if (durable) fsyncSync(fd)
}

async function loop(l: number): Promise<void> {
  let at = l % config.urls.length
  for (let n = 0; !stopping; n++) {
    const key = `${config.prefix}-${l}-${n}`
    const url = config.urls[at]!
    try {
      const r = await fetch(`${url}/orgs/${config.parent}/customers`, {
        method: 'POST',
        headers: { authorization: config.authorization, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ name: key, externalId: key }),
        signal: AbortSignal.timeout(10_000),
      })
      const text = await r.text()
      if (r.status >= 200 && r.status < 300) {
        const id = (JSON.parse(text) as { id: string }).id
        // fsynced before it counts: an ack the test reads was really received.
        record(`ack ${key} ${id} ${Date.now()}`, true)
      } else {
        record(`fail ${key} ${r.status}`, false)
        if (r.status >= 500) at = (at + 1) % config.urls.length
      }
    } catch {
      record(`fail ${key} error`, false)
      at = (at + 1) % config.urls.length
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

process.once('SIGTERM', () => {
  stopping = true
})
await Promise.all(Array.from({ length: config.connections }, (_, l) => loop(l)))
closeSync(fd)
process.exit(0)
