/**
 * Issue 15, item 7 (part): a model-based test of the provisioning state machine. fast-check
 * generates sequences of the real steps — a request that queues a job (`POST
 * /services/{s}/test-provision`), a worker's claim (`endAndClaim`, the worker's one step, under
 * a worker name), a worker recording how its attempt ended (the driver's outcome turned into an
 * end by the worker's own `attemptEnd`/`endBeforeRun`), the endpoint's signed callback (`POST
 * /jobs/{guid}/callback`), a worker killed (its claims never end), time passing (leases, retry
 * delays and the callback wait run out) — and after each one compares every job and request
 * in the store with a small model written from the README ("Requests", "Jobs and provisioning
 * drivers"), not from the code: states, attempts, lease owners, and that each change was a
 * legal transition. The clock is the server's own (`deps.clock`), moved by the test.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { count } from '../helpers/adversarial.js'
import { endAndClaim, type AttemptEnd, type JobRow } from '../../src/store/jobs.repo.js'
import { attemptEnd, endBeforeRun } from '../../src/jobs/worker.js'
import { sign } from '../../src/jobs/signing.js'

const RUNS = count('JOBS_MODEL_RUNS', 50, 1000)
const SECRET = 'model-secret'
const LEASE_MS = 30_000
const CALLBACK_S = 60
const MAX_ATTEMPTS = 5
const MAX_JOBS = 5

type Status = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed'
/** The legal moves of a job, as the README tells them. */
const LEGAL: Record<Status, Status[]> = {
  queued: ['running'], // claimed
  running: ['running', 'queued', 'waiting', 'succeeded', 'failed'], // re-claimed after its lease ran out; retry or given back; 202; done
  waiting: ['running', 'succeeded', 'failed'], // claimed past the callback wait (to fail it); the callback
  succeeded: [],
  failed: [],
}
const REQUEST_RANK = { queued: 0, running: 1, succeeded: 2, failed: 2 } as const

interface MJob {
  id: number
  guid: string
  requestGuid: string
  status: Status
  attempts: number
  owner: string | null
  leaseUntil: number
  runAfter: number
  deadline: number | null
  claimedOnce: boolean
}
interface Model {
  now: number
  jobs: MJob[]
  /** The claims each live worker holds: job id → the row it claimed. */
  holds: Map<string, Map<number, JobRow>>
  generation: number
}

type Outcome = 'ok' | 'retryable' | 'fatal' | 'pending' | 'released'

