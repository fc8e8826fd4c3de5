/**
 * Plans (`/orgs/{org_id}/plans`), the resource names they use, and the servers and server
 * groups they are placed on: shapes, rules and every status code.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'

const PW = 'a-long-password-1'
const SEED_NAMES = ['addonDomains', 'customers', 'diskspace', 'dnsRecords', 'domainAliases', 'forwarders', 'ftpUsers', 'mailboxes', 'mysqlDbs', 'pageViews', 'postgresqlDbs', 'stagingWebsites', 'subdomains', 'transfer', 'websites']

eachDialect('plans, resource names, servers', (dialect) => {
  let s: TestServer
  let customer: string
  let cAdmin: [string, string]
  let reader: [string, string]
  const ok = (r: Answer, status: number) => assert.equal(r.status, status, `${status} expected: ${r.text}`)

  before(async () => {
    s = await startServer(dialect, { worker: false })
    const c = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Plain Customer' } })
    ok(c, 201)
    customer = c.body.id
    ok(await s.req('POST', `/orgs/${customer}/members`, { body: { username: `padmin_${dialect}`, password: PW, role: 'admin' } }), 201)
    cAdmin = [`padmin_${dialect}`, PW]
    ok(await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username: `mreader_${dialect}`, password: PW, role: 'readonly' } }), 201)
    reader = [`mreader_${dialect}`, PW]
  })
  after(() => s.close())

  describe('resource names', () => {
    it("start with seed 003's set", async () => {
      const r = await s.req('GET', '/resource-names', { auth: cAdmin })
      ok(r, 200)
      assert.deepEqual([...r.body.items].sort(), [...SEED_NAMES].sort())
      assert.equal(r.body.total, 15)
    })

    it('are added and removed by the master organisation only', async () => {
      ok(await s.req('POST', '/resource-names', { body: { name: 'cronJobs' }, auth: cAdmin }), 403)
      ok(await s.req('POST', '/resource-names', { body: { name: 'cronJobs' }, auth: reader }), 403)
      ok(await s.req('POST', '/resource-names', { body: { name: 'cron jobs' } }), 400)
      ok(await s.req('POST', '/resource-names', { body: { name: 'cronJobs' } }), 201)
      ok(await s.req('POST', '/resource-names', { body: { name: 'CRONJOBS' } }), 409)
      ok(await s.req('DELETE', '/resource-names/customers'), 409)
      ok(await s.req('DELETE', '/resource-names/nothing'), 404)
      ok(await s.req('DELETE', '/resource-names/cronJobs', { auth: cAdmin }), 403)
      ok(await s.req('DELETE', '/resource-names/cronJobs'), 204)
    })
  })

  describe('plans', () => {
    let id: number

    it('POST answers 201 {id} (an integer) with a Location; GET shows the plan', async () => {
      const r = await s.req('POST', `/orgs/${s.masterId}/plans`, {
        body: { name: 'Starter', resources: [{ name: 'websites', total: 5 }, { name: 'diskspace', total: 10_000 }, { name: 'mailboxes' }] },
      })
      ok(r, 201)
      assert.deepEqual(Object.keys(r.body), ['id'])
      assert.ok(Number.isInteger(r.body.id))
      id = r.body.id
      assert.equal(r.headers.get('location'), `/orgs/${s.masterId}/plans/${id}`)
      const g = await s.req('GET', `/orgs/${s.masterId}/plans/${id}`)
      ok(g, 200)
      assert.equal(g.headers.get('etag'), '"1"')
      assert.deepEqual(g.body.resources, [{ name: 'diskspace', total: 10000 }, { name: 'mailboxes' }, { name: 'websites', total: 5 }])
      assert.equal(g.body.planKind, 'hosting')
      assert.equal(g.body.planType, 'shared')
      assert.equal(g.body.orgId, s.masterId)
      assert.equal(g.body.subscriptionsCount, 0)
      assert.equal(g.body.name, 'Starter')
    })

    it('a plan with customers among its resources is a reseller plan', async () => {
      const r = await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Reseller', resources: [{ name: 'customers', total: 10 }] } })
      ok(r, 201)
      assert.equal((await s.req('GET', `/orgs/${s.masterId}/plans/${r.body.id}`)).body.planKind, 'reseller')
    })

    it('matches resource names case-insensitively and keeps their own spelling', async () => {
      const r = await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Spelled', resources: [{ name: 'FTPUSERS', total: 2 }] } })
      ok(r, 201)
      assert.deepEqual((await s.req('GET', `/orgs/${s.masterId}/plans/${r.body.id}`)).body.resources, [{ name: 'ftpUsers', total: 2 }])
    })

    it('refuses bad input with 400 and creates nothing', async () => {
      const before = (await s.req('GET', `/orgs/${s.masterId}/plans`)).body.total
      for (const body of [
        {},
        { name: '' },
        { name: 'X', resources: [{ name: 'nonsense', total: 1 }] },
        { name: 'X', resources: [{ name: 'websites', total: -1 }] },
        { name: 'X', resources: [{ name: 'websites', total: 1.5 }] },
        { name: 'X', resources: [{ name: 'websites' }, { name: 'Websites', total: 2 }] },
        { name: 'X', resources: [{ name: 'websites', limit: 1 }] },
        { name: 'X', extra: true },
        { name: 'X', serverGroupId: '00000000-0000-7000-8000-000000000000' },
      ]) {
        const r = await s.req('POST', `/orgs/${s.masterId}/plans`, { body })
        ok(r, 400)
        assert.equal(r.body.code, 'invalid_argument')
      }
      assert.equal((await s.req('GET', `/orgs/${s.masterId}/plans`)).body.total, before)
    })

    it('names are unique among the organisation\'s live plans: 409', async () => {
      const r = await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'starter' } })
      ok(r, 409)
      assert.equal(r.body.code, 'already_exists')
    })

    it('lists plans by name with paging', async () => {
      const r = await s.req('GET', `/orgs/${s.masterId}/plans`)
      ok(r, 200)
      assert.deepEqual(r.body.items.map((p: any) => p.name), ['Reseller', 'Spelled', 'Starter'])
      assert.equal(r.body.total, 3)
      const p = await s.req('GET', `/orgs/${s.masterId}/plans?offset=1&limit=1`)
      assert.deepEqual(p.body.items.map((x: any) => x.name), ['Spelled'])
      const d = await s.req('GET', `/orgs/${s.masterId}/plans?sortBy=name&sortOrder=desc`)
      assert.deepEqual(d.body.items.map((x: any) => x.name), ['Starter', 'Spelled', 'Reseller'])
      ok(await s.req('GET', `/orgs/${s.masterId}/plans?limit=0`), 400)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans?sortBy=plan`), 400)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans?sortBy=name&sortOrder=up`), 400)
    })

    it('PATCH changes name, resources and placement (204, If-Match)', async () => {
      const grp = await s.req('POST', '/server-groups', { body: { name: 'Europe' } })
      ok(grp, 201)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/plans/${id}`, { body: { name: 'Starter Plus', resources: [{ name: 'websites', total: 6 }], serverGroupId: grp.body.id }, headers: { 'if-match': '"1"' } }), 204)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/plans/${id}`, { body: { name: 'Stale' }, headers: { 'if-match': '"1"' } }), 412)
      const g = (await s.req('GET', `/orgs/${s.masterId}/plans/${id}`)).body
      assert.equal(g.name, 'Starter Plus')
      assert.deepEqual(g.resources, [{ name: 'websites', total: 6 }])
      assert.equal(g.serverGroupId, grp.body.id)
      assert.equal(g.version, 2)
      const srv = await s.req('POST', '/servers', { body: { name: 'mail-1', roles: ['email'] } })
      ok(srv, 201)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/plans/${id}`, { body: { dedicatedServers: { emailServerId: srv.body.id } } }), 400)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/plans/${id}`, { body: { serverGroupId: null, dedicatedServers: { emailServerId: srv.body.id } } }), 204)
      const g2 = (await s.req('GET', `/orgs/${s.masterId}/plans/${id}`)).body
      assert.equal(g2.serverGroupId, undefined)
      assert.deepEqual(g2.dedicatedServerIds, { emailServerId: srv.body.id })
      assert.deepEqual(g2.dedicatedServers, { emailServer: { name: 'mail-1', id: srv.body.id, ip: '' } })
      ok(await s.req('DELETE', `/server-groups/${grp.body.id}`), 204)
      ok(await s.req('DELETE', `/servers/${srv.body.id}`), 409)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/plans/${id}`, { body: { dedicatedServers: null } }), 204)
      ok(await s.req('DELETE', `/servers/${srv.body.id}`), 204)
    })

    it('answers 401 without credentials, 403 to a role that may not write, 404 out of reach', async () => {
      ok(await s.req('GET', `/orgs/${s.masterId}/plans`, { auth: null }), 401)
      ok(await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Nope' }, auth: null }), 401)
      ok(await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Nope' }, auth: reader }), 403)
      ok(await s.req('PATCH', `/orgs/${s.masterId}/plans/${id}`, { body: { name: 'Nope' }, auth: reader }), 403)
      ok(await s.req('DELETE', `/orgs/${s.masterId}/plans/${id}`, { auth: reader }), 403)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans`, { auth: cAdmin }), 404)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans/${id}`, { auth: cAdmin }), 404)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans/999999`), 404)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans/abc`), 400)
    })

    it('an organisation that may not sell has no plans to make: 403', async () => {
      const r = await s.req('POST', `/orgs/${customer}/plans`, { body: { name: 'Mine' }, auth: cAdmin })
      ok(r, 403)
      assert.equal(r.body.code, 'forbidden')
      const list = await s.req('GET', `/orgs/${customer}/plans`, { auth: cAdmin })
      assert.deepEqual(list.body, { items: [], total: 0 })
    })

    it('DELETE removes a plan without live subscriptions; its name is free again', async () => {
      const r = await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Short' } })
      ok(r, 201)
      const sub = await s.req('POST', `/orgs/${s.masterId}/customers/${customer}/subscriptions`, { body: { planId: r.body.id } })
      ok(sub, 201)
      assert.equal((await s.req('GET', `/orgs/${s.masterId}/plans/${r.body.id}`)).body.subscriptionsCount, 1)
      const refused = await s.req('DELETE', `/orgs/${s.masterId}/plans/${r.body.id}`)
      ok(refused, 409)
      assert.equal(refused.body.code, 'failed_precondition')
      ok(await s.req('PATCH', `/orgs/${s.masterId}/customers/${customer}/subscriptions/${sub.body.id}`, { body: { status: 'cancelled' } }), 204)
      ok(await s.req('DELETE', `/orgs/${s.masterId}/plans/${r.body.id}`), 409)
      ok(await s.req('DELETE', `/orgs/${s.masterId}/customers/${customer}/subscriptions/${sub.body.id}`), 204)
      ok(await s.req('DELETE', `/orgs/${s.masterId}/customers/${customer}/subscriptions/${sub.body.id}`), 404)
      ok(await s.req('DELETE', `/orgs/${s.masterId}/plans/${r.body.id}`), 204)
      ok(await s.req('GET', `/orgs/${s.masterId}/plans/${r.body.id}`), 404)
      ok(await s.req('DELETE', `/orgs/${s.masterId}/plans/${r.body.id}`), 404)
      ok(await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Short' } }), 201)
      const c = (await s.req('GET', `/orgs/${customer}`)).body
      assert.equal(c.subscriptionsCount, 0)
    })
  })

  describe('servers and server groups', () => {
    it('are managed by the master organisation and read by everyone', async () => {
      const g = await s.req('POST', '/server-groups', { body: { name: 'US' } })
      ok(g, 201)
      const a = await s.req('POST', '/servers', { body: { name: 'us-web-1', serverGroupId: g.body.id } })
      ok(a, 201)
      assert.deepEqual(a.body.roles, ['app', 'backup', 'db', 'email', 'postgresql'])
      assert.equal(a.body.serverGroupId, g.body.id)
      ok(await s.req('POST', '/servers', { body: { name: 'US-WEB-1' } }), 409)
      ok(await s.req('POST', '/servers', { body: { name: 'x', roles: ['dns'] } }), 400)
      ok(await s.req('POST', '/servers', { body: { name: 'x', serverGroupId: 'nope' } }), 400)
      // An empty group id is a group that does not exist, not "no group" (it reached the foreign key: 500 on PostgreSQL).
      const empty = await s.req('POST', '/servers', { body: { name: 'empty-group', serverGroupId: '' } })
      ok(empty, 400)
      assert.equal(empty.body.field, 'serverGroupId')
      ok(await s.req('PATCH', `/servers/${a.body.id}`, { body: { serverGroupId: '' } }), 400)
      ok(await s.req('POST', '/servers', { body: { name: 'x' }, auth: cAdmin }), 403)
      ok(await s.req('POST', '/server-groups', { body: { name: 'x' }, auth: reader }), 403)
      const list = await s.req('GET', '/servers', { auth: cAdmin })
      ok(list, 200)
      assert.ok(list.body.items.some((x: any) => x.id === a.body.id))
      const grp = await s.req('GET', `/server-groups/${g.body.id}`, { auth: cAdmin })
      assert.deepEqual(grp.body.serverIds, [a.body.id])
      const patched = await s.req('PATCH', `/servers/${a.body.id}`, { body: { serverGroupId: null, roles: ['db'] }, headers: { 'if-match': '"1"' } })
      ok(patched, 200)
      assert.equal(patched.body.serverGroupId, undefined)
      assert.deepEqual(patched.body.roles, ['db'])
      ok(await s.req('PATCH', `/server-groups/${g.body.id}`, { body: { name: 'United States' } }), 200)
      ok(await s.req('GET', '/servers/nope'), 404)
      ok(await s.req('DELETE', `/servers/${a.body.id}`, { auth: cAdmin }), 403)
      ok(await s.req('DELETE', `/servers/${a.body.id}`), 204)
      ok(await s.req('DELETE', `/server-groups/${g.body.id}`), 204)
      ok(await s.req('GET', `/server-groups/${g.body.id}`), 404)
    })
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    for (const [path, methods] of [
      ['/orgs/{org_id}/plans', ['get', 'post']],
      ['/orgs/{org_id}/plans/{plan_id}', ['get', 'patch', 'delete']],
      ['/orgs/{org_id}/customers/{customer_org_id}/subscriptions', ['get', 'post']],
      ['/orgs/{org_id}/customers/{customer_org_id}/subscriptions/{subscription_id}', ['get', 'patch', 'delete']],
      ['/orgs/{org_id}/subscriptions', ['get']],
      ['/servers', ['get', 'post']],
      ['/server-groups/{group_id}', ['get', 'patch', 'delete']],
      ['/resource-names', ['get', 'post']],
    ] as const) {
      for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
    }
    assert.ok(doc.components.schemas.Subscription?.properties?.resources)
    assert.ok(doc.components.schemas.Plan?.properties?.planType)
  })
})
