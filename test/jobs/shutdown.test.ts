/**
 * A `clientele worker` stopped with SIGTERM in the middle of its jobs: the jobs that can finish
 * within its grace time (`--grace-ms`, 2 s here) finish, those that cannot are given back, the process exits 0
 * within that time, and a new worker then ends every job exactly once (the receiver's log, which
 * treats the job guid as an idempotency key), none stuck.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createService } from '../../src/ops/catalog/create-service.js'
import type { Ctx, Deps } from '../../src/ops/context.js'
import { eachDialect } from '../helpers/harness.js'
import { startReceiver, type Receiver } from './receiver.js'
import { killAll, openShared, queueProvisionings, startWorkerProcess, unfinished, waitFor, type WorkerProcess } from './procs.js'

const SECRET = 'shutdown-test-secret'
/** `clientele worker --grace-ms`: running jobs get this long to finish after SIGTERM. */
const GRACE_MS = 2000
const LONG = 2
const SHORT = 16

eachDialect('a worker stopped with SIGTERM', (dialect) => {
  let deps: Deps
  let ctx: Ctx
  let close: () => Promise<void>
  let location: string
  let rx: Receiver
  const children: WorkerProcess[] = []

  before(async () => {
    ;({ location, deps, ctx, close } = await openShared(dialect))
    rx = await startReceiver(SECRET)
    rx.slowishMs = 300
    // Longer than the grace time: these deliveries cannot finish before the worker must exit.
    rx.longMs = 60_000
  })
  after(async () => {
    await killAll(children)
    await close()
    await rx.close()
  })

  it('finishes or gives back its running jobs, exits 0 within its grace time, and a new worker ends every job once', { timeout: 120_000 }, async () => {
    for (const [name, path] of [['LONG', 'long'], ['SHORT', 'slowish']]) {
      await createService({ ...ctx, exec: {} }, { name: name!, driver: 'webhook', driverConfig: { url: `${rx.base}/${path}`, secret: SECRET } })
    }
    // Queued first, so claimed first: both long deliveries are under way when the signal comes.
    const long = await queueProvisionings(ctx, 'LONG', LONG, 'long')
    const short = await queueProvisionings(ctx, 'SHORT', SHORT, 'short')
    const all = [...long, ...short]

    const first = startWorkerProcess(location, { concurrency: 4, graceMs: GRACE_MS })
    children.push(first)
    const firstName = await first.running
    const delivered = (guids: string[]) => rx.deliveries.filter((d) => guids.includes(d.requestGuid)).length
    await waitFor(() => delivered(long) === LONG && rx.acknowledgedNew.length >= 3, 60_000, 'the first worker to be busy')
    const signalled = Date.now()
    first.child.kill('SIGTERM')
    const exit = await first.exited
    const took = Date.now() - signalled
    assert.deepEqual(exit, { code: 0, signal: null }, 'the worker exits 0 on SIGTERM')
    assert.ok(took < GRACE_MS + 2500, `the worker took ${took} ms to exit; its grace time is ${GRACE_MS} ms`)
    assert.ok(took >= GRACE_MS - 500, `the worker exited after ${took} ms, without waiting for its long jobs`)

    // Nothing is left claimed: each job finished, or was given back uncounted.
    const jobs = await deps.store.db.selectFrom('jobs').select(['id', 'request_id', 'status', 'attempts', 'lease_owner']).execute()
    assert.equal(jobs.length, all.length)
    for (const j of jobs) {
      assert.ok(j.status === 'succeeded' || j.status === 'queued', `job ${j.id} is ${j.status} after the worker stopped`)
      assert.equal(j.lease_owner, null)
    }
    const reqs = await deps.store.db.selectFrom('requests').select(['guid', 'log']).where('guid', 'in', long).execute()
    for (const r of reqs) {
      assert.match(r.log ?? '', new RegExp(`released unfinished by worker ${firstName}`), `request ${r.guid}: ${r.log}`)
    }
    const givenBack = jobs.filter((j) => j.status === 'queued')
    assert.ok(givenBack.length >= LONG, 'the long jobs were given back')
    assert.ok(givenBack.every((j) => j.attempts === 0), 'a given-back attempt is not counted')
    const firstAcknowledged = rx.acknowledgedNew.length

    // The receiver answers quickly now: a new worker takes over what was given back.
    rx.longMs = 50
    const second = startWorkerProcess(location, { concurrency: 4 })
    children.push(second)
    await waitFor(async () => (await unfinished(deps, all)) === 0, 60_000, 'every request to finish')
    second.child.kill('SIGTERM')
    assert.equal((await second.exited).code, 0)

    const after = await deps.store.db.selectFrom('jobs').select(['guid', 'status', 'lease_owner']).execute()
    assert.ok(after.every((j) => j.status === 'succeeded' && j.lease_owner === null), JSON.stringify(after))
    const acks = new Map<string, number>()
    for (const g of rx.acknowledgedNew) acks.set(g, (acks.get(g) ?? 0) + 1)
    for (const j of after) assert.equal(acks.get(j.guid), 1, `job ${j.guid} acknowledged ${acks.get(j.guid) ?? 0} times`)
    assert.equal(rx.acknowledgedNew.length, all.length)
    assert.ok(firstAcknowledged < all.length, 'the first worker did everything before it was stopped')
    assert.deepEqual(rx.overlaps, [])
    // The given-back deliveries were abandoned by the receiver when the worker hung up, and delivered again.
    const longJobs = after.filter((j) => rx.deliveries.some((d) => d.jobGuid === j.guid && long.includes(d.requestGuid)))
    assert.equal(longJobs.length, LONG)
    for (const j of longJobs) assert.ok(rx.abandoned.includes(j.guid), `the first delivery of ${j.guid} was not abandoned`)
    const reqs2 = await deps.store.db.selectFrom('requests').select(['status']).where('guid', 'in', all).execute()
    assert.ok(reqs2.every((r) => r.status === 'succeeded'))
  })
})
