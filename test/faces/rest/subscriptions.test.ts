/**
 * Subscriptions (seed 003's create_customer_subscription and get_customer_subscriptions) and the
 * reseller quotas they draw on: every rule of the seed's description, every status code it lists.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'

const PW = 'a-long-password-1'

eachDialect('subscriptions and reseller quotas', (dialect) => {
  let s: TestServer
  let resellerPlan: number
  let reseller: string
  let rAdmin: [string, string]
  let hosting: number
  const customers: string[] = []

  const ok = (r: Answer, status: number) => assert.equal(r.status, status, `${status} expected: ${r.text}`)
  const org = async (parent: string, body: Record<string, unknown>, auth?: [string, string]) => {
    const r = await s.req('POST', `/orgs/${parent}/customers`, { body, ...(auth ? { auth } : {}) })
    ok(r, 201)
    return r.body.id as string
  }
  const user = async (orgId: string, username: string, role: string) => {
    ok(await s.req('POST', `/orgs/${orgId}/members`, { body: { username, password: PW, role } }), 201)
    return [username, PW] as [string, string]
  }
  const plan = async (orgId: string, body: Record<string, unknown>, auth?: [string, string]) => {
    const r = await s.req('POST', `/orgs/${orgId}/plans`, { body, ...(auth ? { auth } : {}) })
    ok(r, 201)
    assert.equal(typeof r.body.id, 'number')
    return r.body.id as number
  }
  const subscribe = (vendor: string, customer: string, body: Record<string, unknown>, auth?: [string, string]) =>
    s.req('POST', `/orgs/${vendor}/customers/${customer}/subscriptions`, { body, ...(auth ? { auth } : {}) })
  /** The reseller's own reseller subscription, as it sees it. */
  const quota = async () => {
    const r = await s.req('GET', `/orgs/${reseller}/subscriptions`, { auth: rAdmin })
    ok(r, 200)
    const sub = r.body.items.find((x: any) => x.planKind === 'reseller')
    return Object.fromEntries(sub.resources.map((x: any) => [x.name, x.usage])) as Record<string, number>
  }

  before(async () => {
    s = await startServer(dialect)
    resellerPlan = await plan(s.masterId, {
      name: 'Reseller Gold',
      resources: [{ name: 'customers', total: 3 }, { name: 'websites', total: 10 }, { name: 'diskspace', total: 1000 }, { name: 'mailboxes' }],
    })
    reseller = await org(s.masterId, { name: `Reseller R ${dialect}` })
    rAdmin = await user(reseller, `radmin_${dialect}`, 'admin')
  })
  after(() => s.close())

  describe('becoming a reseller', () => {
    it('a customer is not a reseller until it holds a reseller subscription', async () => {
      const g = await s.req('GET', `/orgs/${reseller}`)
      assert.equal(g.body.isReseller, false)
      const r = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Too Early' }, auth: rAdmin })
      ok(r, 403)
    })

    it('subscribing it to a reseller plan of its parent makes it a (metered) reseller: 201 {id}', async () => {
      const r = await subscribe(s.masterId, reseller, { planId: resellerPlan, friendlyName: 'R main' })
      ok(r, 201)
      assert.deepEqual(Object.keys(r.body), ['id'])
      assert.equal(typeof r.body.id, 'number')
      const g = (await s.req('GET', `/orgs/${reseller}`)).body
      assert.equal(g.isReseller, true)
      assert.equal(g.subscriptionsCount, 1)
      const mine = await s.req('GET', `/orgs/${reseller}/subscriptions/${r.body.id}`, { auth: rAdmin })
      ok(mine, 200)
      assert.equal(mine.body.planName, 'Reseller Gold')
      assert.equal(mine.body.planKind, 'reseller')
      assert.equal(mine.body.vendorId, s.masterId)
      assert.equal(mine.body.subscriberId, reseller)
      assert.equal(mine.body.status, 'active')
      assert.equal(mine.body.isSuspended, false)
      assert.equal(mine.body.friendlyName, 'R main')
      assert.deepEqual(mine.body.resources, [
        { name: 'customers', total: 3, usage: 0 },
        { name: 'diskspace', total: 1000, usage: 0 },
        { name: 'mailboxes', usage: 0 },
        { name: 'websites', total: 10, usage: 0 },
      ])
    })

    it('a second reseller subscription is refused with 409 already_exists', async () => {
      const r = await subscribe(s.masterId, reseller, { planId: resellerPlan })
      ok(r, 409)
      assert.equal(r.body.code, 'already_exists')
    })

    it('meters its customers: the quota of 3 admits 3 and refuses the 4th with 409 quota_exceeded naming customers', async () => {
      for (let i = 1; i <= 3; i++) customers.push(await org(reseller, { name: `Customer ${i}` }, rAdmin))
      const r = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Customer 4' }, auth: rAdmin })
      ok(r, 409)
      assert.equal(r.body.code, 'quota_exceeded')
      assert.equal(r.body.resource, 'customers')
      assert.equal((await quota()).customers, 3)
      const list = await s.req('GET', `/orgs/${reseller}/customers`, { auth: rAdmin })
      assert.equal(list.body.total, 3)
    })

    it('deleting a customer gives its place back', async () => {
      const extra = customers.pop()!
      ok(await s.req('DELETE', `/orgs/${extra}`, { auth: rAdmin }), 204)
      assert.equal((await quota()).customers, 2)
      customers.push(await org(reseller, { name: 'Customer 3b' }, rAdmin))
      assert.equal((await quota()).customers, 3)
    })

    it('only the master organisation sets isReseller', async () => {
      const r = await s.req('PATCH', `/orgs/${customers[0]}`, { body: { isReseller: true }, auth: rAdmin })
      ok(r, 403)
      const c = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'Made Reseller', isReseller: true }, auth: rAdmin })
      ok(c, 403)
    })
  })

  describe('plans of a reseller', () => {
    it('offers only what its reseller subscription has: unlimited only where it is unlimited', async () => {
      const unl = await s.req('POST', `/orgs/${reseller}/plans`, { body: { name: 'Bad Unlimited', resources: [{ name: 'websites' }] }, auth: rAdmin })
      ok(unl, 409)
      assert.equal(unl.body.code, 'failed_precondition')
      assert.equal(unl.body.resource, 'websites')
      const missing = await s.req('POST', `/orgs/${reseller}/plans`, { body: { name: 'Bad Missing', resources: [{ name: 'ftpUsers', total: 1 }] }, auth: rAdmin })
      ok(missing, 409)
      assert.equal(missing.body.resource, 'ftpUsers')
      const over = await s.req('POST', `/orgs/${reseller}/plans`, { body: { name: 'Bad Over', resources: [{ name: 'websites', total: 11 }] }, auth: rAdmin })
      ok(over, 409)
      hosting = await plan(reseller, { name: 'Hosting S', resources: [{ name: 'websites', total: 4 }, { name: 'diskspace', total: 300 }, { name: 'mailboxes' }] }, rAdmin)
      const g = await s.req('GET', `/orgs/${reseller}/plans/${hosting}`, { auth: rAdmin })
      ok(g, 200)
      assert.equal(g.body.planKind, 'hosting')
      assert.equal(g.body.planType, 'shared')
      assert.deepEqual(g.body.resources, [{ name: 'diskspace', total: 300 }, { name: 'mailboxes' }, { name: 'websites', total: 4 }])
    })

    it('an organisation that is not a reseller has no plans to make: 403', async () => {
      const cAdmin = await user(customers[0]!, `c1admin_${dialect}`, 'admin')
      const r = await s.req('POST', `/orgs/${customers[0]}/plans`, { body: { name: 'Nope' }, auth: cAdmin })
      ok(r, 403)
    })
  })

  describe('selling', () => {
    let sub1: number
    let sub2: number

    it('draws each sold resource from the reseller subscription', async () => {
      const r = await subscribe(reseller, customers[0]!, { planId: hosting }, rAdmin)
      ok(r, 201)
      sub1 = r.body.id
      assert.deepEqual(await quota(), { customers: 3, diskspace: 300, mailboxes: 0, websites: 4 })
      const c = (await s.req('GET', `/orgs/${customers[0]}`)).body
      assert.equal(c.subscriptionsCount, 1)
      const r2 = await subscribe(reseller, customers[1]!, { planId: hosting, friendlyName: 'second' }, rAdmin)
      ok(r2, 201)
      sub2 = r2.body.id
      assert.deepEqual(await quota(), { customers: 3, diskspace: 600, mailboxes: 0, websites: 8 })
    })

    it('refuses a sale past the quota with 409 quota_exceeded naming the resource, changing nothing', async () => {
      const before = await quota()
      const r = await subscribe(reseller, customers[2]!, { planId: hosting }, rAdmin)
      ok(r, 409)
      assert.equal(r.body.code, 'quota_exceeded')
      assert.equal(r.body.resource, 'websites')
      assert.deepEqual(await quota(), before)
      assert.equal((await s.req('GET', `/orgs/${customers[2]}`)).body.subscriptionsCount, 0)
      const list = await s.req('GET', `/orgs/${reseller}/customers/${customers[2]}/subscriptions`, { auth: rAdmin })
      assert.deepEqual(list.body, { items: [], total: 0 })
    })

    it('suspending gives the amounts back, resuming takes them again (and is refused past the quota)', async () => {
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { body: { isSuspended: true }, auth: rAdmin }), 204)
      assert.equal((await quota()).websites, 4)
      const got = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { auth: rAdmin })
      assert.equal(got.body.isSuspended, true)
      assert.equal(got.body.suspendedBy, reseller)
      const r3 = await subscribe(reseller, customers[2]!, { planId: hosting }, rAdmin)
      ok(r3, 201)
      assert.equal((await quota()).websites, 8)
      const resume = await s.req('PATCH', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { body: { isSuspended: false }, auth: rAdmin })
      ok(resume, 409)
      assert.equal(resume.body.code, 'quota_exceeded')
      assert.equal(resume.body.resource, 'websites')
      assert.equal((await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { auth: rAdmin })).body.isSuspended, true)
      ok(await s.req('DELETE', `/orgs/${reseller}/customers/${customers[2]}/subscriptions/${r3.body.id}`, { auth: rAdmin }), 204)
      assert.equal((await quota()).websites, 4)
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { body: { isSuspended: false }, auth: rAdmin }), 204)
      assert.equal((await quota()).websites, 8)
    })

    it('cancelling gives back; reactivating takes again', async () => {
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { body: { status: 'cancelled' }, auth: rAdmin }), 204)
      assert.equal((await quota()).websites, 4)
      const g = await s.req('GET', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { auth: rAdmin })
      assert.equal(g.body.lifecycleStatus, 'cancelled')
      assert.equal(g.body.status, 'active')
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { body: { status: 'active' }, auth: rAdmin }), 204)
      assert.equal((await quota()).websites, 8)
    })

    it('a plan change re-checks the quota', async () => {
      const big = await plan(reseller, { name: 'Hosting L', resources: [{ name: 'websites', total: 7 }, { name: 'diskspace', total: 300 }] }, rAdmin)
      const r = await s.req('PATCH', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { body: { planId: big }, auth: rAdmin })
      ok(r, 409)
      assert.equal(r.body.resource, 'websites')
      assert.equal((await quota()).websites, 8)
      const small = await plan(reseller, { name: 'Hosting XS', resources: [{ name: 'websites', total: 1 }] }, rAdmin)
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { body: { planId: small }, auth: rAdmin }), 204)
      assert.deepEqual(await quota(), { customers: 3, diskspace: 300, mailboxes: 0, websites: 5 })
      const g = (await s.req('GET', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { auth: rAdmin })).body
      assert.equal(g.planId, small)
      assert.equal(g.planName, 'Hosting XS')
      assert.deepEqual(g.resources, [{ name: 'websites', total: 1, usage: 0 }])
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[1]}/subscriptions/${sub2}`, { body: { planId: hosting }, auth: rAdmin }), 204)
      assert.equal((await quota()).websites, 8)
    })

    it('lists a customer\'s subscriptions with paging and sorting, in both spellings', async () => {
      const extra = await subscribe(reseller, customers[0]!, { planId: (await plan(reseller, { name: 'Aardvark', resources: [] }, rAdmin)) }, rAdmin)
      ok(extra, 201)
      const all = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions`, { auth: rAdmin })
      ok(all, 200)
      assert.equal(all.body.total, 2)
      assert.deepEqual(all.body.items.map((x: any) => x.id), [sub1, extra.body.id])
      const byPlan = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions?sortBy=plan`, { auth: rAdmin })
      assert.deepEqual(byPlan.body.items.map((x: any) => x.planName), ['Aardvark', 'Hosting S'])
      const desc = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions?sort_by=plan&sort_order=desc&limit=1`, { auth: rAdmin })
      assert.deepEqual(desc.body.items.map((x: any) => x.planName), ['Hosting S'])
      assert.equal(desc.body.total, 2)
      const off = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions?offset=1&sortBy=vendorId`, { auth: rAdmin })
      assert.equal(off.body.items.length, 1)
      ok(await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions?sortBy=subscriberId&sortOrder=asc`, { auth: rAdmin }), 200)
      const bad = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions?sortBy=nope`, { auth: rAdmin })
      ok(bad, 400)
      const twice = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions?sortBy=plan&sort_by=vendorId`, { auth: rAdmin })
      ok(twice, 400)
      const item = all.body.items[0]
      for (const k of ['id', 'planId', 'planName', 'subscriberId', 'vendorId', 'status', 'isSuspended', 'friendlyName', 'resources', 'placement']) assert.ok(k in item, k)
      assert.equal((await s.req('GET', `/orgs/${customers[0]}`)).body.subscriptionsCount, 2)
      ok(await s.req('DELETE', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${extra.body.id}`, { auth: rAdmin }), 204)
      assert.equal((await s.req('GET', `/orgs/${customers[0]}`)).body.subscriptionsCount, 1)
    })

    it('filters the customers listing by planId (planId and plan_id)', async () => {
      const r = await s.req('GET', `/orgs/${reseller}/customers?planId=${hosting}`, { auth: rAdmin })
      ok(r, 200)
      assert.equal(r.body.total, 2)
      assert.deepEqual(r.body.items.map((x: any) => x.id).sort(), [customers[0], customers[1]].sort())
      const snake = await s.req('GET', `/orgs/${reseller}/customers?plan_id=${hosting}`, { auth: rAdmin })
      assert.equal(snake.body.total, 2)
      const rec = await s.req('GET', `/orgs/${s.masterId}/customers?planId=${hosting}&recursive=true`)
      assert.equal(rec.body.total, 2)
      const direct = await s.req('GET', `/orgs/${s.masterId}/customers?planId=${resellerPlan}`)
      assert.deepEqual(direct.body.items.map((x: any) => x.id), [reseller])
      const none = await s.req('GET', `/orgs/${reseller}/customers?planId=999999`, { auth: rAdmin })
      assert.deepEqual(none.body, { items: [], total: 0 })
      ok(await s.req('GET', `/orgs/${reseller}/customers?planId=abc`, { auth: rAdmin }), 400)
    })

    it('websitesCount follows the websites its hosting subscriptions use, as the platform reports them', async () => {
      const path = `/orgs/${customers[0]}/subscriptions/${sub1}/usage`
      ok(await s.req('PUT', path, { body: { resources: [{ name: 'websites', usage: 3 }, { name: 'diskspace', usage: 120 }] } }), 204)
      const c = (await s.req('GET', `/orgs/${customers[0]}`)).body
      assert.equal(c.websitesCount, 3)
      const g = (await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { auth: rAdmin })).body
      assert.deepEqual(g.resources.find((x: any) => x.name === 'websites'), { name: 'websites', total: 4, usage: 3 })
      const over = await s.req('PUT', path, { body: { resources: [{ name: 'websites', usage: 5 }] } })
      ok(over, 409)
      assert.equal(over.body.resource, 'websites')
      ok(await s.req('PUT', path, { body: { resources: [{ name: 'ftpUsers', usage: 1 }] } }), 400)
      ok(await s.req('PUT', path, { body: { resources: [{ name: 'websites', usage: 1 }] }, auth: rAdmin }), 403)
      assert.equal((await s.req('GET', `/orgs/${customers[0]}`)).body.websitesCount, 3)
      // A plan change keeps usage and refuses a plan that gives less than is used.
      const tiny = await plan(reseller, { name: 'Tiny', resources: [{ name: 'websites', total: 2 }, { name: 'diskspace', total: 300 }] }, rAdmin)
      const down = await s.req('PATCH', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${sub1}`, { body: { planId: tiny }, auth: rAdmin })
      ok(down, 409)
      assert.equal(down.body.resource, 'websites')
      ok(await s.req('PUT', path, { body: { resources: [{ name: 'websites', usage: 0 }] } }), 204)
      assert.equal((await s.req('GET', `/orgs/${customers[0]}`)).body.websitesCount, 0)
    })

    it('a plan with live subscriptions cannot be deleted; one without can', async () => {
      const r = await s.req('DELETE', `/orgs/${reseller}/plans/${hosting}`, { auth: rAdmin })
      ok(r, 409)
      assert.equal(r.body.code, 'failed_precondition')
      const g = await s.req('GET', `/orgs/${reseller}/plans/${hosting}`, { auth: rAdmin })
      assert.equal(g.body.subscriptionsCount, 2)
    })

    it('deleting a customer deletes its subscriptions and gives their amounts back', async () => {
      const before = await quota()
      const extra = await org(reseller, { name: 'Short Lived' }, rAdmin).catch(() => undefined)
      assert.equal(extra, undefined, 'the customers quota is full')
      ok(await s.req('DELETE', `/orgs/${customers[1]}`, { auth: rAdmin }), 204)
      const after = await quota()
      assert.equal(after.websites, before.websites! - 4)
      assert.equal(after.customers, 2)
      assert.equal((await s.req('GET', `/orgs/${reseller}/plans/${hosting}`, { auth: rAdmin })).body.subscriptionsCount, 1)
    })
  })

  describe('who may sell what to whom', () => {
    it('answers 401 without credentials', async () => {
      ok(await s.req('POST', `/orgs/${reseller}/customers/${customers[0]}/subscriptions`, { body: { planId: hosting }, auth: null }), 401)
      ok(await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions`, { auth: null }), 401)
    })

    it('answers 400 for bad input, changing nothing', async () => {
      const before = await quota()
      for (const body of [{}, { planId: 'x' }, { planId: hosting, extra: 1 }, { planId: 0 }, { planId: hosting, friendlyName: 5 }]) {
        const r = await subscribe(reseller, customers[0]!, body, rAdmin)
        ok(r, 400)
        assert.equal(r.body.code, 'invalid_argument')
      }
      ok(await s.req('POST', `/orgs/${reseller}/customers/${customers[0]}/subscriptions`, { raw: '{bad', headers: { 'content-type': 'application/json' }, auth: rAdmin }), 400)
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/1`, { body: { status: 'gone' }, auth: rAdmin }), 400)
      assert.deepEqual(await quota(), before)
    })

    it('answers 403 to a role that may not write, and to a non-master overriding servers', async () => {
      const member = await user(reseller, `rmember_${dialect}`, 'member')
      const r = await subscribe(reseller, customers[0]!, { planId: hosting }, member)
      ok(r, 403)
      const list = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions`, { auth: member })
      ok(list, 200)
      const grp = await s.req('POST', '/server-groups', { body: { name: `grp-${dialect}` } })
      ok(grp, 201)
      const o = await subscribe(reseller, customers[0]!, { planId: hosting, serverGroupId: grp.body.id }, rAdmin)
      ok(o, 403)
    })

    it('answers 403 when the seller is not a reseller', async () => {
      const cAdmin: [string, string] = [`c1admin_${dialect}`, PW]
      const r = await subscribe(customers[0]!, customers[0]!, { planId: hosting }, cAdmin)
      ok(r, 403)
      assert.equal(r.body.code, 'forbidden')
    })

    it('answers 404 for another organisation\'s plan, a customer that is not its own, an id out of reach', async () => {
      const other = await subscribe(reseller, customers[0]!, { planId: resellerPlan }, rAdmin)
      ok(other, 404)
      const notMine = await subscribe(reseller, s.masterId, { planId: hosting }, rAdmin)
      ok(notMine, 404)
      const stranger = await org(s.masterId, { name: `Stranger ${dialect}` })
      ok(await subscribe(reseller, stranger, { planId: hosting }, rAdmin), 404)
      ok(await subscribe(s.masterId, reseller, { planId: hosting }), 404)
      ok(await s.req('GET', `/orgs/${s.masterId}/customers/${reseller}/subscriptions`, { auth: rAdmin }), 404)
      ok(await s.req('PATCH', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/999999`, { body: { friendlyName: 'x' }, auth: rAdmin }), 404)
      ok(await s.req('DELETE', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/999999`, { auth: rAdmin }), 404)
    })

    it('lets the master organisation override servers, and shows where a subscription is placed', async () => {
      const srv = await s.req('POST', '/servers', { body: { name: `web1-${dialect}`, roles: ['app'] } })
      ok(srv, 201)
      const r = await subscribe(reseller, customers[0]!, { planId: (await plan(reseller, { name: 'Placed', resources: [] }, rAdmin)), dedicatedServers: { appServerId: srv.body.id } })
      ok(r, 201)
      const g = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions/${r.body.id}`)
      assert.equal(g.body.placement, 'subscription')
      assert.deepEqual(g.body.dedicatedServerIds, { appServerId: srv.body.id })
      assert.equal(g.body.dedicatedServers.appServer.id, srv.body.id)
      const wrongRole = await subscribe(reseller, customers[0]!, { planId: hosting, dedicatedServers: { dbServerId: srv.body.id } })
      ok(wrongRole, 400)
      const plain = await s.req('GET', `/orgs/${reseller}/customers/${customers[0]}/subscriptions`)
      assert.ok(plain.body.items.some((x: any) => x.placement === 'automatic'))
      ok(await s.req('DELETE', `/servers/${srv.body.id}`), 409)
    })
  })

  describe('reseller subscriptions and unmetered resellers', () => {
    it('an unmetered reseller may have customers but sells nothing until it holds a reseller subscription', async () => {
      const u = await org(s.masterId, { name: `Unmetered ${dialect}`, isReseller: true })
      const uAdmin = await user(u, `uadmin_${dialect}`, 'admin')
      const c = await org(u, { name: 'U Customer' }, uAdmin)
      const p = await s.req('POST', `/orgs/${u}/plans`, { body: { name: 'U plan' }, auth: uAdmin })
      ok(p, 409)
      assert.equal(p.body.code, 'failed_precondition')
      // Now a reseller subscription: its existing customer counts against it.
      const tight = await plan(s.masterId, { name: `Tight ${dialect}`, resources: [{ name: 'customers', total: 0 }] })
      const refused = await subscribe(s.masterId, u, { planId: tight })
      ok(refused, 409)
      assert.equal(refused.body.resource, 'customers')
      const sub = await subscribe(s.masterId, u, { planId: resellerPlan })
      ok(sub, 201)
      const mine = await s.req('GET', `/orgs/${u}/subscriptions/${sub.body.id}`, { auth: uAdmin })
      assert.equal(mine.body.resources.find((x: any) => x.name === 'customers').usage, 1)
      const hp = await plan(u, { name: 'U hosting', resources: [{ name: 'websites', total: 10 }] }, uAdmin)
      ok(await subscribe(u, c, { planId: hp }, uAdmin), 201)
      // A reseller subscription its sales draw from is not deleted.
      const del = await s.req('DELETE', `/orgs/${s.masterId}/customers/${u}/subscriptions/${sub.body.id}`)
      ok(del, 409)
      assert.equal(del.body.code, 'failed_precondition')
    })

    it('suspending a reseller subscription stops its sales and new customers; resuming allows them again', async () => {
      const mine = await s.req('GET', `/orgs/${reseller}/subscriptions`, { auth: rAdmin })
      const id = mine.body.items.find((x: any) => x.planKind === 'reseller').id
      ok(await s.req('PATCH', `/orgs/${s.masterId}/customers/${reseller}/subscriptions/${id}`, { body: { isSuspended: true } }), 204)
      const sale = await subscribe(reseller, customers[0]!, { planId: hosting }, rAdmin)
      ok(sale, 409)
      assert.equal(sale.body.code, 'failed_precondition')
      const c = await s.req('POST', `/orgs/${reseller}/customers`, { body: { name: 'While Suspended' }, auth: rAdmin })
      ok(c, 409)
      assert.equal((await s.req('GET', `/orgs/${reseller}`)).body.isReseller, true)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/customers/${reseller}/subscriptions/${id}`, { body: { isSuspended: false } }), 204)
      ok(await subscribe(reseller, customers[0]!, { planId: hosting }, rAdmin), 201)
    })

    it('a sub-reseller draws from its own reseller subscription, which draws from its reseller', async () => {
      const rp = await plan(reseller, { name: 'Sub Reseller', resources: [{ name: 'customers', total: 1 }, { name: 'websites', total: 1 }] }, rAdmin)
      const target = customers[2]!
      const before = await quota()
      const r = await subscribe(reseller, target, { planId: rp }, rAdmin)
      ok(r, 201)
      assert.equal((await quota()).websites, before.websites! + 1)
      assert.equal((await s.req('GET', `/orgs/${target}`, { auth: rAdmin })).body.isReseller, true)
      const sAdmin = await user(target, `sadmin_${dialect}`, 'admin')
      await org(target, { name: 'Sub Customer' }, sAdmin)
      const full = await s.req('POST', `/orgs/${target}/customers`, { body: { name: 'Sub Customer 2' }, auth: sAdmin })
      ok(full, 409)
      assert.equal(full.body.resource, 'customers')
    })
  })

  it('counts customers created while their parent becomes metered exactly once', async () => {
    const big = await plan(s.masterId, { name: `Reseller Race ${dialect}`, resources: [{ name: 'customers', total: 1000 }] })
    for (let round = 0; round < 5; round++) {
      const r = await org(s.masterId, { name: `Race R${round} ${dialect}`, isReseller: true })
      const creations = Array.from({ length: 15 }, (_, i) => s.req('POST', `/orgs/${r}/customers`, { body: { name: `Race C${round}.${i}` } }))
      const sub = subscribe(s.masterId, r, { planId: big })
      const answers = await Promise.all([...creations, sub])
      assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.map((a) => a.status)))
      const mine = (await s.req('GET', `/orgs/${r}/subscriptions`)).body.items.find((x: any) => x.planKind === 'reseller')
      const used = mine.resources.find((x: any) => x.name === 'customers').usage
      const live = (await s.req('GET', `/orgs/${r}/customers?limit=100`)).body.total
      assert.equal(live, 15)
      assert.equal(used, live, `round ${round}`)
    }
  })
  describe("seed 003's /orgs/{org_id}/subscriptions/{subscription_id}", () => {
    it('changes and deletes a subscription by its holder\'s id, for the seller only', async () => {
      const p = await plan(s.masterId, { name: `Short Path ${dialect}`, resources: [{ name: 'websites', total: 2 }] })
      const holder = await org(s.masterId, { name: `Short Path Holder ${dialect}` })
      const holderAdmin = await user(holder, `shortpath_${dialect}`, 'admin')
      const sold = await subscribe(s.masterId, holder, { planId: p })
      ok(sold, 201)
      const path = `/orgs/${holder}/subscriptions/${sold.body.id}`

      ok(await s.req('PATCH', path, { body: { friendlyName: 'renamed' } }), 204)
      assert.equal((await s.req('GET', path)).body.friendlyName, 'renamed')
      const stale = await s.req('PATCH', path, { body: { friendlyName: 'stale' }, headers: { 'if-match': '"1"' } })
      ok(stale, 412)
      // The holder sees its subscription but may not change or delete it: its seller does.
      ok(await s.req('GET', path, { auth: holderAdmin }), 200)
      ok(await s.req('PATCH', path, { body: { friendlyName: 'mine' }, auth: holderAdmin }), 403)
      ok(await s.req('DELETE', path, { auth: holderAdmin }), 403)
      ok(await s.req('PATCH', `/orgs/${holder}/subscriptions/999999`, { body: { friendlyName: 'x' } }), 404)

      ok(await s.req('DELETE', path), 204)
      ok(await s.req('GET', path), 404)
      ok(await s.req('DELETE', path), 404)
    })
  })
})
