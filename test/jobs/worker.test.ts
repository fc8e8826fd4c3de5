import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { startReceiver, type Receiver } from './receiver.js'
import { sign } from '../../src/jobs/signing.js'

const SECRET = 'webhook-secret-for-tests'

eachDialect('job worker and provisioning drivers', (dialect) => {
  let s: TestServer
  let rx: Receiver

  before(async () => {
    rx = await startReceiver(SECRET)
    s = await startServer(dialect, { worker: { retryBaseMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    const services: [string, string, Record<string, unknown>][] = [
      ['NOOP', 'noop', {}],
      ['WOK', 'webhook', { url: `${rx.base}/ok`, secret: SECRET }],
      ['WFLAKY', 'webhook', { url: `${rx.base}/flaky`, secret: SECRET }],
      ['WSLOW', 'webhook', { url: `${rx.base}/slow`, secret: SECRET, timeoutMs: 250 }],
      ['WACCEPT', 'webhook', { url: `${rx.base}/accept`, secret: SECRET }],
      ['WHANG', 'webhook', { url: `${rx.base}/hang`, secret: SECRET }],
      ['WREJECT', 'webhook', { url: `${rx.base}/reject`, secret: SECRET }],
      ['WMOVED', 'webhook', { url: `${rx.base}/moved`, secret: SECRET }],
      ['WSHORTWAIT', 'webhook', { url: `${rx.base}/accept`, secret: SECRET, callbackTimeoutSeconds: 0.5 }],
      ['WBADWAIT', 'webhook', { url: `${rx.base}/accept`, secret: SECRET, callbackTimeoutSeconds: 'soon' }],
    ]
    for (const [name, driver, driverConfig] of services) {
      const c = await s.req('POST', '/services', { body: { name, driver, driverConfig } })
      assert.equal(c.status, 201, c.text)
    }
  })
  after(async () => {
    await s.close()
    await rx.close()
  })

  async function provision(service: string, headers: Record<string, string> = {}): Promise<{ jobGuid: string; requestGuid: string }> {
    const a = await s.req('POST', `/services/${service}/test-provision`, { body: { subject: `test:${service}` }, headers })
    assert.equal(a.status, 202, a.text)
    assert.equal(a.headers.get('x-job-guid'), a.body.requestGuid)
    return a.body
  }

  async function until(requestGuid: string, want: (job: any) => boolean, ms = 10_000): Promise<any> {
    const end = Date.now() + ms
    for (;;) {
      const j = await s.req('GET', `/jobs/${requestGuid}`)
      assert.equal(j.status, 200, j.text)
      if (want(j.body)) return j.body
      if (Date.now() > end) assert.fail(`request ${requestGuid} still ${j.body.status}: ${JSON.stringify(j.body.log)}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  const finished = (j: any) => j.status === 'succeeded' || j.status === 'failed'
  const messages = (j: any) => j.log.map((e: any) => e.message as string)

  it('runs a noop job to the end, keeping the log and stage times in the request', async () => {
    const { requestGuid } = await provision('NOOP')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'succeeded', JSON.stringify(j.log))
    assert.equal(j.operation, 'service.test-provision')
    assert.ok(j.times.startedAt && j.times.finishedAt)
    assert.ok(j.times.stages.queued?.startedAt && j.times.stages.queued?.finishedAt)
    assert.ok(j.times.stages['attempt 1']?.finishedAt)
    const m = messages(j)
    assert.ok(m.some((x: string) => x.startsWith('queued job')))
    assert.ok(m.some((x: string) => x.includes('claimed by worker') && x.includes('attempt 1 of 5')))
    assert.ok(m.some((x: string) => x.includes('driver answered ok')))
    assert.equal(m.at(-1), 'finished: succeeded')
  })

  it('delivers a signed webhook and finishes on its 2xx answer', async () => {
    const { requestGuid, jobGuid } = await provision('WOK')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'succeeded', JSON.stringify(j.log))
    const d = rx.deliveries.filter((x) => x.jobGuid === jobGuid)
    assert.equal(d.length, 1)
    assert.equal(d[0]!.signed, true)
    assert.equal(d[0]!.requestGuid, requestGuid)
  })

  it('retries a 500 with backoff, and the retry shows in the log', async () => {
    const { requestGuid, jobGuid } = await provision('WFLAKY')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'succeeded', JSON.stringify(j.log))
    assert.equal(rx.deliveries.filter((x) => x.jobGuid === jobGuid).length, 2)
    const m = messages(j)
    assert.ok(m.some((x: string) => x.includes('attempt 1 failed: webhook answered 500')), m.join('\n'))
    assert.ok(m.some((x: string) => /retry in \d+\.\d s/.test(x)))
    assert.ok(m.some((x: string) => x.includes('attempt 2 of 5')))
  })

  it('retries a delivery that times out', async () => {
    const { requestGuid, jobGuid } = await provision('WSLOW')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'succeeded', JSON.stringify(j.log))
    assert.ok(messages(j).some((x: string) => x.includes('timed out after 250 ms')))
    assert.equal(rx.deliveries.filter((x) => x.jobGuid === jobGuid).length, 2)
  })

  it('fails a 4xx at once, without retry', async () => {
    const { requestGuid, jobGuid } = await provision('WREJECT')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.match(j.error, /webhook answered 422/)
    assert.equal(rx.deliveries.filter((x) => x.jobGuid === jobGuid).length, 1)
  })

  it('does not follow a redirect: the signed request is not replayed elsewhere, and the job fails', async () => {
    const { requestGuid, jobGuid } = await provision('WMOVED')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.match(j.error, /webhook answered 307/)
    // Only the one delivery to /moved: /ok never saw this job.
    assert.equal(rx.deliveries.filter((x) => x.jobGuid === jobGuid).length, 1)
  })

  it('waits after a 202 until a signed callback; forged and stale callbacks are refused and change nothing', async () => {
    const { requestGuid, jobGuid } = await provision('WACCEPT')
    const waiting = await until(requestGuid, (j) => !!j.times.stages['waiting for callback'])
    assert.equal(waiting.status, 'running')

    const callback = (body: string, headers: Record<string, string>) =>
      fetch(`${s.base}/jobs/${jobGuid}/callback`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    const body = JSON.stringify({ status: 'succeeded', result: { account: 'acme-1' } })
    const now = Math.floor(Date.now() / 1000)

    const forged = await callback(body, { 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign('not-the-secret', now, body) })
    assert.equal(forged.status, 401)
    const tampered = await callback(body.replace('acme-1', 'evil'), { 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) })
    assert.equal(tampered.status, 401)
    const stale = now - 301
    const old = await callback(body, { 'x-clientele-timestamp': String(stale), 'x-clientele-signature': sign(SECRET, stale, body) })
    assert.equal(old.status, 401)
    const unsigned = await callback(body, {})
    assert.equal(unsigned.status, 401)
    const still = await s.req('GET', `/jobs/${requestGuid}`)
    assert.equal(still.body.status, 'running')
    assert.deepEqual(still.body.log, waiting.log)

    const ok = await callback(body, { 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) })
    assert.equal(ok.status, 200, await ok.text())
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'succeeded')
    assert.ok(j.times.stages['waiting for callback'].finishedAt)
    assert.ok(messages(j).some((x: string) => x.includes('callback reported success')))
    const again = await callback(body, { 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) })
    assert.equal(again.status, 409)
  })

  it('a callback may report failure', async () => {
    const { requestGuid, jobGuid } = await provision('WACCEPT')
    await until(requestGuid, (j) => !!j.times.stages['waiting for callback'])
    const body = JSON.stringify({ status: 'failed', error: 'mailbox quota exhausted' })
    const now = Math.floor(Date.now() / 1000)
    const r = await fetch(`${s.base}/jobs/${jobGuid}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) },
      body,
    })
    assert.equal(r.status, 200)
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.equal(j.error, 'mailbox quota exhausted')
  })

  it('stops work still running at maxduration and fails the request without retry', async () => {
    const { requestGuid, jobGuid } = await provision('WHANG', { 'x-execution-params': JSON.stringify({ maxduration: 0.5 }) })
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.match(j.error, /maxduration/)
    assert.equal(j.maxDurationMs, 500)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(rx.deliveries.filter((x) => x.jobGuid === jobGuid).length, 1)
  })

  const signedCallback = (jobGuid: string, verdict: unknown) => {
    const body = JSON.stringify(verdict)
    const now = Math.floor(Date.now() / 1000)
    return fetch(`${s.base}/jobs/${jobGuid}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) },
      body,
    })
  }
  const jobRow = (guid: string) => s.deps.store.db.selectFrom('jobs').selectAll().where('guid', '=', guid).executeTakeFirstOrThrow()

  it('fails a job whose callback does not come within callbackTimeoutSeconds, and says so', async () => {
    const { requestGuid, jobGuid } = await provision('WSHORTWAIT')
    const waiting = await until(requestGuid, (j) => !!j.times.stages['waiting for callback'])
    const since = Date.parse(waiting.times.stages['waiting for callback'].startedAt)
    assert.equal(Date.parse((await jobRow(jobGuid)).deadline_at!), since + 500, 'the deadline is the wait limit after the 202')
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.equal(j.error, 'callback_timeout: no callback came within 0.5 seconds of the endpoint accepting the request (driverConfig.callbackTimeoutSeconds)')
    assert.doesNotMatch(j.error, /maxduration/)
    assert.ok(Date.parse(j.times.finishedAt) >= since + 500)
    assert.ok(j.times.stages['waiting for callback'].finishedAt)
    assert.equal(messages(j).at(-1), 'finished: failed')
    assert.equal(rx.deliveries.filter((x) => x.jobGuid === jobGuid).length, 1, 'a callback timeout is not retried')
    // A callback that comes too late changes nothing.
    const late = await signedCallback(jobGuid, { status: 'succeeded' })
    assert.equal(late.status, 409)
    assert.equal((await s.req('GET', `/jobs/${requestGuid}`)).body.status, 'failed')
  })

  it('waits an hour for a callback unless the service says otherwise (or says it wrongly)', async () => {
    for (const service of ['WACCEPT', 'WBADWAIT']) {
      const { requestGuid, jobGuid } = await provision(service)
      const waiting = await until(requestGuid, (j) => !!j.times.stages['waiting for callback'])
      const since = Date.parse(waiting.times.stages['waiting for callback'].startedAt)
      const job = await jobRow(jobGuid)
      assert.equal(job.status, 'waiting')
      assert.equal(Date.parse(job.deadline_at!), since + 3600_000, `${service}: ${job.deadline_at}`)
      assert.equal((await signedCallback(jobGuid, { status: 'succeeded' })).status, 200)
      assert.equal((await until(requestGuid, finished)).status, 'succeeded')
    }
  })

  it('a waiting job ends at the earlier of its maxduration and its callback wait, with the error of the one that ran out', async () => {
    const byWait = await provision('WSHORTWAIT', { 'x-execution-params': JSON.stringify({ maxduration: 30 }) })
    const byMax = await provision('WACCEPT', { 'x-execution-params': JSON.stringify({ maxduration: 0.6 }) })
    const waitEnded = await until(byWait.requestGuid, finished)
    assert.equal(waitEnded.status, 'failed')
    assert.match(waitEnded.error, /^callback_timeout: no callback came within 0\.5 seconds/)
    const maxEnded = await until(byMax.requestGuid, finished)
    assert.equal(maxEnded.status, 'failed')
    assert.match(maxEnded.error, /maxduration/)
    assert.doesNotMatch(maxEnded.error, /callback/)
    assert.ok(Date.parse((await jobRow(byMax.jobGuid)).deadline_at!) < Date.now(), 'the maxduration deadline was kept, not pushed back an hour')
  })

  it('only catalogue writers may test-provision; an unknown service is 404', async () => {
    const missing = await s.req('POST', '/services/NOPE/test-provision', { body: {} })
    assert.equal(missing.status, 404)
    const anon = await s.req('POST', '/services/NOOP/test-provision', { body: {}, auth: null })
    assert.equal(anon.status, 401)
  })
})
