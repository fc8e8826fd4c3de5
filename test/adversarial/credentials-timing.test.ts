/**
 * An unknown username and a wrong password for a known one take the same time: the answer to a
 * guess does not tell an attacker which usernames exist. The two kinds of guess are sent in
 * pairs, one right after the other in alternating order (so drift in the machine's load touches
 * both alike), through `POST /login` and through Basic credentials on a read; the median of the
 * pairs' differences must lie within 5 ms of zero, and both answers must be the same 401 with
 * the same body.
 *
 * A known account locks after a few failures from one address (see README, Authentication),
 * so the wrong-password guesses are spread over several users and several client addresses
 * (the server trusts `X-Forwarded-For` here); each unknown username is a fresh one.
 * `ADVERSARIAL_TIMING_SAMPLES` (150 in `npm test`, 400 at full count) sets the samples per kind
 * and route.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { MAX_FAILURES } from '../../src/store/throttle.repo.js'
import { basic, eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { people } from '../helpers/people.js'
import { count } from '../helpers/adversarial.js'

const SAMPLES = count('TIMING_SAMPLES', 150, 400)
const BOUND_MS = 5
/** Guesses per user and address, below the lock. */
const PER_SOURCE = MAX_FAILURES - 1
/** Enough users that none nears the account's ceiling of failures from all addresses (50). */
const USERS = Math.ceil((2 * SAMPLES) / 40)

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

eachDialect('unknown user and wrong password take the same time', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  const users: string[] = []
  before(async () => {
    s = await startServer(dialect, { worker: false, trustProxy: true })
    const org = await p.customer('Timing Co')
    for (let i = 0; i < USERS; i++) users.push(await p.user(org, `timed-${i}`, 'owner').then(() => `timed-${i}`))
  })
  after(async () => {
    await s?.close()
  })

  /** The i-th wrong-password guess: a known user, from an address that has fewer than the lock's failures for it. */
  function known(i: number): { username: string; ip: string } {
    const username = users[i % USERS]!
    const source = Math.floor(i / (USERS * PER_SOURCE))
    const slot = Math.floor(i / USERS) % PER_SOURCE
    return { username, ip: `10.${source}.${slot}.${(i % USERS) + 1}` }
  }

  async function timed(make: () => Promise<Response>): Promise<{ ms: number; status: number; body: string }> {
    const t0 = performance.now()
    const r = await make()
    const body = await r.text()
    return { ms: performance.now() - t0, status: r.status, body }
  }

  const routes: [string, (username: string, password: string, ip: string) => Promise<Response>][] = [
    ['POST /login', (username, password, ip) => fetch(`${s.base}/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ username, password }) })],
    ['Basic on GET /orgs/{id}', (username, password, ip) => fetch(`${s.base}/orgs/${s.masterId}`, { headers: { authorization: basic(username, password), 'x-forwarded-for': ip } })],
  ]
  let offset = 0
  for (const [name, send] of routes) {
    it(`${name}: ${SAMPLES} pairs, the median difference under ${BOUND_MS} ms, one answer for both`, async () => {
      const base = offset
      offset += SAMPLES
      // Warm the hashing path so neither kind pays for the first argon2 run.
      await send('unknown-warmup', 'wrong-password', '10.255.0.1')
      const wrong: number[] = []
      const unknown: number[] = []
      const bodies = new Set<string>()
      for (let i = 0; i < SAMPLES; i++) {
        const k = known(base + i)
        const pair = [
          () => timed(() => send(k.username, `wrong-${i}`, k.ip)).then((r) => (wrong.push(r.ms), r)),
          () => timed(() => send(`nobody-${base + i}`, `wrong-${i}`, k.ip)).then((r) => (unknown.push(r.ms), r)),
        ]
        if (i % 2) pair.reverse()
        for (const one of pair) {
          const r = await one()
          assert.equal(r.status, 401, `${name}: ${r.body}`)
          bodies.add(r.body)
        }
      }
      assert.equal(bodies.size, 1, `one answer for both kinds of guess: ${[...bodies].join(' | ')}`)
      const diff = median(wrong.map((w, i) => w - unknown[i]!))
      const shown = `wrong password median ${median(wrong).toFixed(2)} ms, unknown user ${median(unknown).toFixed(2)} ms, median difference ${diff.toFixed(2)} ms`
      if (process.env.ADVERSARIAL_SHOW) console.log(`${name}: ${shown}`)
      assert.ok(Math.abs(diff) < BOUND_MS, `${name}: ${shown}`)
    })
  }
})
