/**
 * Three `clientele worker` processes draining one queue of a few hundred webhook jobs: every
 * job is delivered exactly once (the receiver's log), none is left unfinished or leased, and the
 * work is shared: more than one worker claims jobs (each claim is in the request's log).
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createService } from '../../src/ops/catalog/create-service.js'
import type { Ctx, Deps } from '../../src/ops/context.js'
import { eachDialect } from '../helpers/harness.js'
import { startReceiver, type Receiver } from './receiver.js'
import { killAll, openShared, queueProvisionings, startWorkerProcess, unfinished, waitFor, type WorkerProcess } from './procs.js'

const SECRET = 'workers-test-secret'
const JOBS = 300
const WORKERS = 3
/** Far ahead: the queued jobs wait for every worker to be up, then are released at once. */
const HELD = '9999-12-31T23:59:59.999Z'

eachDialect('several workers on one queue', (dialect) => {
  let deps: Deps
  let ctx: Ctx
  let close: () => Promise<void>
  let location: string
  let rx: Receiver
  const children: WorkerProcess[] = []

  before(async () => {
    ;({ location, deps, ctx, close } = await openShared(dialect))
    rx = await startReceiver(SECRET)
    rx.slowishMs = 5
  })
  after(async () => {
    await killAll(children)
    await close()
    await rx.close()
  })

  it(`${WORKERS} worker processes deliver each of ${JOBS} jobs exactly once, and share them`, { timeout: 180_000 }, async (t) => {
    await createService({ ...ctx, exec: {} }, { name: 'MANY', driver: 'webhook', driverConfig: { url: `${rx.base}/slowish`, secret: SECRET } })
    const requests = await queueProvisionings(ctx, 'MANY', JOBS, 'many')
    // Held until every worker runs: the first one up would otherwise take a head start that
    // says nothing about how they share.
    await deps.store.write((trx) => trx.updateTable('jobs').set({ run_after: HELD }).where('status', '=', 'queued').execute())

    for (let i = 0; i < WORKERS; i++) children.push(startWorkerProcess(location, { concurrency: 4 }))
    const names = await Promise.all(children.map((c) => c.running))
    assert.equal(new Set(names).size, WORKERS, 'each worker has a name of its own')
    await deps.store.write((trx) => trx.updateTable('jobs').set({ run_after: new Date().toISOString() }).where('run_after', '=', HELD).execute())

    await waitFor(async () => (await unfinished(deps, requests)) === 0, 150_000, 'every request to finish')
    for (const c of children) c.child.kill('SIGTERM')
    for (const c of children) assert.equal((await c.exited).code, 0)

    const jobs = await deps.store.db.selectFrom('jobs').select(['guid', 'status', 'attempts', 'lease_owner', 'lease_until']).execute()
    assert.equal(jobs.length, JOBS)
    for (const j of jobs) {
      assert.equal(j.status, 'succeeded', `job ${j.guid} is ${j.status}`)
      assert.equal(j.lease_owner, null)
      assert.equal(j.lease_until, null)
      assert.equal(j.attempts, 1, `job ${j.guid} took ${j.attempts} attempts`)
    }

    // Exactly once, seen from the receiving end: one delivery per job, never two at once.
    const deliveries = new Map<string, number>()
    for (const d of rx.deliveries) deliveries.set(d.jobGuid, (deliveries.get(d.jobGuid) ?? 0) + 1)
    for (const j of jobs) assert.equal(deliveries.get(j.guid), 1, `job ${j.guid} delivered ${deliveries.get(j.guid) ?? 0} times`)
    assert.equal(rx.deliveries.length, JOBS)
    assert.equal(rx.acknowledgedNew.length, JOBS)
    assert.deepEqual(rx.overlaps, [])
    assert.ok(rx.deliveries.every((d) => d.signed))

    // Who did the work: each request's log names the worker that claimed its job.
    const reqs = await deps.store.db.selectFrom('requests').select(['guid', 'status', 'log']).where('guid', 'in', requests).execute()
    const byWorker = new Map<string, number>()
    for (const r of reqs) {
      assert.equal(r.status, 'succeeded')
      const claims = [...(r.log ?? '').matchAll(/claimed by worker (\S+):/g)].map((m) => m[1]!)
      assert.equal(claims.length, 1, `request ${r.guid} was claimed ${claims.length} times: ${r.log}`)
      assert.ok(names.includes(claims[0]!), `request ${r.guid} was claimed by ${claims[0]}, not one of the workers`)
      byWorker.set(claims[0]!, (byWorker.get(claims[0]!) ?? 0) + 1)
    }
    t.diagnostic(`jobs per worker: ${[...byWorker.values()].join(', ')}`)
    assert.ok(byWorker.size > 1, `one worker did all the work: ${JSON.stringify(Object.fromEntries(byWorker))}`)
  })
})