eachDialect('adversarial: the provisioning state machine against its model', (dialect) => {
  let s: TestServer
  let clock = Date.now()

  before(async () => {
    s = await startServer(dialect, { worker: false }, { clock: () => clock })
    const a = await s.req('POST', '/services', { body: { name: 'MODEL', driver: 'webhook', driverConfig: { url: 'http://127.0.0.1:9/never', secret: SECRET, callbackTimeoutSeconds: CALLBACK_S } } })
    assert.equal(a.status, 201, a.text)
  })
  after(async () => s.close())

  async function snapshot(m: Model): Promise<{ jobs: Map<number, JobRow>; requests: Map<string, { status: string; log: string | null; finished_at: string | null }> }> {
    const ids = m.jobs.map((j) => j.id)
    const rows = ids.length ? ((await s.deps.store.db.selectFrom('jobs').selectAll().where('id', 'in', ids).execute()) as unknown as JobRow[]) : []
    const reqs = ids.length ? await s.deps.store.db.selectFrom('requests').select(['guid', 'status', 'log', 'finished_at']).where('guid', 'in', m.jobs.map((j) => j.requestGuid)).execute() : []
    return { jobs: new Map(rows.map((r) => [Number(r.id), r])), requests: new Map(reqs.map((r) => [r.guid, r])) }
  }

  /** Compares the store with the model, and each change since `before` with the legal moves. */
  async function check(m: Model, prev: Awaited<ReturnType<typeof snapshot>>, what: string): Promise<Awaited<ReturnType<typeof snapshot>>> {
    const now = await snapshot(m)
    for (const j of m.jobs) {
      const row = now.jobs.get(j.id)!
      const where = `${what}: job ${j.id} (${JSON.stringify(row)})`
      assert.equal(row.status, j.status, where)
      assert.equal(row.attempts, j.attempts, where)
      assert.equal(row.lease_owner, j.status === 'running' ? j.owner : null, where)
      assert.ok(row.attempts <= MAX_ATTEMPTS || row.status === 'running' || row.status === 'failed', `${where}: more attempts than ${MAX_ATTEMPTS}`)
      const before = prev.jobs.get(j.id)
      if (before && before.status !== row.status) assert.ok(LEGAL[before.status as Status].includes(row.status as Status), `${where}: illegal ${before.status} → ${row.status}`)
      const req = now.requests.get(j.requestGuid)!
      const want = j.status === 'succeeded' || j.status === 'failed' ? j.status : j.claimedOnce ? 'running' : 'queued'
      assert.equal(req.status, want, `${where}: request ${req.status}, log ${req.log}`)
      const was = prev.requests.get(j.requestGuid)
      if (was) assert.ok(REQUEST_RANK[req.status as keyof typeof REQUEST_RANK] >= REQUEST_RANK[was.status as keyof typeof REQUEST_RANK], `${where}: request went back ${was.status} → ${req.status}`)
      const log = (JSON.parse(req.log ?? '[]') as { message: string }[]).map((e) => e.message)
      const finishes = log.filter((l) => l.startsWith('finished: '))
      if (want === 'succeeded' || want === 'failed') {
        assert.deepEqual(finishes, [`finished: ${want}`], `${where}: ${log.join(' | ')}`)
        assert.equal(log.at(-1), `finished: ${want}`, where)
        assert.notEqual(req.finished_at, null, where)
      } else assert.deepEqual(finishes, [], `${where}: ${log.join(' | ')}`)
    }
    return now
  }

  const claimable = (m: Model, j: MJob) =>
    (j.status === 'queued' && j.runAfter <= m.now) || (j.status === 'running' && j.leaseUntil < m.now) || (j.status === 'waiting' && j.deadline !== null && j.deadline <= m.now)

  /** What the runs went through, so that a run that never reached the hard cases fails. */
  const seen = new Map<string, number>()
  const saw = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)

  type Cmd = fc.AsyncCommand<Model, { prev: Awaited<ReturnType<typeof snapshot>> }>
  const state = { prev: { jobs: new Map(), requests: new Map() } as Awaited<ReturnType<typeof snapshot>> }

  class Create implements Cmd {
    check = (m: Readonly<Model>) => m.jobs.length < MAX_JOBS
    async run(m: Model) {
      const a = await s.req('POST', '/services/MODEL/test-provision', { body: { subject: `model:${m.jobs.length}` } })
      assert.equal(a.status, 202, a.text)
      const row = await s.deps.store.db.selectFrom('jobs').select(['id', 'guid']).where('guid', '=', a.body.jobGuid).executeTakeFirstOrThrow()
      m.jobs.push({ id: Number(row.id), guid: row.guid, requestGuid: a.body.requestGuid, status: 'queued', attempts: 0, owner: null, leaseUntil: 0, runAfter: m.now, deadline: null, claimedOnce: false })
      state.prev = await check(m, state.prev, this.toString())
    }
    toString = () => 'create'
  }

  class Claim implements Cmd {
    constructor(readonly worker: number) {}
    check = () => true
    async run(m: Model) {
      const w = `w${this.worker}.${m.generation}`
      const want = m.jobs.filter((j) => claimable(m, j)).map((j) => j.id).sort((a, b) => a - b)
      const { claimed } = await endAndClaim(s.deps.store, w, [], 16, LEASE_MS, m.now)
      assert.deepEqual(claimed.map((r) => Number(r.id)), want, `${this}: claimed`)
      for (const row of claimed) {
        const j = m.jobs.find((x) => x.id === Number(row.id))!
        saw(`claim of ${j.status}`)
        Object.assign(j, { status: 'running', attempts: j.attempts + 1, owner: w, leaseUntil: m.now + LEASE_MS, claimedOnce: true })
        for (const h of m.holds.values()) h.delete(j.id)
        if (!m.holds.has(w)) m.holds.set(w, new Map())
        m.holds.get(w)!.set(j.id, row)
      }
      state.prev = await check(m, state.prev, this.toString())
    }
    toString = () => `claim(w${this.worker})`
  }

  /** The oldest claim a live worker holds ends with the driver's `outcome`. */
  class Run implements Cmd {
    constructor(readonly pick: number, readonly outcome: Outcome) {}
    check = (m: Readonly<Model>) => [...m.holds.values()].some((h) => h.size > 0)
    async run(m: Model) {
      const all = [...m.holds].flatMap(([w, h]) => [...h.values()].map((row) => ({ w, row })))
      const { w, row } = all[this.pick % all.length]!
      m.holds.get(w)!.delete(Number(row.id))
      const j = m.jobs.find((x) => x.id === Number(row.id))!
      const driver = { ok: { ok: true, result: { n: 1 } }, retryable: { ok: false, retryable: true, error: 'webhook answered 503' }, fatal: { ok: false, retryable: false, error: 'webhook answered 422' }, pending: { pending: true } } as const
      const deadlinePassed = row.deadline_at !== null && Date.parse(row.deadline_at) <= m.now
      let end: AttemptEnd =
        (deadlinePassed ? { kind: 'failed', error: 'callback_timeout' } : undefined) ??
        endBeforeRun(row) ??
        (this.outcome === 'released' ? { kind: 'released' } : attemptEnd(row, driver[this.outcome], { callbackTimeoutSeconds: CALLBACK_S }, 1000, 300_000))
      const { recorded } = await endAndClaim(s.deps.store, w, [{ job: row, end }], 0, 0, m.now)
      // Fenced: only the worker that holds the job's lease (still running) records its end.
      const holds = j.status === 'running' && j.owner === w
      assert.equal(recorded[0], holds, `${this}: recorded by ${w}`)
      saw(holds ? `end ${end.kind}` : 'end fenced off')
      if (holds && row.attempts > MAX_ATTEMPTS) saw('claim past the last attempt')
      // The README's rules, not the end the worker chose: 5 attempts at most, a retry only below that.
      if (holds && this.outcome === 'retryable' && !deadlinePassed && row.attempts <= MAX_ATTEMPTS) assert.equal(end.kind, row.attempts < MAX_ATTEMPTS ? 'retry' : 'failed', `${this}: attempt ${row.attempts}`)
      if (holds && row.attempts > MAX_ATTEMPTS) assert.equal(end.kind, 'failed', `${this}: a claim past the last attempt must fail`)
      if (holds) {
        j.owner = null
        switch (end.kind) {
          case 'succeeded':
          case 'failed':
            j.status = end.kind
            break
          case 'retry':
            Object.assign(j, { status: 'queued', runAfter: m.now + end.delayMs })
            break
          case 'waiting':
            Object.assign(j, { status: 'waiting', deadline: Math.min(j.deadline ?? Infinity, m.now + CALLBACK_S * 1000) })
            break
          case 'released':
            Object.assign(j, { status: 'queued', runAfter: m.now, attempts: j.attempts - 1 })
            break
        }
      }
      state.prev = await check(m, state.prev, this.toString())
    }
    toString = () => `run(#${this.pick}, ${this.outcome})`
  }

  class Callback implements Cmd {
    constructor(readonly pick: number, readonly verdict: 'succeeded' | 'failed') {}
    check = (m: Readonly<Model>) => m.jobs.length > 0
    async run(m: Model) {
      const j = m.jobs[this.pick % m.jobs.length]!
      const body = JSON.stringify({ status: this.verdict, ...(this.verdict === 'failed' ? { error: 'the endpoint gave up' } : { result: { id: 7 } }) })
      const ts = Math.floor(m.now / 1000)
      const a = await s.req('POST', `/jobs/${j.guid}/callback`, { raw: body, auth: null, headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(ts), 'x-clientele-signature': sign(SECRET, ts, body) } })
      // Taken while the endpoint has the job (delivered, or waiting for this) and its wait has
      // not run out; "a callback that comes later answers 409 and changes nothing".
      const taken = (j.status === 'running' || j.status === 'waiting') && (j.deadline === null || j.deadline > m.now)
      assert.equal(a.status, taken ? 200 : 409, `${this}: job ${j.status}: ${a.text}`)
      if (taken) Object.assign(j, { status: this.verdict, owner: null })
      saw(taken ? `callback taken (${j.status})` : j.status === 'waiting' ? 'callback late' : 'callback refused')
      state.prev = await check(m, state.prev, this.toString())
    }
    toString = () => `callback(#${this.pick}, ${this.verdict})`
  }

  class Advance implements Cmd {
    constructor(readonly ms: number) {}
    check = () => true
    async run(m: Model) {
      m.now += this.ms
      clock = m.now
      state.prev = await check(m, state.prev, this.toString())
    }
    toString = () => `advance(${this.ms})`
  }

  /** A worker dies (kill -9): its claims never end; its lease runs out. */
  class Kill implements Cmd {
    constructor(readonly worker: number) {}
    check = () => true
    async run(m: Model) {
      for (const w of [...m.holds.keys()]) if (w.startsWith(`w${this.worker}.`)) m.holds.delete(w)
      m.generation++
      state.prev = await check(m, state.prev, this.toString())
    }
    toString = () => `kill(w${this.worker})`
  }

  const commands = [
    fc.constant(new Create()),
    fc.integer({ min: 0, max: 1 }).map((w) => new Claim(w)),
    fc.tuple(fc.nat(), fc.constantFrom<Outcome>('ok', 'retryable', 'retryable', 'retryable', 'fatal', 'pending', 'pending', 'released')).map(([p, o]) => new Run(p, o)),
    fc.tuple(fc.nat(), fc.constantFrom<Outcome>('retryable', 'pending')).map(([p, o]) => new Run(p, o)),
    fc.integer({ min: 0, max: 1 }).map((w) => new Claim(w)),
    fc.tuple(fc.nat(), fc.constantFrom('succeeded' as const, 'failed' as const)).map(([p, v]) => new Callback(p, v)),
    fc.constantFrom(100, 2_000, 20_000, LEASE_MS + 1, CALLBACK_S * 1000 + 1).map((ms) => new Advance(ms)),
    fc.constantFrom(LEASE_MS + 1, CALLBACK_S * 1000 + 1).map((ms) => new Advance(ms)),
    fc.tuple(fc.nat(), fc.constantFrom('succeeded' as const, 'failed' as const)).map(([p, v]) => new Callback(p, v)),
    fc.integer({ min: 0, max: 1 }).map((w) => new Kill(w)),
  ]

  it(`${RUNS} generated runs (more until every path was taken): every state and every transition is one the README allows`, { timeout: 600_000 }, async () => {
    // Random runs reach some paths rarely ("end released" needs a claim, then a release, in
    // one run): batches go on, up to ten, until each path below was taken at least once.
    const MUST = ['claim of queued', 'claim of running', 'claim of waiting', 'end retry', 'end waiting', 'end released', 'end fenced off', 'callback refused']
    for (let batch = 0; batch < 10 && (batch === 0 || MUST.some((w) => !seen.has(w))); batch++) await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'large' }), async (cmds) => {
        // Each run starts on a clock of its own, past every earlier run's jobs.
        clock = Math.max(Date.now(), clock) + 24 * 3600_000
        // Earlier runs' unfinished jobs are put out of the way (claims would find them).
        await s.deps.store.db.updateTable('jobs').set({ status: 'failed', lease_owner: null, lease_until: null }).where('status', 'not in', ['succeeded', 'failed']).execute()
        const model: Model = { now: clock, jobs: [], holds: new Map(), generation: 0 }
        state.prev = { jobs: new Map(), requests: new Map() }
        await fc.asyncModelRun(() => ({ model, real: state }), cmds)
      }),
      { numRuns: RUNS },
    )
    console.log(JSON.stringify(Object.fromEntries([...seen].sort())))
    for (const what of MUST)
      assert.ok(seen.has(what), `no run went through "${what}": ${JSON.stringify(Object.fromEntries(seen))}`)
  })
})
