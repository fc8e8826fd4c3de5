/**
 * No acknowledged write is lost (issue 15, item 1). Each cycle runs a 50-connection write load
 * (crash-load.ts, its own process, which fsyncs every 2xx's id to its log before counting it)
 * against real `clientele serve` processes, kills with SIGKILL at a random moment, restarts, and
 * reconciles the log with the database: every acknowledged key is there with the id it was
 * answered with, no key has two rows, and SQLite's `PRAGMA integrity_check` is ok. It relies on
 * the refusal `clientele serve` makes of a SQLite database not in WAL with synchronous=FULL
 * (test/cli/durability.test.ts), since these servers start on the default, durable settings.
 *
 * SQLite: one serving process (several `serve` processes are a PostgreSQL deployment, README
 * "Commands"). PostgreSQL, rotating over the cycles: kill -9 of one of three instances (writes
 * to the two survivors go on), of all three, and pg_terminate_backend of one of the app's
 * database connections (the servers keep serving).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { sql } from 'kysely'
import pg from 'pg'
import { openStore } from '../../src/store/store.js'
import { count } from '../helpers/adversarial.js'
import type { ServeProcess } from '../helpers/clientele-proc.js'
import { ADMIN_PASSWORD, basic, eachDialect, freshDb } from '../helpers/harness.js'
import { readLog, startLoad, startCrashServe } from './crash-procs.js'

const CYCLES = count('CRASH_CYCLES', 2, 50)
const CONNECTIONS = 50

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

type Fault = 'the server' | 'one of three instances' | 'all three instances' | "a backend of the app's pool"

eachDialect('no acknowledged write is lost to kill -9', (dialect) => {
  let db: Awaited<ReturnType<typeof freshDb>>
  let dir: string
  const servers: (ServeProcess | undefined)[] = []
  before(async () => {
    db = await freshDb(dialect)
    dir = mkdtempSync(join(tmpdir(), 'clientele-crash-'))
  })
  after(async () => {
    await Promise.all(servers.map((s) => s?.kill9()))
    await db?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it(`${CYCLES} cycles of a ${CONNECTIONS}-connection write load, kill -9 at a random moment, restart: 0 acknowledged ids missing, 0 duplicates`, async () => {
    const instances = dialect === 'sqlite' ? 1 : 3
    // Every process of one database shares one sealing key (README "Secrets at rest").
    const keyFile = join(dir, 'secret.key')
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 })
    // The first process migrates; the others then share the database.
    servers[0] = await startCrashServe(db.location, keyFile)
    const probe = openStore(db.location, { poolSize: 1 })
    const master = await probe.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()
    await probe.close()
    const figures: string[] = []
    let totalAcked = 0
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      for (let i = 0; i < instances; i++) if (!servers[i]) servers[i] = await startCrashServe(db.location, keyFile)
      const fault: Fault =
        dialect === 'sqlite' ? 'the server' : (['one of three instances', 'all three instances', "a backend of the app's pool"] as const)[cycle % 3]!
      const prefix = `crash${cycle}`
      const log = join(dir, `load-${cycle}.log`)
      const load = startLoad({ urls: servers.map((s) => s!.url), parent: master.id, authorization: basic('admin', ADMIN_PASSWORD), connections: CONNECTIONS, prefix, log })
      // A random moment once the load is under way.
      await waitUntil(() => readLog(log).acked.size >= 20, 30_000, 'the load to be acknowledged')
      await sleep(Math.floor(Math.random() * 400))
      const faultAt = Date.now()
      let victim = -1
      if (fault === 'the server' || fault === 'all three instances') {
        await Promise.all(servers.map((s) => s!.kill9()))
        servers.fill(undefined)
      } else if (fault === 'one of three instances') {
        victim = Math.floor(Math.random() * 3)
        await servers[victim]!.kill9()
        servers[victim] = undefined
      } else {
        const c = new pg.Client({ connectionString: db.location })
        await c.connect()
        try {
          const r = await c.query(
            `select pg_terminate_backend(pid) as done from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
              order by random() limit 1`,
          )
          assert.equal(r.rows[0]?.done, true, 'one of the app’s backends was terminated')
        } finally {
          await c.end()
        }
      }
      if (servers.some((s) => s !== undefined)) {
        // The survivors (or the servers that lost a backend) go on acknowledging writes.
        await waitUntil(() => [...readLog(log).acked.values()].filter((a) => a.at > faultAt + 50).length >= 20, 20_000, `writes acknowledged after kill -9 of ${fault}`)
      } else {
        await sleep(150)
      }
      assert.equal(await load.stop(), 0, "the load process exits cleanly")
      for (const s of servers) if (s) assert.equal(s.child.exitCode, null, `a server exited after the fault (${fault})`)
      // Restart what was killed; it must come up on the database as the crash left it.
      for (let i = 0; i < instances; i++) if (!servers[i]) servers[i] = await startCrashServe(db.location, keyFile)

      const { acked, failed } = readLog(log)
      const store = openStore(db.location, { poolSize: 1 })
      try {
        const rows = await store.db.selectFrom('orgs').select(['id', 'external_id']).where('external_id', 'like', `${prefix}-%`).execute()
        const byKey = new Map<string, string[]>()
        for (const r of rows) byKey.set(r.external_id, [...(byKey.get(r.external_id) ?? []), r.id])
        const missing = [...acked].filter(([key, a]) => !(byKey.get(key) ?? []).includes(a.id))
        const duplicates = [...byKey].filter(([, ids]) => ids.length > 1)
        assert.deepEqual(missing, [], `cycle ${cycle} (kill -9 of ${fault}): acknowledged ids missing`)
        assert.deepEqual(duplicates, [], `cycle ${cycle} (kill -9 of ${fault}): keys with two rows`)
        if (dialect === 'sqlite') {
          const check = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(store.db)
          assert.deepEqual(check.rows.map((r) => r.integrity_check), ['ok'])
        }
        figures.push(`${fault}: ${acked.size} acked, ${rows.length} rows, ${failed} failed calls`)
        totalAcked += acked.size
      } finally {
        await store.close()
      }
      // The restarted servers answer the acknowledged objects.
      const sample = [...acked.values()].slice(-3)
      for (const s of servers) {
        for (const a of sample) {
          const r = await fetch(`${s!.url}/orgs/${a.id}`, { headers: { authorization: basic('admin', ADMIN_PASSWORD) } })
          assert.equal(r.status, 200, await r.text())
        }
      }
    }
    process.stderr.write(`crash-writes ${dialect}: ${CYCLES} cycles, ${totalAcked} acknowledged writes, 0 lost, 0 duplicated\n  ${figures.join('\n  ')}\n`)
  })
})
