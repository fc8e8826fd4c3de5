import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'

const CATALOG = {
  services: [
    {
      name: 'HE',
      displayName: 'Hosted Exchange',
      version: '2010',
      packages: [{ name: 'Basic' }, { name: 'Full' }],
      plans: [
        { name: 'EXBASIC', fullname: 'Ex10 Basic' },
        { name: 'EXFULL', fullname: 'Ex10 Full', userlimit: 1 },
      ],
      properties: [
        { name: 'MailServer', value: 'MAIL01' },
        { name: 'Secret', value: 'internal', hidden: true },
      ],
    },
    {
      name: 'HAD',
      displayName: 'Hosted Apps and Desktops',
      multipleUserPlans: true,
      plans: [{ name: 'DESKTOPS' }, { name: 'OFFICEAPPS' }],
    },
    { name: 'FSS', displayName: 'File Sharing', plans: [{ name: 'FULL' }] },
    { name: 'CRM', displayName: 'CRM 2011' },
    { name: 'Broken', driver: 'webhook', driverConfig: { url: 'http://127.0.0.1:9/nothing', secret: 's3cret-value-for-tests', timeoutMs: 200 } },
  ],
  locations: [{ name: 'csm.Local', services: ['HE', 'HAD', 'FSS'] }, { name: 'Elsewhere', services: ['FSS'] }],
}

