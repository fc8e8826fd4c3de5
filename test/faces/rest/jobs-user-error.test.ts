/**
 * `executionparams.userErrormsg` for requests whose job fails later, on the worker: the request
 * remembers it and answers it as its `error` (one request and the list), while its log keeps
 * the failure's own message for operators.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { startReceiver, type Receiver } from '../../jobs/receiver.js'
import { sign } from '../../../src/jobs/signing.js'

const SECRET = 'user-error-webhook-secret'
const SHOWN = 'Provisioning failed: please call support on 0800 123'
const params = (o: object) => ({ 'x-execution-params': JSON.stringify(o) })

eachDialect('userErrormsg of requests that fail on the worker', (dialect) => {
  let s: TestServer
  let rx: Receiver

  before(async () => {
    rx = await startReceiver(SECRET)
    s = await startServer(dialect, { worker: { retryBaseMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    for (const [name, path] of [
      ['UREJECT', 'reject'],
      ['UOK', 'ok'],
      ['UACCEPT', 'accept'],
    ]) {
      const c = await s.req('POST', '/services', { body: { name, driver: 'webhook', driverConfig: { url: `${rx.base}/${path}`, secret: SECRET } } })
      assert.equal(c.status, 201, c.text)
    }
  })
  after(async () => {
    await s.close()
    await rx.close()
  })

  async function provision(service: string, headers: Record<string, string>): Promise<{ jobGuid: string; requestGuid: string }> {
    const a = await s.req('POST', `/services/${service}/test-provision`, { body: {}, headers })
    assert.equal(a.status, 202, a.text)
    return a.body
  }
  async function until(requestGuid: string, want: (j: any) => boolean, ms = 10_000): Promise<any> {
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
  const messages = (j: any): string[] => j.log.map((e: any) => e.message as string)

  it('answers userErrormsg as the error of a job that fails on the worker, in one request and in the list; the log keeps the cause', async () => {
    const parent = (await s.req('POST', '/services/UOK/test-provision', { body: {} })).headers.get('x-job-guid')!
    const { requestGuid } = await provision('UREJECT', { 'x-job-guid': parent, ...params({ userErrormsg: SHOWN }) })
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.equal(j.error, SHOWN)
    assert.ok(messages(j).some((m) => /failed: webhook answered 422/.test(m)), messages(j).join('\n'))
    const log = await s.req('GET', `/jobs/${requestGuid}/log`)
    assert.ok(log.body.items.some((e: any) => /webhook answered 422/.test(e.message)))

    const list = await s.req('GET', `/jobs?parent=${parent}`)
    assert.equal(list.status, 200, list.text)
    const child = list.body.items.find((x: any) => x.guid === requestGuid)
    assert.equal(child.error, SHOWN)

    const row = await s.deps.store.db.selectFrom('requests').select(['error', 'user_error']).where('guid', '=', requestGuid).executeTakeFirstOrThrow()
    assert.equal(row.user_error, SHOWN)
    assert.match(row.error ?? '', /webhook answered 422/, 'the failure\'s own message is kept')
  })

  it('answers the failure\'s own message when no userErrormsg was given', async () => {
    const { requestGuid } = await provision('UREJECT', {})
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'failed')
    assert.match(j.error, /webhook answered 422/)
  })

  it('answers no error for a request that succeeds, userErrormsg or not', async () => {
    const { requestGuid } = await provision('UOK', params({ userErrormsg: SHOWN }))
    const j = await until(requestGuid, finished)
    assert.equal(j.status, 'succeeded', JSON.stringify(j.log))
    assert.equal(j.error, null)
  })

  it('answers userErrormsg when the endpoint\'s callback reports failure', async () => {
    const { requestGuid, jobGuid } = await provision('UACCEPT', params({ userErrormsg: SHOWN }))
    await until(requestGuid, (j) => !!j.times.stages['waiting for callback'])
    const body = JSON.stringify({ status: 'failed', error: 'mailbox quota exhausted' })
    const now = Math.floor(Date.now() / 1000)
    const r = await fetch(`${s.base}/jobs/${jobGuid}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) },
      body,
    })
    assert.equal(r.status, 200, await r.text())
    const j = await until(requestGuid, finished)
    assert.equal(j.error, SHOWN)
    assert.ok(messages(j).some((m) => m.includes('mailbox quota exhausted')))
  })

  it('answers userErrormsg for a synchronous failure too, its log keeping the cause', async () => {
    const dup = await s.req('POST', '/services', { body: { name: 'UOK' }, headers: params({ userErrormsg: SHOWN }) })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.detail, SHOWN)
    const j = await s.req('GET', `/jobs/${dup.headers.get('x-job-guid')}`)
    assert.equal(j.body.status, 'failed')
    assert.equal(j.body.error, SHOWN)
    assert.ok(messages(j.body).some((m) => /already exists/.test(m)), messages(j.body).join('\n'))
  })
})
