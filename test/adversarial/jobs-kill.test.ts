/**
 * Three `clientele worker` processes on one database, and rounds of: queue jobs, `kill -9` a
 * worker that holds some of them at a random moment while they run, start a replacement.
 * test/jobs/crash.test.ts proves that one killed worker's jobs end exactly once; this proves,
 * over many kills among several workers, the two figures of issue 15 item 7: no job is ever
 * delivered twice at once (the receiver logs each delivery's start and end), and no job a dead
 * worker held stays stuck past its lease + the poll interval (+ its own delivery and a margin).
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createService } from '../../src/ops/catalog/create-service.js'
import { verify } from '../../src/jobs/signing.js'
import type { Ctx, Deps } from '../../src/ops/context.js'
import { eachDialect } from '../helpers/harness.js'
import { count } from '../helpers/adversarial.js'
import { killAll, openShared, queueProvisionings, startWorkerProcess, unfinished, waitFor, type WorkerProcess } from '../jobs/procs.js'

const ROUNDS = count('JOBS_KILL_ROUNDS', 2, 50)
const JOBS = 20
const WORKERS = 3
const SECRET = 'jobs-kill-secret'
const LEASE_MS = 1500
/** The worker's longest idle pause between polls (its default `pollMaxMs`). */
const POLL_MS = 250
/** Each delivery takes between these (random), so that a kill finds some in flight. */
const DELIVERY_MIN_MS = 150
const DELIVERY_MAX_MS = 500
/** Scheduling noise on a shared 2-core machine: process start, claims, commits. */
const MARGIN_MS = 1000
const STUCK_BOUND_MS = LEASE_MS + POLL_MS + DELIVERY_MAX_MS + MARGIN_MS
const WORKER = { concurrency: 4, leaseMs: LEASE_MS, retryBaseMs: 100 }

interface Span {
  jobGuid: string
  attempt: number
  start: number
  end: number
}