eachDialect('customer services and user services', (dialect) => {
  let s: TestServer
  let org: string
  let users: string[] = []

  /** Polls a service until its status is `want` (the in-process worker moves it). */
  async function until(path: string, want: string): Promise<Answer> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.status === want) return r
      if (Date.now() - t0 > 10_000) assert.fail(`${path} stayed ${r.body?.status} (${r.text}), wanted ${want}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    const c = await s.req('PUT', '/catalog', { body: CATALOG })
    assert.equal(c.status, 200, c.text)
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Basic API Customer' } })
    assert.equal(o.status, 201, o.text)
    org = o.body.id
    users = []
    for (const n of ['user1', 'user2', 'user3']) {
      const u = await s.req('POST', `/orgs/${org}/members`, { body: { username: `${n}_bac_${dialect}`, password: 'a-long-password-1', role: 'member', email: `${n}@bac.test` } })
      assert.equal(u.status, 201, u.text)
      users.push(u.body.id)
    }
  })
  after(() => s.close())

  it('documents every service route in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    const want: [string, string[]][] = [
      ['/provisioning-statuses', ['get']],
      ['/orgs/{org_id}/services', ['get']],
      ['/orgs/{org_id}/services/{service}', ['get', 'put', 'delete']],
      ['/orgs/{org_id}/services/{service}/instances', ['get']],
      ['/orgs/{org_id}/members/{member_id}/services', ['get']],
      ['/orgs/{org_id}/members/{member_id}/services/{service}', ['get', 'put', 'delete']],
    ]
    for (const [path, methods] of want) {
      for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
    }
    const put = doc.paths['/orgs/{org_id}/services/{service}'].put
    assert.ok(put.responses['202'])
    assert.ok(put.responses['409'])
    assert.ok(put.requestBody.content['application/json'].schema)
    assert.ok(doc.components.schemas.CustomerService?.properties?.statusColour)
    assert.ok(doc.components.schemas.UserService?.properties?.userPlans)
  })

  it('lists the provisioning statuses with their colours', async () => {
    const r = await s.req('GET', '/provisioning-statuses')
    assert.deepEqual(
      r.body.items.map((x: any) => `${x.status}:${x.colour}`),
      ['NotProvisioned:Grey', 'Requested:Yellow', 'InProgress:Orange', 'Provisioned:Green', 'Failed:Red', 'Pending:Blue'],
    )
  })

  it('provisions a service to a customer: Requested, then Provisioned by the worker, with its settings', async () => {
    const none = await s.req('GET', `/orgs/${org}/services/HE`)
    assert.equal(none.status, 200)
    assert.equal(none.body.status, 'NotProvisioned')
    assert.equal(none.body.statusColour, 'Grey')
    assert.equal(none.body.id, null)

    const r = await s.req('PUT', `/orgs/${org}/services/he`, {
      body: { location: 'csm.Local', userLimit: 2, packages: [{ name: 'basic', enabled: true }], userPlans: [{ name: 'EXBASIC', enabled: true }, { name: 'EXFULL' }], properties: [{ name: 'MailServer', value: 'MAIL02' }] },
    })
    assert.equal(r.status, 202, r.text)
    assert.equal(r.body.status, 'Requested')
    assert.equal(r.body.statusColour, 'Yellow')
    const guid = r.headers.get('x-job-guid')
    assert.match(guid ?? '', /^[0-9a-f-]{36}$/)
    assert.equal(r.headers.get('location'), `/jobs/${guid}`)
    assert.equal(r.body.requestGuid, guid)

    const done = await until(`/orgs/${org}/services/HE`, 'Provisioned')
    const v = done.body
    assert.equal(v.service, 'HE')
    assert.equal(v.fullname, 'Hosted Exchange')
    assert.equal(v.location, 'csm.Local')
    assert.equal(v.userLimit, 2)
    assert.equal(v.statusColour, 'Green')
    assert.deepEqual(v.packages, [
      { name: 'Basic', fullname: 'Basic', enabled: true },
      { name: 'Full', fullname: 'Full', enabled: false },
    ])
    assert.deepEqual(
      v.userPlans.map((p: any) => [p.name, p.enabled, p.userLimit]),
      [
        ['EXBASIC', true, 'Unlimited'],
        ['EXFULL', true, 1],
      ],
    )
    assert.deepEqual(v.properties, [{ name: 'MailServer', value: 'MAIL02', hidden: false }])
    const all = await s.req('GET', `/orgs/${org}/services/HE?filter=all`)
    assert.deepEqual(
      all.body.properties.map((p: any) => [p.name, p.hidden]),
      [
        ['MailServer', false],
        ['Secret', true],
      ],
    )

    const job = await s.req('GET', `/jobs/${guid}`)
    assert.equal(job.body.status, 'succeeded')
    assert.equal(job.body.operation, 'customer_service.provision')
    const list = await s.req('GET', `/orgs/${org}/services`)
    assert.deepEqual(
      list.body.items.map((x: any) => x.service),
      ['HE'],
    )
    const everything = await s.req('GET', `/orgs/${org}/services?all=true`)
    assert.ok(everything.body.items.some((x: any) => x.service === 'FSS' && x.status === 'NotProvisioned'))
  })

  it('refuses bad settings with a clear error and changes nothing', async () => {
    const before = (await s.req('GET', `/orgs/${org}/services/HE`)).body
    const cases: [unknown, number, RegExp][] = [
      [{ packages: [{ name: 'Gold', enabled: true }] }, 400, /no package "Gold"/],
      [{ userPlans: [{ name: 'NOPE' }] }, 400, /no user plan "NOPE"/],
      [{ properties: [{ name: 'Secret', value: 'x' }] }, 202, /./], // the master organisation may set hidden properties
      [{ location: 'Elsewhere' }, 409, /not offered at Elsewhere/],
      [{ location: 'Mars' }, 404, /location "Mars" not found/],
      [{ userLimit: 0 }, 400, /./],
      [{ colour: 'blue' }, 400, /./],
    ]
    for (const [body, status, msg] of cases) {
      const r = await s.req('PUT', `/orgs/${org}/services/HE`, { body })
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`)
      if (status === 202) await until(`/orgs/${org}/services/HE`, 'Provisioned')
      else assert.match(r.body.detail, msg)
    }
    const after = (await s.req('GET', `/orgs/${org}/services/HE`)).body
    assert.equal(after.location, before.location)
    assert.deepEqual(after.packages, before.packages)
    assert.equal(await s.req('PUT', `/orgs/${org}/services/NOSUCH`, { body: {} }).then((r) => r.status), 404)
    assert.equal(await s.req('PUT', `/orgs/00000000-0000-4000-8000-000000000000/services/HE`, { body: {} }).then((r) => r.status), 404)
  })

  it('provisions users within the user limit and refuses one beyond it', async () => {
    const u1 = await s.req('PUT', `/orgs/${org}/members/${users[0]}/services/HE`, { body: { userPlans: ['EXBASIC'] } })
    assert.equal(u1.status, 202, u1.text)
    assert.equal(u1.body.status, 'Requested')
    await until(`/orgs/${org}/members/${users[0]}/services/HE`, 'Provisioned')
    const u2 = await s.req('PUT', `/orgs/${org}/members/${users[1]}/services/HE`, { body: { userPlans: ['EXFULL'] } })
    assert.equal(u2.status, 202, u2.text)
    await until(`/orgs/${org}/members/${users[1]}/services/HE`, 'Provisioned')

    const third = await s.req('PUT', `/orgs/${org}/members/${users[2]}/services/HE`, { body: { userPlans: ['EXBASIC'] } })
    assert.equal(third.status, 409, third.text)
    assert.equal(third.body.code, 'quota_exceeded')
    assert.match(third.body.detail, /user limit of 2 for HE/)
    assert.equal((await s.req('GET', `/orgs/${org}/members/${users[2]}/services/HE`)).body.status, 'NotProvisioned')

    const cs = (await s.req('GET', `/orgs/${org}/services/HE`)).body
    assert.equal(cs.usersCount, 2)
    assert.deepEqual(
      cs.userPlans.map((p: any) => [p.name, p.usersCount, p.used]),
      [
        ['EXBASIC', 1, true],
        ['EXFULL', 1, true],
      ],
    )
    // The plan's own limit (1) holds too, and the limit cannot fall below the users holding it.
    const low = await s.req('PUT', `/orgs/${org}/services/HE`, { body: { userLimit: 1 } })
    assert.equal(low.status, 409)
    assert.match(low.body.detail, /2 users hold HE/)
    const disable = await s.req('PUT', `/orgs/${org}/services/HE`, { body: { userPlans: [{ name: 'EXFULL', enabled: false }] } })
    assert.equal(disable.status, 409)
    assert.match(disable.body.detail, /cannot be disabled/)
  })

  it("enforces a plan's user limit, and one plan per user unless the service allows several", async () => {
    // Raise the customer's limit; EXFULL (limit 1) is held by user2 already.
    assert.equal((await s.req('PUT', `/orgs/${org}/services/HE`, { body: { userLimit: 'Unlimited' } })).status, 202)
    await until(`/orgs/${org}/services/HE`, 'Provisioned')
    const full = await s.req('PUT', `/orgs/${org}/members/${users[2]}/services/HE`, { body: { userPlans: ['EXFULL'] } })
    assert.equal(full.status, 409)
    assert.equal(full.body.code, 'quota_exceeded')
    assert.match(full.body.detail, /user plan EXFULL/)
    const two = await s.req('PUT', `/orgs/${org}/members/${users[2]}/services/HE`, { body: { userPlans: ['EXBASIC', 'EXFULL'] } })
    assert.equal(two.status, 400)
    assert.match(two.body.detail, /one user plan at a time/)
    const unnamed = await s.req('PUT', `/orgs/${org}/members/${users[2]}/services/HE`, { body: {} })
    assert.equal(unnamed.status, 400)
    assert.match(unnamed.body.detail, /name the user plan/)
    assert.equal((await s.req('GET', `/orgs/${org}/services/HE`)).body.usersCount, 2)

    // Several plans where the service allows it (HAD: every plan enabled on first provisioning).
    assert.equal((await s.req('PUT', `/orgs/${org}/services/HAD`, { body: {} })).status, 202)
    await until(`/orgs/${org}/services/HAD`, 'Provisioned')
    const had = await s.req('PUT', `/orgs/${org}/members/${users[0]}/services/HAD`, { body: { userPlans: ['DESKTOPS', 'OFFICEAPPS'] } })
    assert.equal(had.status, 202, had.text)
    const v = await until(`/orgs/${org}/members/${users[0]}/services/HAD`, 'Provisioned')
    assert.deepEqual(
      v.body.userPlans.map((p: any) => p.name),
      ['DESKTOPS', 'OFFICEAPPS'],
    )
    const mine = await s.req('GET', `/orgs/${org}/members/${users[0]}/services`)
    assert.deepEqual(mine.body.items.map((x: any) => x.service).sort(), ['HAD', 'HE'])
  })

  it('refuses a user service of a service the customer does not hold', async () => {
    const r = await s.req('PUT', `/orgs/${org}/members/${users[0]}/services/FSS`, { body: { userPlans: ['FULL'] } })
    assert.equal(r.status, 409)
    assert.match(r.body.detail, /FSS is not provisioned to Basic API Customer/)
  })

  it('deprovisions a user and frees its place; deprovisioning twice changes nothing', async () => {
    const d = await s.req('DELETE', `/orgs/${org}/members/${users[1]}/services/HE`)
    assert.equal(d.status, 202, d.text)
    await until(`/orgs/${org}/members/${users[1]}/services/HE`, 'NotProvisioned')
    const cs = (await s.req('GET', `/orgs/${org}/services/HE`)).body
    assert.equal(cs.usersCount, 1)
    assert.equal(cs.userPlans.find((p: any) => p.name === 'EXFULL').usersCount, 0)
    const again = await s.req('DELETE', `/orgs/${org}/members/${users[1]}/services/HE`)
    assert.equal(again.status, 200)
    assert.equal(again.headers.get('x-job-guid') !== null, true)
    // EXFULL is free again.
    const r = await s.req('PUT', `/orgs/${org}/members/${users[2]}/services/HE`, { body: { userPlans: ['EXFULL'] } })
    assert.equal(r.status, 202, r.text)
    await until(`/orgs/${org}/members/${users[2]}/services/HE`, 'Provisioned')
  })

  it('keeps instances of a customer service and gives them to users', async () => {
    const r = await s.req('PUT', `/orgs/${org}/services/CRM`, { body: { instances: [{ name: 'Site01', description: 'First', properties: { url: 'https://site01' } }, { name: 'Site02' }] } })
    assert.equal(r.status, 202, r.text)
    await until(`/orgs/${org}/services/CRM`, 'Provisioned')
    const list = await s.req('GET', `/orgs/${org}/services/CRM/instances`)
    assert.deepEqual(
      list.body.items.map((i: any) => i.name),
      ['Site01', 'Site02'],
    )
    const u = await s.req('PUT', `/orgs/${org}/members/${users[0]}/services/CRM`, { body: { instances: ['site01'] } })
    assert.equal(u.status, 202, u.text)
    const v = await until(`/orgs/${org}/members/${users[0]}/services/CRM`, 'Provisioned')
    assert.deepEqual(v.body.instances, ['Site01'])
    const unknown = await s.req('PUT', `/orgs/${org}/members/${users[1]}/services/CRM`, { body: { instances: ['Site09'] } })
    assert.equal(unknown.status, 404)
    const inUse = await s.req('PUT', `/orgs/${org}/services/CRM`, { body: { removeInstances: ['Site01'] } })
    assert.equal(inUse.status, 409)
    const rm = await s.req('PUT', `/orgs/${org}/services/CRM`, { body: { removeInstances: ['Site02'] } })
    assert.equal(rm.status, 202)
    await until(`/orgs/${org}/services/CRM`, 'Provisioned')
    assert.deepEqual(
      (await s.req('GET', `/orgs/${org}/services/CRM/instances`)).body.items.map((i: any) => i.name),
      ['Site01'],
    )
  })

  it('refuses to delete catalogue entries in use, and lets them go once deprovisioned', async () => {
    const svc = await s.req('DELETE', '/services/CRM')
    assert.equal(svc.status, 409)
    assert.match(svc.body.detail, /provisioned to 1 customer/)
    const pkg = await s.req('DELETE', '/services/HE/packages/Basic')
    assert.equal(pkg.status, 409)
    const plan = await s.req('DELETE', '/services/HE/plans/EXBASIC')
    assert.equal(plan.status, 409)
    const loc = await s.req('DELETE', '/locations/csm.Local')
    assert.equal(loc.status, 409)
    // Nor does csm.Local stop offering HE, which the customer holds there.
    const unoffer = await s.req('PATCH', '/locations/csm.Local', { body: { services: ['HAD', 'FSS'] } })
    assert.equal(unoffer.status, 409, unoffer.text)
    assert.match(unoffer.body.detail, /customers hold HE at this location/)
    assert.deepEqual((await s.req('GET', '/locations/csm.Local')).body.services.slice().sort(), ['FSS', 'HAD', 'HE'])
    // Nor through an import: dropping an enabled package, or pruning a held service.
    const he = CATALOG.services[0]!
    const dropPkg = await s.req('PUT', '/catalog', { body: { services: [{ ...he, packages: [{ name: 'Full' }] }] } })
    assert.equal(dropPkg.status, 409, dropPkg.text)
    assert.match(dropPkg.body.detail, /removes a package of HE/)
    const prune = await s.req('PUT', '/catalog?prune=true', { body: { services: CATALOG.services.filter((x) => x.name !== 'CRM'), locations: CATALOG.locations } })
    assert.equal(prune.status, 409, prune.text)
    assert.match(prune.body.detail, /removes service CRM/)
    assert.equal((await s.req('GET', '/services/HE/packages')).body.items.length, 2)
    // An unused package goes.
    assert.equal((await s.req('DELETE', '/services/HE/packages/Full')).status, 204)

    // Deprovisioning CRM waits for nothing else and takes the users' CRM with it.
    const d = await s.req('DELETE', `/orgs/${org}/services/CRM`)
    assert.equal(d.status, 202, d.text)
    await until(`/orgs/${org}/services/CRM`, 'NotProvisioned')
    assert.equal((await s.req('GET', `/orgs/${org}/members/${users[0]}/services/CRM`)).body.status, 'NotProvisioned')
    assert.equal((await s.req('DELETE', '/services/CRM')).status, 204)
  })

  it('refuses to delete a user who holds services', async () => {
    const r = await s.req('DELETE', `/orgs/${org}/members/${users[2]}`)
    assert.equal(r.status, 409)
    assert.match(r.body.detail, /holds services/)
    const o = await s.req('DELETE', `/orgs/${org}`)
    assert.equal(o.status, 409)
    assert.match(o.body.detail, /holds service HE/)
    assert.equal((await s.req('GET', `/orgs/${org}`)).body.status, 'active')
  })

  it('marks a service Failed when its driver fails, keeps the error, and lets it be requested again', async () => {
    const r = await s.req('PUT', `/orgs/${org}/services/Broken`, { body: {} })
    assert.equal(r.status, 202, r.text)
    const seen = new Set<string>()
    const t0 = Date.now()
    let v: any
    for (;;) {
      v = (await s.req('GET', `/orgs/${org}/services/Broken`)).body
      seen.add(v.status)
      if (v.status === 'Failed' || Date.now() - t0 > 20_000) break
      await new Promise((res) => setTimeout(res, 5))
    }
    assert.equal(v.status, 'Failed', JSON.stringify(v))
    assert.equal(v.statusColour, 'Red')
    assert.match(v.error, /gave up after 5 attempts/)
    assert.ok(seen.has('Pending') || seen.has('InProgress'), [...seen].join(','))
    const job = await s.req('GET', `/jobs/${v.requestGuid}`)
    assert.equal(job.body.status, 'failed')
    // Failed is settled: it may be requested again (and deprovisioned).
    const again = await s.req('DELETE', `/orgs/${org}/services/Broken`)
    assert.equal(again.status, 202, again.text)
  })

  it('refuses a change while a request is under way, and only the provider provisions a customer', async () => {
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Busy Customer' } })
    const first = await s.req('PUT', `/orgs/${o.body.id}/services/Broken`, { body: {} })
    assert.equal(first.status, 202)
    const second = await s.req('PUT', `/orgs/${o.body.id}/services/Broken`, { body: {} })
    assert.equal(second.status, 409)
    assert.match(second.body.detail, /request under way/)

    // A customer's own admin may give its users services but not take services for itself.
    const admin = await s.req('POST', `/orgs/${org}/members`, { body: { username: `admin_bac_${dialect}`, password: 'a-long-password-2', role: 'admin' } })
    assert.equal(admin.status, 201)
    const self = await s.req('PUT', `/orgs/${org}/services/FSS`, { body: {}, auth: [`admin_bac_${dialect}`, 'a-long-password-2'] })
    assert.equal(self.status, 403)
    const ok = await s.req('DELETE', `/orgs/${org}/members/${users[0]}/services/HAD`, { auth: [`admin_bac_${dialect}`, 'a-long-password-2'] })
    assert.equal(ok.status, 202, ok.text)
    const outside = await s.req('GET', `/orgs/${o.body.id}/services`, { auth: [`admin_bac_${dialect}`, 'a-long-password-2'] })
    assert.equal(outside.status, 404)
  })

  it('holds a user limit under concurrent provisioning: exactly the limit succeed, nothing 5xx', async () => {
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Crowded Customer' } })
    const cust = o.body.id
    const ids: string[] = []
    for (let i = 0; i < 30; i++) {
      const u = await s.req('POST', `/orgs/${cust}/members`, { body: { username: `crowd${i}_${dialect}`, password: 'a-long-password-3', role: 'member' } })
      assert.equal(u.status, 201, u.text)
      ids.push(u.body.id)
    }
    assert.equal((await s.req('PUT', `/orgs/${cust}/services/FSS`, { body: { userLimit: 7 } })).status, 202)
    await until(`/orgs/${cust}/services/FSS`, 'Provisioned')
    // Every user twice at once: 60 requests for 7 places. A user's second request is refused
    // while its first is under way, or accepted as a change once that has finished.
    const targets = [...ids, ...ids]
    const answers = await Promise.all(targets.map((id) => s.req('PUT', `/orgs/${cust}/members/${id}/services/FSS`, { body: { userPlans: ['FULL'] } })))
    assert.ok(answers.every((a) => a.status === 202 || a.status === 409), JSON.stringify(answers.map((a) => a.status)))
    const winners = new Set(targets.filter((_, i) => answers[i]!.status === 202))
    assert.equal(winners.size, 7)
    const refused = answers.filter((a) => a.status === 409)
    assert.ok(refused.length >= 53 - 7)
    assert.ok(refused.every((a) => a.body.code === 'quota_exceeded' || /request under way/.test(a.body.detail)), JSON.stringify(refused.map((a) => a.body.detail)))
    assert.ok(refused.filter((a) => a.body.code === 'quota_exceeded').length >= 30 - 7)
    const cs = (await s.req('GET', `/orgs/${cust}/services/FSS`)).body
    assert.equal(cs.usersCount, 7)
    assert.equal(cs.userPlans[0].usersCount, 7)
    const rows = await s.deps.store.db
      .selectFrom('user_services')
      .innerJoin('customer_services', 'customer_services.id', 'user_services.customer_service_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_services.org_id', '=', cust)
      .where('user_services.status', '!=', 'NotProvisioned')
      .executeTakeFirstOrThrow()
    assert.equal(Number(rows.n), 7)
  })
})
