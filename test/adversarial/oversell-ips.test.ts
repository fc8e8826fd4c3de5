/**
 * No IP address is ever given twice, through three instances of one database: TRIALS times, a
 * fresh pool of random family and size (IPv4 /22–/25, IPv6 /118–/121: 125 to 1,022 free
 * addresses) meets 1,000 concurrent allocations for four customers, sent 100 at a time
 * round-robin to the three instances; nine in ten ask for the lowest free address, one in ten
 * for a given address of the pool. While they run, a lister reads every customer's addresses
 * again and again. Then: every address answered or listed is held by one customer only; the
 * pool is full whenever a "lowest free" request lost (granted = min(demand, available)), each
 * loser is the declared 409 (`failed_precondition` for a full pool, `already_exists` for an
 * address held), every requested address that lost is held by someone; the pool's `allocated`
 * and the customers' listings equal exactly what was answered 201; no answer is 5xx.
 * `npm test` runs 1 trial and `npm run test:adversarial` 50 (`ADVERSARIAL_OVERSELL_IP_TRIALS`,
 * `ADVERSARIAL_OVERSELL_IP_ALLOCATIONS` override).
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import ipaddr from 'ipaddr.js'
import { eachDialect, type TestServer, closeInstances, ok, startInstances } from '../helpers/harness.js'
import { count } from '../helpers/adversarial.js'

const TRIALS = count('OVERSELL_IP_TRIALS', 1, 50)
const ALLOCATIONS = count('OVERSELL_IP_ALLOCATIONS', 1000, 1000)
const CUSTOMERS = 4
const CONCURRENCY = 100

/** One address as the server writes it, whatever the spelling (IPv6 compressed or not). */
function norm(a: string): string {
  return ipaddr.parse(a).toNormalizedString()
}

/** The pool of one trial: distinct ranges per trial, so pools never overlap. */
function poolFor(trial: number): { family: 'ipv4' | 'ipv6'; cidr: string; size: number; capacity: number; host: (i: number) => string } {
  if (Math.random() < 0.5) {
    const prefix = 22 + Math.floor(Math.random() * 4)
    const size = 2 ** (32 - prefix)
    const base = (10 << 24) + (trial << 16)
    const host = (i: number) => [24, 16, 8, 0].map((s) => ((base + i) >>> s) & 255).join('.')
    // network, broadcast and the gateway (the first host) are never given
    return { family: 'ipv4', cidr: `${host(0)}/${prefix}`, size, capacity: size - 3, host }
  }
  const prefix = 118 + Math.floor(Math.random() * 4)
  const size = 2 ** (128 - prefix)
  const host = (i: number) => `fd00:15:${trial.toString(16)}::${i.toString(16)}`
  // network and the gateway (the first host); IPv6 has no broadcast
  return { family: 'ipv6', cidr: `fd00:15:${trial.toString(16)}::/${prefix}`, size, capacity: size - 2, host }
}