/** A receiver that takes its time over each delivery and logs when each one started and ended. */
async function startTimedReceiver(): Promise<{ url: string; spans: Span[]; unsigned: number; close(): Promise<void> }> {
  const r = { url: '', spans: [] as Span[], unsigned: 0, close: async () => {} }
  const server: Server = createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (text += c))
    req.on('end', () => {
      const start = Date.now()
      const body = JSON.parse(text) as { jobGuid: string; attempt: number }
      if (!verify(SECRET, req.headers['x-clientele-timestamp'] as string, req.headers['x-clientele-signature'] as string, text, start)) r.unsigned++
      const ms = DELIVERY_MIN_MS + Math.floor(Math.random() * (DELIVERY_MAX_MS - DELIVERY_MIN_MS))
      setTimeout(() => {
        // The work is done when the receiver has done it, whether or not the worker is still there.
        r.spans.push({ jobGuid: body.jobGuid, attempt: body.attempt, start, end: Date.now() })
        if (res.destroyed) return
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ provisioned: body.jobGuid }))
      }, ms)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/timed`
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return r
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!

eachDialect(`kill -9 of workers mid-job (${ROUNDS} rounds)`, (dialect) => {
  let deps: Deps
  let ctx: Ctx
  let close: () => Promise<void>
  let location: string
  let rx: Awaited<ReturnType<typeof startTimedReceiver>>
  const children: WorkerProcess[] = []

  before(async () => {
    ;({ location, deps, ctx, close } = await openShared(dialect))
    rx = await startTimedReceiver()
  })
  after(async () => {
    await killAll(children)
    await close()
    await rx.close()
  })

  it('never delivers a job twice at once, and leaves none a dead worker held stuck past lease + poll', { timeout: 30_000 + ROUNDS * 25_000 }, async () => {
    await createService({ ...ctx, exec: {} }, { name: 'KILL', driver: 'webhook', driverConfig: { url: rx.url, secret: SECRET } })
    const alive = new Map<string, WorkerProcess>()
    const start = async () => {
      const w = startWorkerProcess(location, WORKER)
      children.push(w)
      alive.set(await w.running, w)
    }
    await Promise.all(Array.from({ length: WORKERS }, start))

    const all: string[] = []
    /** Per job a dead worker held when it died: when it died. */
    const heldAtDeath = new Map<string, number>()
    const worst: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const before = rx.spans.length
      const requests = await queueProvisionings(ctx, 'KILL', JOBS, `kill:${round}`)
      all.push(...requests)
      // A random moment while the round's jobs run: after the first delivery has started.
      await waitFor(async () => (await deps.store.db.selectFrom('jobs').select('id').where('status', '=', 'running').limit(1).executeTakeFirst()) !== undefined, 20_000, 'a job to run')
      await sleep(Math.floor(Math.random() * 600))
      const owners = await deps.store.db.selectFrom('jobs').select('lease_owner').where('status', '=', 'running').execute()
      const holding = [...alive.keys()].filter((n) => owners.some((o) => o.lease_owner === n))
      const victim = pick(holding.length > 0 ? holding : [...alive.keys()])
      const proc = alive.get(victim)!
      await proc.kill9()
      const diedAt = Date.now()
      alive.delete(victim)
      // What it held: its leases stay on the rows until they run out and another worker takes them.
      const held = await deps.store.db.selectFrom('jobs').select('guid').where('lease_owner', '=', victim).where('status', '=', 'running').execute()
      for (const h of held) heldAtDeath.set(h.guid, diedAt)
      await start()
      await waitFor(async () => (await unfinished(deps, requests)) === 0, 20_000, `round ${round}'s requests to finish`)
      const ends = await deps.store.db.selectFrom('jobs').select(['guid', 'finished_at']).where('guid', 'in', held.length > 0 ? held.map((h) => h.guid) : ['-']).execute()
      for (const j of ends) {
        const end = new Date(j.finished_at ?? NaN).getTime()
        assert.ok(Number.isFinite(end), `job ${j.guid} has no end`)
        worst.push(end - diedAt)
      }
      assert.ok(rx.spans.length >= before + JOBS)
    }
    for (const w of alive.values()) w.child.kill('SIGTERM')
    await Promise.all([...alive.values()].map((w) => w.exited))

    // (b) Every job ended, and ended well (the receiver answers every delivery with success).
    const jobs = await deps.store.db.selectFrom('jobs').select(['guid', 'status']).execute()
    assert.equal(jobs.length, ROUNDS * JOBS)
    assert.deepEqual(jobs.filter((j) => j.status !== 'succeeded'), [])
    assert.equal(await unfinished(deps, all), 0)
    assert.equal(rx.unsigned, 0)

    // (a) No two deliveries of one job overlap in time: the lease (1.5 s) outlasts a delivery
    // (at most 0.5 s), so a second delivery may start only after the first has ended.
    const byJob = new Map<string, Span[]>()
    for (const s of rx.spans) byJob.set(s.jobGuid, [...(byJob.get(s.jobGuid) ?? []), s])
    assert.equal(byJob.size, ROUNDS * JOBS, 'every job was delivered')
    const overlaps: string[] = []
    let repeated = 0
    for (const [guid, spans] of byJob) {
      spans.sort((x, y) => x.start - y.start)
      if (spans.length > 1) repeated++
      for (let i = 1; i < spans.length; i++) {
        if (spans[i]!.start < spans[i - 1]!.end) overlaps.push(`${guid}: attempt ${spans[i]!.attempt} started ${spans[i - 1]!.end - spans[i]!.start} ms before attempt ${spans[i - 1]!.attempt} ended`)
      }
      // Only a job a dead worker held is ever delivered again.
      if (spans.length > 1) assert.ok(heldAtDeath.has(guid), `job ${guid} was delivered ${spans.length} times though no dead worker held it`)
    }
    assert.deepEqual(overlaps, [])

    // (c) Every job a killed worker held ended within lease + poll + delivery + margin of its death.
    assert.ok(heldAtDeath.size > 0, 'no kill found a job in flight')
    assert.equal(worst.length, heldAtDeath.size)
    const late = worst.filter((ms) => ms > STUCK_BOUND_MS)
    worst.sort((x, y) => x - y)
    process.stdout.write(
      `# ${dialect}: ${ROUNDS} kills, ${heldAtDeath.size} jobs held by a dead worker, ${repeated} delivered again; death → end ` +
        `median ${worst[Math.floor(worst.length / 2)]} ms, max ${worst[worst.length - 1]} ms (bound ${STUCK_BOUND_MS} ms)\n`,
    )
    assert.deepEqual(late, [], `jobs ended more than ${STUCK_BOUND_MS} ms after their worker died`)
  })
})
