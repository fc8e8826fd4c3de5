/**
 * kill -9 mid-request, then a retry makes one object (issue 15, item 3). Each round sends
 * creates carrying an `Idempotency-Key` to a real `clientele serve`, kills it with SIGKILL a
 * random moment later (some calls not yet claimed, some in flight, some answered — the client
 * pretends it got no answer at all), restarts it, and retries every call with its key and body:
 * each key made exactly one organisation, and each retry ends in 2xx naming it (a 409 "still in
 * progress" with `Retry-After` is allowed on the way, and must resolve), the one the first answer
 * named when there was one. A call killed after its create committed and before its answer was
 * recorded is resumed from its journal (src/ops/idempotency.ts): the test counts those retries
 * (the organisation existed before the retry, and the answer was not a stored replay) — the
 * window that once answered 409 `already_exists` here.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { openStore } from '../../src/store/store.js'
import { count } from '../helpers/adversarial.js'
import type { ServeProcess } from '../helpers/clientele-proc.js'
import { ADMIN_PASSWORD, basic, eachDialect, freshDb } from '../helpers/harness.js'
import { startCrashServe } from './crash-procs.js'

const ROUNDS = count('CRASH_IDEMPOTENCY_ROUNDS', 2, 20)
const CALLS = 40

const auth = basic('admin', ADMIN_PASSWORD)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Answer {
  status: number
  /** Answered from the stored answer (`Idempotent-Replayed: true`). */
  replayed: boolean
  id?: string
  retryAfter?: number
  code?: string
  text: string
}

async function create(url: string, parent: string, key: string): Promise<Answer> {
  const r = await fetch(`${url}/orgs/${parent}/customers`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ name: key, externalId: key }),
  })
  const text = await r.text()
  const ra = r.headers.get('retry-after')
  const body = r.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as { id?: string; code?: string }) : {}
  return { status: r.status, replayed: r.headers.get('idempotent-replayed') === 'true', text, ...(r.status < 300 ? { id: body.id } : { code: body.code }), ...(ra ? { retryAfter: Number(ra) } : {}) }
}

eachDialect('kill -9 mid-request, then a retry with the Idempotency-Key makes one object', (dialect) => {
  let db: Awaited<ReturnType<typeof freshDb>>
  let dir: string
  let server: ServeProcess | undefined
  before(async () => {
    db = await freshDb(dialect)
    dir = mkdtempSync(join(tmpdir(), 'clientele-crash-idem-'))
  })
  after(async () => {
    if (server) await server.kill9()
    await db?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it(`${ROUNDS} rounds of ${CALLS} keyed creates killed mid-flight: every retry answers 2xx, one organisation per key`, async () => {
    const keyFile = join(dir, 'secret.key')
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 })
    server = await startCrashServe(db.location, keyFile)
    const store = openStore(db.location, { poolSize: 1 })
    const figures = { answeredBefore: 0, unanswered: 0, inProgress: 0, resumed: 0 }
    try {
      const master = await store.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()
      for (let round = 0; round < ROUNDS; round++) {
        const keys = Array.from({ length: CALLS }, (_, i) => `idem-crash-${round}-${i}-${randomBytes(3).toString('hex')}`)
        const url: string = server.url
        // Credentials verified once, so that the calls below reach their claims at once.
        assert.equal((await fetch(`${url}/orgs/${master.id}`, { headers: { authorization: auth } })).status, 200)
        // A random moment while the calls run: after a random number of them were answered.
        const killAfter = 1 + Math.floor(Math.random() * (CALLS - 10))
        let answers = 0
        const first: Promise<Answer | undefined>[] = keys.map((k) =>
          create(url, master.id, k).then(
            (a) => (answers++, a),
            () => undefined,
          ),
        )
        const end = Date.now() + 30_000
        while (answers < killAfter && Date.now() < end) await sleep(1)
        await server.kill9()
        const answered: (Answer | undefined)[] = await Promise.all(first)
        figures.answeredBefore += answered.filter((a) => a && a.status < 300).length
        figures.unanswered += answered.filter((a) => !a).length
        server = await startCrashServe(db.location, keyFile)
        const made = (await store.db.selectFrom('orgs').select('external_id').where('external_id', 'like', `idem-crash-${round}-%`).execute()).map((row) => row.external_id)
        const retried = await Promise.all(
          keys.map(async (k) => {
            const end = Date.now() + 60_000
            for (;;) {
              const r = await create(server!.url, master.id, k)
              if (r.status !== 409 || r.retryAfter === undefined || Date.now() > end) return r
              // Declared "in progress, retry later": it must resolve once retried.
              figures.inProgress++
              await sleep(r.retryAfter * 1000)
            }
          }),
        )
        const rows = await store.db.selectFrom('orgs').select(['id', 'external_id']).where('external_id', 'like', `idem-crash-${round}-%`).execute()
        for (const [i, k] of keys.entries()) {
          const r = retried[i]!
          const mine = rows.filter((row) => row.external_id === k).map((row) => row.id)
          // Made by the killed run, yet answered by running the call (resuming it), not by a stored replay.
          if (made.includes(k) && !r.replayed) figures.resumed++
          assert.ok(r.status >= 200 && r.status < 300, `round ${round}, ${k}: the retry answered ${r.status} ${r.text}`)
          assert.deepEqual(mine, [r.id], `round ${round}, ${k}: exactly one organisation, the one the retry names`)
          const a: Answer | undefined = answered[i]
          if (a && a.status < 300) assert.equal(a.id, retried[i]!.id, `${k}: the retry names what the first answer named`)
        }
      }
    } finally {
      await store.close()
    }
    process.stderr.write(`crash-idempotency ${dialect}: ${ROUNDS} rounds × ${CALLS} calls; answered before the kill ${figures.answeredBefore}, unanswered ${figures.unanswered}, 409-in-progress retries ${figures.inProgress}, killed between commit and answer and resumed by the retry ${figures.resumed}\n`)
  })
})