eachDialect('IP addresses are never given twice through three instances', (dialect) => {
  let s: TestServer
  let all: TestServer[]
  before(async () => {
    all = await startInstances(dialect, 3)
    s = all[0]!
  })
  after(() => closeInstances(all))

  const api = (method: string, path: string, body?: unknown) => ok(s, method, path, body)

  for (let trial = 1; trial <= TRIALS; trial++) {
    it(`trial ${trial}: ${ALLOCATIONS} concurrent allocations from one pool for ${CUSTOMERS} customers`, async () => {
      const pool = poolFor(trial)
      const name = `Race ${trial}`
      const made = await api('POST', '/ip-pools', { name, cidr: pool.cidr })
      assert.equal(made.capacity, String(pool.capacity), `${pool.cidr}: capacity`)
      const customers: string[] = []
      for (let c = 0; c < CUSTOMERS; c++) customers.push((await api('POST', `/orgs/${s.masterId}/customers`, { name: `IP Race ${trial}.${c}` })).id)

      // One in ten asks for a given host of the pool (never a reserved one: 2 … size − 2).
      const asks = Array.from({ length: ALLOCATIONS }, () =>
        Math.random() < 0.1 ? { address: pool.host(2 + Math.floor(Math.random() * (pool.size - 3))) } : {},
      )
      const answers: { i: number; customer: string; address?: string; status: number; code?: string }[] = []
      const seenInListings: string[] = []
      let racing = true
      async function listDuringRace(): Promise<void> {
        for (let k = 0; racing; k++) {
          const owner = new Map<string, string>()
          for (const c of customers) {
            const r = await all[k % all.length]!.req('GET', `/orgs/${c}/ip-addresses`)
            assert.equal(r.status, 200, r.text)
            for (const x of r.body.items as { address: string }[]) {
              const a = norm(x.address)
              assert.ok(!owner.has(a) || owner.get(a) === c, `${a} listed for two customers during the race`)
              owner.set(a, c)
              seenInListings.push(a)
            }
            assert.equal(new Set((r.body.items as { address: string }[]).map((x) => norm(x.address))).size, r.body.items.length, `a duplicate in ${c}'s listing`)
          }
        }
      }
      const lister = listDuringRace()
      let next = 0
      const t0 = Date.now()
      try {
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let i = next++; i < ALLOCATIONS; i = next++) {
              const customer = customers[i % CUSTOMERS]!
              const r = await all[i % all.length]!.req('POST', `/orgs/${customer}/ip-addresses`, { body: { pool: name, ...asks[i] } })
              answers.push({ i, customer, status: r.status, code: r.body?.code, address: r.status === 201 ? norm(r.body.address) : undefined })
            }
          }),
        )
      } finally {
        racing = false
      }
      await lister
      const ms = Date.now() - t0

      const fivexx = answers.filter((a) => a.status >= 500)
      assert.equal(fivexx.length, 0, `5xx answers: ${fivexx.map((a) => `${a.status} ${a.code}`).join(', ')}`)
      const won = answers.filter((a) => a.status === 201)
      const lost = answers.filter((a) => a.status !== 201)
      const given = new Map<string, string>()
      for (const w of won) {
        assert.ok(!given.has(w.address!), `${w.address} given twice (to ${given.get(w.address!)} and ${w.customer})`)
        given.set(w.address!, w.customer)
        const asked = asks[w.i]!.address
        if (asked) assert.equal(w.address, norm(asked), 'a requested address is the one given')
      }
      assert.ok(given.size <= pool.capacity, `${given.size} given from a pool of ${pool.capacity}`)
      for (const l of lost) {
        const asked = asks[l.i]!.address
        if (asked) {
          assert.deepEqual([l.status, l.code], [409, 'already_exists'], `asked for ${asked}`)
          assert.ok(given.has(norm(asked)), `${asked} refused as held, but nobody holds it`)
        } else {
          assert.deepEqual([l.status, l.code], [409, 'failed_precondition'], 'a lowest-free request refused')
        }
      }
      // granted = min(demand, available): a lowest-free request lost only to a full pool, and
      // when none lost, every one of them was given an address.
      const anyAsks = asks.filter((a) => !a.address).length
      if (lost.some((l) => !asks[l.i]!.address)) assert.equal(given.size, pool.capacity, 'a lowest-free request lost while the pool had room')
      else assert.ok(won.filter((w) => !asks[w.i]!.address).length === anyAsks)
      assert.equal(given.size, Math.min(pool.capacity, anyAsks + new Set(won.filter((w) => asks[w.i]!.address).map((w) => w.address)).size))

      // usage = sum given: the pool's count, and every listing, exactly what was answered.
      const after = await api('GET', `/ip-pools/${made.id}`)
      assert.equal(after.allocated, given.size, 'the pool counts what was given')
      for (const [k, c] of customers.entries()) {
        const r = await all[k % all.length]!.req('GET', `/orgs/${c}/ip-addresses`)
        assert.equal(r.status, 200)
        const listed = (r.body.items as { address: string; pool: string }[]).map((x) => norm(x.address)).sort()
        const mine = [...given].filter(([, owner]) => owner === c).map(([a]) => a).sort()
        assert.deepEqual(listed, mine, `${c}'s listing is what it was given`)
      }
      for (const a of seenInListings) assert.ok(given.has(a), `${a} was listed but never answered 201`)
      // Recorded for the report: how long the race took, and how much was given.
      console.log(`# ${dialect} ${pool.cidr} (${pool.capacity} free): ${won.length} given, ${lost.length} refused, ${seenInListings.length} listed during the race, ${ms} ms`)
    })
  }
})
