/**
 * Guessing, spread over three server instances on one database: the limit of checked guesses
 * holds in total, not per instance. 1,000 wrong passwords for one account from one address,
 * sent 50 at a time round-robin to three instances, have at most `MAX_FAILURES` checked (401);
 * the rest are refused unchecked (429 with Retry-After), and the right password is refused too
 * while the lock lasts. The same for 1,000 guesses of a customer's support PIN.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { MAX_FAILURES } from '../../../src/store/throttle.repo.js'
import { basic, eachDialect, startServer, startServerOn, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { count as adversarialCount } from '../../helpers/adversarial.js'

const GUESSES = adversarialCount('GUESSES', 1000, 1000)

/** Sends `n` requests made by `make(i)` to the servers in turn, `width` at a time; answers the statuses. */
async function spread(servers: TestServer[], n: number, width: number, make: (i: number) => { method: string; path: string; init: RequestInit }): Promise<number[]> {
  const statuses: number[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) {
        const { method, path, init } = make(i)
        const r = await fetch(servers[i % servers.length]!.base + path, { method, ...init })
        await r.arrayBuffer()
        statuses.push(r.status)
      }
    }),
  )
  return statuses
}

const count = (xs: number[], v: number) => xs.filter((x) => x === v).length

eachDialect('guesses spread over three instances', (dialect) => {
  let s: TestServer
  let others: TestServer[]
  let org: string
  const p = people(() => s)
  before(async () => {
    s = await startServer(dialect, { worker: false })
    others = [await startServerOn(s.location, { worker: false }), await startServerOn(s.location, { worker: false })]
    org = await p.customer('Guessed Co')
    await p.user(org, 'victim', 'owner')
    await p.user(s.masterId, 'staff', 'support')
    assert.equal((await s.req('PUT', `/orgs/${org}/pin`, { body: { pin: '48213579' } })).status, 204)
  })
  after(async () => {
    for (const o of others ?? []) await o.close()
    await s?.close()
  })

  it(`${GUESSES} wrong passwords: at most ${MAX_FAILURES} are checked in total, the rest refused unchecked, and the right one too while locked`, async () => {
    const all = [s, ...others]
    const statuses = await spread(all, GUESSES, 50, (i) => ({ method: 'GET', path: `/orgs/${org}`, init: { headers: { authorization: basic('victim', `wrong-guess-${i}`) } } }))
    assert.equal(statuses.length, GUESSES)
    const checked = count(statuses, 401)
    assert.ok(checked <= MAX_FAILURES, `${checked} guesses were checked (401), more than ${MAX_FAILURES}`)
    assert.ok(checked >= 1, 'no guess was checked at all')
    assert.equal(count(statuses, 429), GUESSES - checked, `other answers: ${[...new Set(statuses)]}`)
    for (const one of all) {
      const r = await fetch(`${one.base}/orgs/${org}`, { headers: { authorization: basic('victim', 'victim-password') } })
      assert.equal(r.status, 429, 'the right password during the lock')
      assert.ok(Number(r.headers.get('retry-after')) > 0)
    }
  })

  it(`${GUESSES} wrong PINs checked by a provider's staff: at most ${MAX_FAILURES} are checked in total`, async () => {
    const all = [s, ...others]
    const statuses = await spread(all, GUESSES, 50, (i) => ({
      method: 'POST',
      path: `/orgs/${org}/pin/verify`,
      init: { headers: { authorization: basic('staff', 'staff-password'), 'content-type': 'application/json' }, body: JSON.stringify({ pin: String(10_000_000 + i) }) },
    }))
    const checked = count(statuses, 200)
    assert.ok(checked <= MAX_FAILURES, `${checked} PIN guesses were checked, more than ${MAX_FAILURES}`)
    assert.ok(checked >= 1)
    assert.equal(count(statuses, 429), GUESSES - checked, `other answers: ${[...new Set(statuses)]}`)
  })
})
