/**
 * User limits are never overrun, through three instances of one database. Users take places
 * under limits when a customer's service is provisioned to them (README "Customer services
 * and user services": the customer service's `userLimit` and each user plan's); there is no
 * limit on creating users as such. TRIALS times, a customer's USERS users all ask at once,
 * round-robin over the three instances, for a service the customer holds with a random
 * service limit and a random plan limit (either may be unlimited, or above the demand). Then:
 * granted = min(demand, service limit, plan limit) exactly, every loser is 409
 * `quota_exceeded`, the service's and the plan's `usersCount` and the users' own services
 * equal what was answered 202, and no answer is 5xx.
 * `npm test` runs 1 trial of 60 users, `npm run test:adversarial` 50 of 200
 * (`ADVERSARIAL_OVERSELL_USER_TRIALS`, `ADVERSARIAL_OVERSELL_USERS` override).
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { eachDialect, type Answer, type TestServer, closeInstances, ok, startInstances } from '../helpers/harness.js'
import { count } from '../helpers/adversarial.js'

const TRIALS = count('OVERSELL_USER_TRIALS', 1, 50)
const USERS = count('OVERSELL_USERS', 60, 200)

/** A limit for a trial: unlimited one time in five, else 1 … USERS + 10 (so sometimes above the demand). */
function randomLimit(): number | 'Unlimited' {
  return Math.random() < 0.2 ? 'Unlimited' : 1 + Math.floor(Math.random() * (USERS + 10))
}

eachDialect('user limits hold through three instances', (dialect) => {
  let s: TestServer
  let all: TestServer[]
  let customer: string
  const users: string[] = []

  const api = (method: string, path: string, body?: unknown) => ok(s, method, path, body)

  async function until(path: string, want: string): Promise<Answer> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.status === want) return r
      if (Date.now() - t0 > 30_000) assert.fail(`${path} stayed ${r.body?.status} (${r.text}), wanted ${want}`)
      await new Promise((res) => setTimeout(res, 25))
    }
  }

  before(async () => {
    all = await startInstances(dialect, 3, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    s = all[0]!
    // One service per trial, so each trial starts from no holder.
    const services = Array.from({ length: TRIALS }, (_, t) => ({ name: `RACE${t + 1}`, displayName: `Race ${t + 1}`, plans: [{ name: 'FULL' }] }))
    await api('PUT', '/catalog', { services, locations: [{ name: 'Race', services: services.map((x) => x.name) }] })
    customer = (await api('POST', `/orgs/${s.masterId}/customers`, { name: 'Crowded Race Customer' })).id
    let next = 0
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = next++; i < USERS; i = next++) {
          const u = await api('POST', `/orgs/${customer}/members`, { username: `race${i}_${dialect}`, password: 'a-long-password-race', role: 'member' })
          users[i] = u.id
        }
      }),
    )
  })
  after(() => closeInstances(all))

  for (let trial = 1; trial <= TRIALS; trial++) {
    it(`trial ${trial}: ${USERS} users at once against a service limit and a plan limit`, async () => {
      const service = `RACE${trial}`
      const serviceLimit = randomLimit()
      const planLimit = randomLimit()
      const body = { location: 'Race', userLimit: serviceLimit, userPlans: [{ name: 'FULL', enabled: true, ...(planLimit === 'Unlimited' ? {} : { userLimit: planLimit }) }] }
      const r = await s.req('PUT', `/orgs/${customer}/services/${service}`, { body })
      assert.equal(r.status, 202, r.text)
      await until(`/orgs/${customer}/services/${service}`, 'Provisioned')

      const answers: { user: string; status: number; code?: string }[] = []
      const t0 = Date.now()
      await Promise.all(
        users.map(async (user, i) => {
          const a = await all[i % all.length]!.req('PUT', `/orgs/${customer}/members/${user}/services/${service}`, { body: { userPlans: ['FULL'] } })
          answers.push({ user, status: a.status, code: a.body?.code })
        }),
      )
      const ms = Date.now() - t0
      const fivexx = answers.filter((a) => a.status >= 500)
      assert.equal(fivexx.length, 0, `5xx answers: ${fivexx.map((a) => `${a.status} ${a.code}`).join(', ')}`)
      const won = answers.filter((a) => a.status === 202)
      for (const l of answers.filter((a) => a.status !== 202)) assert.deepEqual([l.status, l.code], [409, 'quota_exceeded'])
      const limits = [USERS, serviceLimit, planLimit].filter((x): x is number => x !== 'Unlimited')
      assert.equal(won.length, Math.min(...limits), `granted of ${USERS} users, service limit ${serviceLimit}, plan limit ${planLimit}`)

      const cs = await api('GET', `/orgs/${customer}/services/${service}`)
      assert.equal(cs.usersCount, won.length, "the service's usersCount is the users given it")
      assert.equal(cs.userPlans.find((p: any) => p.name === 'FULL').usersCount, won.length, "the plan's usersCount too")
      const holders = new Set<string>()
      for (const [i, user] of users.entries()) {
        const us = await all[i % all.length]!.req('GET', `/orgs/${customer}/members/${user}/services/${service}`)
        assert.equal(us.status, 200, us.text)
        if (us.body.status !== 'NotProvisioned') holders.add(user)
      }
      assert.deepEqual([...holders].sort(), won.map((w) => w.user).sort(), 'the users holding the service are the ones answered 202')
      console.log(`# ${dialect} ${USERS} users, service limit ${serviceLimit}, plan limit ${planLimit}: ${won.length} given, ${answers.length - won.length} refused, ${ms} ms`)
    })
  }
})
