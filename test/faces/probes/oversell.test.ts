/**
 * Never oversold, through three instances of one database: TRIALS times, 1,000 concurrent
 * purchases of random sizes (plans of 1, 2, 3 and 5 websites) race for a reseller's quota of
 * 100 websites, sent 100 at a time round-robin to the three instances. Granted equals
 * min(demand, quota) as exactly as random sizes allow: never past the quota, and no loser's
 * size fits in what is left (quota − granted); usage equals the sum sold,
 * every loser is 409 `quota_exceeded`, and no answer is 5xx.
 * `npm test` runs 1 trial and `npm run test:adversarial` 50; `ADVERSARIAL_OVERSELL_TRIALS` and
 * `ADVERSARIAL_OVERSELL_PURCHASES` override the counts.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { eachDialect, type TestServer, closeInstances, ok, startInstances } from '../../helpers/harness.js'
import { count } from '../../helpers/adversarial.js'

const TRIALS = count('OVERSELL_TRIALS', 1, 50)
const PURCHASES = count('OVERSELL_PURCHASES', 1000, 1000)
const QUOTA = 100
const SIZES = [1, 2, 3, 5]

eachDialect('never oversold through three instances', (dialect) => {
  let s: TestServer
  let all: TestServer[]
  before(async () => {
    all = await startInstances(dialect, 3)
    s = all[0]!
  })
  after(() => closeInstances(all))

  const api = (method: string, path: string, body?: unknown) => ok(s, method, path, body)

  for (let trial = 1; trial <= TRIALS; trial++) {
    it(`trial ${trial}: ${PURCHASES} concurrent purchases of random sizes against a quota of ${QUOTA}`, async () => {
      const m = s.masterId
      const quotaPlan = await api('POST', `/orgs/${m}/plans`, { name: `Quota ${trial}`, resources: [{ name: 'customers', total: 10 }, { name: 'websites', total: QUOTA }] })
      const reseller = (await api('POST', `/orgs/${m}/customers`, { name: `Oversell Reseller ${trial}`, isReseller: true })).id as string
      await api('POST', `/orgs/${m}/customers/${reseller}/subscriptions`, { planId: quotaPlan.id })
      const plans = new Map<number, number>()
      for (const size of SIZES) plans.set(size, (await api('POST', `/orgs/${reseller}/plans`, { name: `Websites ${size}`, resources: [{ name: 'websites', total: size }] })).id)
      const buyer = (await api('POST', `/orgs/${reseller}/customers`, { name: `Oversell Buyer ${trial}` })).id as string

      const sizes = Array.from({ length: PURCHASES }, () => SIZES[Math.floor(Math.random() * SIZES.length)]!)
      const answers: { size: number; status: number; code?: string }[] = []
      let next = 0
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          for (let i = next++; i < PURCHASES; i = next++) {
            const one = all[i % all.length]!
            const r = await one.req('POST', `/orgs/${reseller}/customers/${buyer}/subscriptions`, { body: { planId: plans.get(sizes[i]!) } })
            answers.push({ size: sizes[i]!, status: r.status, code: r.body?.code })
          }
        }),
      )
      const fivexx = answers.filter((a) => a.status >= 500)
      assert.equal(fivexx.length, 0, `5xx answers: ${fivexx.map((a) => a.status).join(',')}`)
      const won = answers.filter((a) => a.status === 201)
      const lost = answers.filter((a) => a.status !== 201)
      for (const l of lost) assert.deepEqual([l.status, l.code], [409, 'quota_exceeded'])
      const granted = won.reduce((n, a) => n + a.size, 0)
      const demand = sizes.reduce((n, x) => n + x, 0)
      // granted = min(demand, quota), exactly as random sizes allow: never past the quota, and
      // no loser's size fits in what is left (so no loser could have been sold), and with no
      // loser at all everything asked for was sold.
      assert.ok(granted <= QUOTA, `granted ${granted} of a quota of ${QUOTA}`)
      const left = QUOTA - granted
      const fitting = lost.filter((l) => l.size <= left)
      assert.equal(fitting.length, 0, `granted ${granted}, ${left} left: ${fitting.length} losers of sizes ${[...new Set(fitting.map((l) => l.size))].join(', ')} would have fit`)
      if (lost.length === 0) assert.equal(granted, demand)
      const mine = await api('GET', `/orgs/${reseller}/subscriptions`)
      const w = mine.items.find((x: any) => x.planKind === 'reseller').resources.find((r: any) => r.name === 'websites')
      assert.deepEqual({ usage: w.usage, total: w.total }, { usage: granted, total: QUOTA }, 'usage is the sum sold')
      const bought = await api('GET', `/orgs/${reseller}/customers/${buyer}/subscriptions?limit=1000`)
      assert.equal(bought.items.length, won.length)
    })
  }
})
