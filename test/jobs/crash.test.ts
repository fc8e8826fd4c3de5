/**
 * A worker process killed with SIGKILL in the middle of its jobs: a new worker takes over their
 * leases once they run out, and every job ends exactly once (checked by the receiver, which
 * treats the job guid as an idempotency key), none stuck.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createService } from '../../src/ops/catalog/create-service.js'
import { testProvision } from '../../src/ops/provisioning/test-provision.js'
import type { Ctx, Deps } from '../../src/ops/context.js'
import { eachDialect } from '../helpers/harness.js'
import { startReceiver, type Receiver } from './receiver.js'
import { killAll, openShared, startWorkerProcess, unfinished, waitFor, type WorkerProcess } from './procs.js'

const SECRET = 'crash-test-secret'
const JOBS = 30
const LEASE_MS = 1500
const WORKER = { concurrency: 4, leaseMs: LEASE_MS, retryBaseMs: 100 }

eachDialect('a worker killed mid-run', (dialect) => {
  let deps: Deps
  let ctx: Ctx
  let close: () => Promise<void>
  let location: string
  let rx: Receiver
  const children: WorkerProcess[] = []

  before(async () => {
    ;({ location, deps, ctx, close } = await openShared(dialect))
    rx = await startReceiver(SECRET)
    rx.slowishMs = 120
  })
  after(async () => {
    await killAll(children)
    await close()
    await rx.close()
  })

  it('ends every job exactly once after kill -9 and a restart, none stuck', { timeout: 90_000 }, async () => {
    await createService({ ...ctx, exec: {} }, { name: 'CRASH', driver: 'webhook', driverConfig: { url: `${rx.base}/slowish`, secret: SECRET } })
    const requests: string[] = []
    for (let i = 0; i < JOBS; i++) {
      const c = { ...ctx, exec: {} }
      const out = await testProvision(c, { service: 'CRASH', subject: `crash:${i}` })
      requests.push(out.requestGuid)
    }

    const first = startWorkerProcess(location, WORKER)
    children.push(first)
    // Kill it while it is busy: some jobs acknowledged, others in flight.
    const claimedNow = async () =>
      (await deps.store.db.selectFrom('jobs').select('id').where('status', '=', 'running').limit(1).executeTakeFirst()) !== undefined
    await waitFor(async () => rx.acknowledgedNew.length >= 8 && (await claimedNow()), 30_000, 'the first worker to make progress')
    await first.kill9()
    const atKill = rx.acknowledgedNew.length
    assert.ok(atKill < JOBS, 'the first worker finished everything before it was killed')

    const second = startWorkerProcess(location, WORKER)
    children.push(second)
    await waitFor(async () => (await unfinished(deps, requests)) === 0, 60_000, 'every request to finish')
    second.child.kill('SIGTERM')
    await second.exited

    // The receiver's log: each job acknowledged as new exactly once, never two deliveries at once.
    const jobs = await deps.store.db.selectFrom('jobs').select(['guid', 'status', 'attempts', 'lease_owner']).execute()
    assert.equal(jobs.length, JOBS)
    const counts = new Map<string, number>()
    for (const g of rx.acknowledgedNew) counts.set(g, (counts.get(g) ?? 0) + 1)
    for (const j of jobs) assert.equal(counts.get(j.guid), 1, `job ${j.guid} acknowledged as new ${counts.get(j.guid) ?? 0} times`)
    assert.equal(rx.acknowledgedNew.length, JOBS)
    assert.deepEqual(rx.overlaps, [])
    assert.ok(rx.deliveries.every((d) => d.signed))
    // Repeats are only the deliveries in flight when the worker died (at most its concurrency).
    const dupGuid = rx.deliveries.find((d, i) => rx.deliveries.findIndex((x) => x.jobGuid === d.jobGuid) !== i)?.requestGuid
    const dupLog = dupGuid ? (await deps.store.db.selectFrom('requests').select('log').where('guid', '=', dupGuid).executeTakeFirst())?.log : ''
    assert.ok(rx.deliveries.length - JOBS <= 4, `${rx.deliveries.length} deliveries for ${JOBS} jobs; e.g. ${dupLog}`)
    assert.ok(jobs.every((j) => j.status === 'succeeded' && j.lease_owner === null))
    assert.ok(jobs.some((j) => j.attempts === 2), 'no job was taken over from the killed worker')

    const reqs = await deps.store.db.selectFrom('requests').select(['guid', 'status', 'log']).where('guid', 'in', requests).execute()
    assert.equal(reqs.length, JOBS)
    assert.ok(reqs.every((r) => r.status === 'succeeded'))
  })
})
