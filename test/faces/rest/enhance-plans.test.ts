/**
 * Seed 003's plans and subscriptions held to Enhance's published OpenAPI document
 * (test/fixtures/enhance/), on both databases: request bodies are generated from the
 * document's schemas (every property, or only the required ones) and checked to be valid by
 * it; every answer is validated against the document's schema for its status. Beside that,
 * what a user would notice: hosting settings stored, validated, returned and carried into
 * subscriptions, a seller choosing a server group only where the plan lets it, and a plan's
 * provisioning service handed each subscription with its hosting settings.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { conformanceCaller, ENHANCE, exampleBody, requestErrors } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'
import { startReceiver, type Receiver } from '../../jobs/receiver.js'

const SECRET = 'plan-hosting-webhook-secret'
const PW = 'a-long-password-1'

eachDialect("seed 003's plans and subscriptions against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  let rx: Receiver
  const checked = new Set<string>()

  const call = conformanceCaller(() => s, checked)

  async function until(path: string, want: string): Promise<Answer> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.provisioningStatus === want) return r
      if (Date.now() - t0 > 10_000) assert.fail(`${path} stayed ${r.body?.provisioningStatus}, wanted ${want}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }

  let group: string
  let otherGroup: string
  let app: string

  before(async () => {
    rx = await startReceiver(SECRET)
    s = await startServer(dialect, { worker: { retryBaseMs: 20, pollMaxMs: 20, leaseMs: 3000 } })
    group = (await s.req('POST', '/server-groups', { body: { name: 'Shared EU' } })).body.id
    otherGroup = (await s.req('POST', '/server-groups', { body: { name: 'Shared US' } })).body.id
    const srv = await s.req('POST', '/servers', { body: { name: 'web-1', roles: ['app', 'db'], serverGroupId: group, ip: '192.0.2.10' } })
    assert.equal(srv.status, 201, srv.text)
    app = srv.body.id
    const svc = await s.req('POST', '/services', { body: { name: 'HOSTING', driver: 'webhook', driverConfig: { url: `${rx.base}/ok`, secret: SECRET } } })
    assert.equal(svc.status, 201, svc.text)
  })
  after(async () => {
    await s.close()
    await rx.close()
  })

  it('plans: every field of NewPlan accepted, stored and answered as Plan', async () => {
    const m = s.masterId
    const full = exampleBody('POST', '/orgs/{org_id}/plans', {
      all: true,
      values: {
        name: 'Everything',
        resources: [
          { name: 'websites', total: 10 },
          { name: 'diskspace', total: 5000 },
        ],
        allowances: [{ name: 'ssh' }, { name: 'cron' }],
        selections: [{ name: 'phpHandler', value: 'fpm' }],
        serverGroupIds: [group, otherGroup],
        defaultServerGroupId: group,
        serverGroupId: group,
        allowedPhpVersions: ['php82', 'php83', 'php84'],
        defaultPhpVersion: 'php83',
        planType: 'dedicated',
        allowedApps: ['wordpress'],
      },
    }) as Record<string, unknown>
    // Every property of NewPlan is sent (a property the document adds later would be too).
    for (const k of Object.keys(ENHANCE.components.schemas.NewPlan.properties)) assert.ok(k in full, `the generated body lacks ${k}`)
    const created = await call('POST', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, { body: full }, 201)
    const id = created.body.id as number
    const plan = (await call('GET', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, {}, 200)).body
    assert.equal(plan.planType, 'dedicated')
    assert.equal(plan.planKind, 'hosting')
    assert.deepEqual(plan.allowances, [{ name: 'ssh' }, { name: 'cron' }])
    assert.deepEqual(plan.selections, [{ name: 'phpHandler', value: 'fpm' }])
    assert.deepEqual(plan.allowedPhpVersions, ['php82', 'php83', 'php84'])
    assert.equal(plan.defaultPhpVersion, 'php83')
    assert.deepEqual(plan.cgroupLimits, full.cgroupLimits)
    assert.deepEqual(plan.fsQuotaLimit, full.fsQuotaLimit)
    assert.equal(plan.redisAllowed, true)
    assert.deepEqual(plan.serverGroupIds, [group, otherGroup])
    assert.equal(plan.allowServerGroupSelection, true)
    assert.equal(plan.serverGroupId, group)
    assert.equal(plan.defaultServerGroupId, group)
    assert.equal(plan.preinstallWordpressTheme, full.preinstallWordpressTheme)
    assert.equal(plan.persistentAppsAllowed, true)
    assert.deepEqual(plan.allowedApps, ['wordpress'])

    // Only what NewPlan requires: the defaults fill the rest, answered within the document.
    const minimal = exampleBody('POST', '/orgs/{org_id}/plans', { all: false, values: { name: 'Bare', resources: [], allowances: [], selections: [] } })
    assert.deepEqual(Object.keys(minimal as object).sort(), ['allowances', 'name', 'resources', 'selections'])
    const bare = await call('POST', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, { body: minimal }, 201)
    const b = (await call('GET', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${bare.body.id}`, {}, 200)).body
    assert.equal(b.planType, 'shared')
    assert.equal(b.defaultPhpVersion, b.allowedPhpVersions.at(-1))
    assert.equal(b.redisAllowed, false)

    // Refused, changing nothing: a default PHP version not allowed, a default group not offered, a group that does not exist, an allowance twice.
    const before = (await call('GET', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, {}, 200)).body.total
    for (const bad of [
      { name: 'Bad PHP', resources: [], allowances: [], selections: [], allowedPhpVersions: ['php81'], defaultPhpVersion: 'php83' },
      { name: 'Bad group', resources: [], allowances: [], selections: [], serverGroupIds: [otherGroup], defaultServerGroupId: group },
      { name: 'No group', resources: [], allowances: [], selections: [], serverGroupIds: ['00000000-0000-4000-8000-000000000000'] },
      { name: 'Twice', resources: [], allowances: [{ name: 'ssh' }, { name: 'ssh' }], selections: [] },
    ]) {
      const r = await call('POST', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, { body: bad }, 400)
      assert.equal(r.body.code, 'invalid_argument')
    }
    // Not what the document calls valid, and refused: a PHP version it does not know, a plan type it does not know.
    for (const bad of [{ defaultPhpVersion: 'php99' }, { planType: 'hosting' }, { cgroupLimits: { nproc: 1 } }].map((x) => ({ name: 'x', resources: [], allowances: [], selections: [], ...x }))) {
      await call('POST', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, { body: bad }, 400, 'invalid')
    }
    // A deliberate difference (README): the document sets no additionalProperties, so an unknown
    // field inside an allowance is valid to it; Clientele refuses unknown fields everywhere.
    const extra = await s.req('POST', `/orgs/${m}/plans`, { body: { name: 'x', resources: [], allowances: [{ name: 'ssh', colour: 'red' }], selections: [] } })
    assert.deepEqual(requestErrors('POST', '/orgs/{org_id}/plans', { name: 'x', resources: [], allowances: [{ name: 'ssh', colour: 'red' }], selections: [] }), [])
    assert.equal(extra.status, 400)
    assert.equal((await call('GET', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, {}, 200)).body.total, before)
    await call('POST', '/orgs/{org_id}/plans', `/orgs/${m}/plans`, { body: { ...(minimal as object), name: 'Everything' } }, 409)

    for (const q of ['', '?limit=1&offset=1', '?sortBy=name&sortOrder=desc', '?limit=5000']) await call('GET', '/orgs/{org_id}/plans', `/orgs/${m}/plans${q}`, {}, 200)
    await call('GET', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/999999`, {}, 404)
    await call('GET', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, { auth: null }, 401)

    // UpdatePlan: every property the document gives, generated; then the Unset forms.
    const update = exampleBody('PATCH', '/orgs/{org_id}/plans/{plan_id}', {
      all: true,
      values: { name: 'Everything 2', serverGroupIds: [group], defaultServerGroupId: group, allowedPhpVersions: ['php84', 'php85'], defaultPhpVersion: 'php85', planType: 'shared', allowedApps: ['joomla', 'wordpress'] },
    }) as Record<string, unknown>
    for (const k of Object.keys(ENHANCE.components.schemas.UpdatePlan.properties)) assert.ok(k in update, `the generated update lacks ${k}`)
    await call('PATCH', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, { body: update }, 204)
    let p2 = (await call('GET', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, {}, 200)).body
    assert.equal(p2.name, 'Everything 2')
    assert.equal(p2.planType, 'shared')
    assert.deepEqual(p2.allowedPhpVersions, ['php84', 'php85'])
    assert.deepEqual(p2.allowedApps, ['wordpress', 'joomla'])
    assert.deepEqual(p2.serverGroupIds, [group])
    await call('PATCH', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, { body: { defaultServerGroupId: { unset: true }, preinstallWordpressTheme: { unset: true }, allowedApps: { unset: true } } }, 204)
    p2 = (await call('GET', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, {}, 200)).body
    assert.equal(p2.serverGroupId, undefined)
    assert.equal(p2.preinstallWordpressTheme, undefined)
    assert.equal(p2.allowedApps, undefined)
    // Narrowing the PHP versions past the default moves the default to the newest allowed.
    await call('PATCH', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${id}`, { body: { allowedPhpVersions: ['php83', 'php84'] } }, 204)
    assert.equal((await s.req('GET', `/orgs/${m}/plans/${id}`)).body.defaultPhpVersion, 'php84')
    await call('PATCH', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/999999`, { body: { name: 'Nope' } }, 404)

    await call('DELETE', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${bare.body.id}`, {}, 204)
    await call('DELETE', '/orgs/{org_id}/plans/{plan_id}', `/orgs/${m}/plans/${bare.body.id}`, {}, 404)
  })

  it("a plan's resources, allowances and selections one at a time", async () => {
    const m = s.masterId
    const id = (await s.req('POST', `/orgs/${m}/plans`, { body: { name: 'Parts', resources: [{ name: 'websites', total: 1 }], allowances: [], selections: [] } })).body.id
    const path = `/orgs/${m}/plans/${id}`
    const get = async () => (await call('GET', '/orgs/{org_id}/plans/{plan_id}', path, {}, 200)).body

    await call('POST', '/orgs/{org_id}/plans/{plan_id}/resources', `${path}/resources`, { body: [{ name: 'mailboxes', total: 20 }, { name: 'dnsRecords' }] }, 200)
    assert.deepEqual((await get()).resources, [{ name: 'dnsRecords' }, { name: 'mailboxes', total: 20 }, { name: 'websites', total: 1 }])
    await call('POST', '/orgs/{org_id}/plans/{plan_id}/resources', `${path}/resources`, { body: [{ name: 'websites', total: 3 }] }, 409)
    await call('PUT', '/orgs/{org_id}/plans/{plan_id}/resources/{name}', `${path}/resources/websites`, { body: { name: 'websites', total: 3 } }, 200)
    await call('PUT', '/orgs/{org_id}/plans/{plan_id}/resources/{name}', `${path}/resources/ftpUsers`, { body: { name: 'ftpUsers', total: 3 } }, 404)
    assert.deepEqual((await get()).resources.find((r: { name: string }) => r.name === 'websites'), { name: 'websites', total: 3 })

    await call('POST', '/orgs/{org_id}/plans/{plan_id}/allowances', `${path}/allowances`, { body: [{ name: 'ssh' }, { name: 'git' }] }, 200)
    await call('POST', '/orgs/{org_id}/plans/{plan_id}/allowances', `${path}/allowances`, { body: [{ name: 'ssh' }] }, 200)
    assert.deepEqual((await get()).allowances, [{ name: 'ssh' }, { name: 'git' }])
    await call('PUT', '/orgs/{org_id}/plans/{plan_id}/allowances/{name}', `${path}/allowances/git`, { body: { name: 'sftp' } }, 200)
    await call('PUT', '/orgs/{org_id}/plans/{plan_id}/allowances/{name}', `${path}/allowances/nope`, { body: { name: 'x' } }, 404)
    await call('DELETE', '/orgs/{org_id}/plans/{plan_id}/allowances/{name}', `${path}/allowances/ssh`, {}, 204)
    await call('DELETE', '/orgs/{org_id}/plans/{plan_id}/allowances/{name}', `${path}/allowances/ssh`, {}, 404)
    assert.deepEqual((await get()).allowances, [{ name: 'sftp' }])

    await call('POST', '/orgs/{org_id}/plans/{plan_id}/selections', `${path}/selections`, { body: [{ name: 'phpHandler', value: 'fpm' }, { name: 'webServer', value: 'nginx' }] }, 200)
    await call('POST', '/orgs/{org_id}/plans/{plan_id}/selections', `${path}/selections`, { body: [{ name: 'phpHandler', value: 'lsapi' }] }, 200)
    await call('PUT', '/orgs/{org_id}/plans/{plan_id}/selections/{name}', `${path}/selections/webServer`, { body: { name: 'webServer', value: 'apache' } }, 200)
    await call('PUT', '/orgs/{org_id}/plans/{plan_id}/selections/{name}', `${path}/selections/nope`, { body: { name: 'nope', value: 'x' } }, 404)
    assert.deepEqual((await get()).selections, [
      { name: 'phpHandler', value: 'lsapi' },
      { name: 'webServer', value: 'apache' },
    ])
    // Each part bumps the plan's version, like any change.
    assert.ok((await get()).version >= 9)
    await call('POST', '/orgs/{org_id}/plans/{plan_id}/allowances', `/orgs/${m}/plans/999999/allowances`, { body: [{ name: 'ssh' }] }, 404)
  })

  it('subscriptions carry the plan they were made from, with the servers by name and address', async () => {
    const m = s.masterId
    const c = (await s.req('POST', `/orgs/${m}/customers`, { body: { name: 'Hosted Customer' } })).body.id
    const made = await s.req('POST', `/orgs/${m}/plans`, {
      body: { name: 'Hosted', resources: [{ name: 'websites', total: 2 }, { name: 'transfer', total: 1000 }], allowances: [{ name: 'ssh' }], selections: [{ name: 'phpHandler', value: 'fpm' }], allowedPhpVersions: ['php83'], defaultPhpVersion: 'php83', redisAllowed: true, serverGroupIds: [group] },
    })
    assert.equal(made.status, 201, made.text)
    const planId = made.body.id as number
    const body = exampleBody('POST', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', { all: true, values: { planId, friendlyName: 'Main site', dedicatedServers: { appServerId: app, dbServerId: app } } })
    const sub = await call('POST', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', `/orgs/${m}/customers/${c}/subscriptions`, { body }, 201)
    const one = (await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${sub.body.id}`, {}, 200)).body
    assert.deepEqual(one.dedicatedServers, { appServer: { name: 'web-1', id: app, ip: '192.0.2.10' }, dbServer: { name: 'web-1', id: app, ip: '192.0.2.10' } })
    assert.deepEqual(one.dedicatedServerIds, { appServerId: app, dbServerId: app })
    assert.deepEqual(one.allowances, [{ name: 'ssh' }])
    assert.deepEqual(one.selections, [{ name: 'phpHandler', value: 'fpm' }])
    assert.deepEqual([one.allowedPhpVersions, one.defaultPhpVersion, one.redisAllowed], [['php83'], 'php83', true])
    assert.equal(one.status, 'active')
    assert.equal(one.friendlyName, 'Main site')

    // Usage as the hosting platform reports it, read back as Enhance's calculate and bandwidth answer it.
    assert.equal((await s.req('PUT', `/orgs/${c}/subscriptions/${sub.body.id}/usage`, { body: { resources: [{ name: 'websites', usage: 1 }, { name: 'transfer', usage: 300 }] } })).status, 204)
    const calc = await call('PUT', '/orgs/{org_id}/subscriptions/{subscription_id}/calculate-resource-usage', `/orgs/${c}/subscriptions/${sub.body.id}/calculate-resource-usage`, {}, 200)
    assert.deepEqual(calc.body.items, [{ name: 'transfer', total: 1000, usage: 300 }, { name: 'websites', total: 2, usage: 1 }])
    const bw = await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}/bandwidth', `/orgs/${c}/subscriptions/${sub.body.id}/bandwidth?refreshCache=true`, {}, 200)
    assert.equal(bw.body, 300)
    await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}/bandwidth', `/orgs/${c}/subscriptions/999999/bandwidth`, {}, 404)

    // A plan's later change reaches subscriptions made from then on; this one keeps its settings until its plan is set again.
    await s.req('PATCH', `/orgs/${m}/plans/${planId}`, { body: { allowedPhpVersions: ['php84'], redisAllowed: false } })
    assert.deepEqual((await s.req('GET', `/orgs/${c}/subscriptions/${sub.body.id}`)).body.allowedPhpVersions, ['php83'])
    await call('PATCH', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${sub.body.id}`, { body: { planId } }, 204)
    const again = (await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${sub.body.id}`, {}, 200)).body
    assert.deepEqual([again.allowedPhpVersions, again.redisAllowed], [['php84'], false])

    // A subscription placed by its server group answers the group as Enhance's ServerGroup.
    const grouped = await call('POST', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', `/orgs/${m}/customers/${c}/subscriptions`, { body: { planId } }, 201)
    await call('PATCH', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${grouped.body.id}`, { body: { isSuspended: true } }, 204)
    const g = (await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${grouped.body.id}`, {}, 200)).body
    assert.deepEqual(g.serverGroups.map((x: { id: string; serverCount: number }) => [x.id, x.serverCount]), [[group, 1]])
    assert.equal(g.isSuspended, true)

    for (const q of ['', '?sortBy=plan&sortOrder=desc', '?limit=1&offset=1', '?limit=5000']) {
      await call('GET', '/orgs/{org_id}/subscriptions', `/orgs/${c}/subscriptions${q}`, {}, 200)
      await call('GET', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', `/orgs/${m}/customers/${c}/subscriptions${q}`, {}, 200)
    }
    // A cancelled subscription is within the document's Status; Clientele's word is in lifecycleStatus.
    await s.req('PATCH', `/orgs/${m}/customers/${c}/subscriptions/${grouped.body.id}`, { body: { status: 'cancelled' } })
    const cancelled = (await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${grouped.body.id}`, {}, 200)).body
    assert.deepEqual([cancelled.status, cancelled.lifecycleStatus], ['active', 'cancelled'])

    await call('PATCH', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${grouped.body.id}`, { body: { status: 'deleted' } }, 204)
    await call('GET', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${grouped.body.id}`, {}, 404)
    await call('DELETE', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${sub.body.id}?force=true`, {}, 204)
    await call('DELETE', '/orgs/{org_id}/subscriptions/{subscription_id}', `/orgs/${c}/subscriptions/${sub.body.id}`, {}, 404)
    await call('GET', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', `/orgs/${m}/customers/${c}/subscriptions`, { auth: null }, 401)
    await call('POST', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', `/orgs/${m}/customers/${c}/subscriptions`, { body: { planId: 999999 } }, 404)
    await call('POST', '/orgs/{org_id}/customers/{customer_org_id}/subscriptions', `/orgs/${m}/customers/${c}/subscriptions`, { body: {} }, 400, 'invalid')
  })

  it("a seller chooses a server group only where the plan allows it, and only among the plan's", async () => {
    const m = s.masterId
    const r = (await s.req('POST', `/orgs/${m}/customers`, { body: { name: 'Group Reseller', isReseller: true } })).body.id
    const rp = (await s.req('POST', `/orgs/${m}/plans`, { body: { name: 'Reseller quota', resources: [{ name: 'customers', total: 5 }, { name: 'websites', total: 10 }] } })).body.id
    assert.equal((await s.req('POST', `/orgs/${m}/customers/${r}/subscriptions`, { body: { planId: rp } })).status, 201)
    assert.equal((await s.req('POST', `/orgs/${r}/members`, { body: { username: `gr_${dialect}`, password: PW, role: 'admin' } })).status, 201)
    const as = { auth: [`gr_${dialect}`, PW] as [string, string] }
    const c = (await s.req('POST', `/orgs/${r}/customers`, { body: { name: 'Group Customer' }, ...as })).body.id
    const fixed = (await s.req('POST', `/orgs/${r}/plans`, { body: { name: 'Fixed', resources: [{ name: 'websites', total: 1 }], serverGroupIds: [group, otherGroup] }, ...as })).body.id
    const choice = (await s.req('POST', `/orgs/${r}/plans`, { body: { name: 'Choice', resources: [{ name: 'websites', total: 1 }], serverGroupIds: [otherGroup], allowServerGroupSelection: true }, ...as })).body.id
    const sell = (planId: number, serverGroupId: string) => s.req('POST', `/orgs/${r}/customers/${c}/subscriptions`, { body: { planId, serverGroupId }, ...as })
    assert.equal((await sell(fixed, group)).status, 403)
    assert.equal((await sell(choice, group)).status, 400)
    const ok = await sell(choice, otherGroup)
    assert.equal(ok.status, 201, ok.text)
    const got = (await s.req('GET', `/orgs/${r}/customers/${c}/subscriptions/${ok.body.id}`, as)).body
    assert.deepEqual([got.serverGroupId, got.placement, got.serverGroups.map((x: { name: string }) => x.name)], [otherGroup, 'subscription', ['Shared US']])
    // Nothing was sold by the refusals: the reseller's quota holds one website.
    const held = (await s.req('GET', `/orgs/${r}/subscriptions`, as)).body.items[0]
    assert.equal(held.resources.find((x: { name: string }) => x.name === 'websites').usage, 1)
  })

  it("a plan's provisioning service is handed each subscription, with the hosting settings, and the subscription shows how it went", async () => {
    const m = s.masterId
    const c = (await s.req('POST', `/orgs/${m}/customers`, { body: { name: 'Provisioned Customer' } })).body.id
    const planId = (
      await s.req('POST', `/orgs/${m}/plans`, {
        body: {
          name: 'Provisioned',
          resources: [{ name: 'websites', total: 3 }],
          allowances: [{ name: 'ssh' }],
          selections: [],
          cgroupLimits: { nproc: 50, memoryLimit: 1073741824, iops: null, ioBandwidth: null, virtualCpus: 1.5 },
          fsQuotaLimit: { totalAvailable: 10737418240 },
          redisAllowed: true,
          provisioningService: 'hosting',
        },
      })
    ).body.id
    assert.equal((await s.req('GET', `/orgs/${m}/plans/${planId}`)).body.provisioningService, 'HOSTING')
    const sub = await s.req('POST', `/orgs/${m}/customers/${c}/subscriptions`, { body: { planId } })
    assert.equal(sub.status, 201, sub.text)
    const path = `/orgs/${c}/subscriptions/${sub.body.id}`
    const done = await until(path, 'Provisioned')
    assert.ok(done.body.provisioningRequestId > 0)
    const d = rx.deliveries.find((x) => x.body.subject === `subscription:${sub.body.id}`)
    assert.ok(d?.signed)
    const sent = (d!.body.payload as { event: string; subscription: Record<string, any> }).subscription
    assert.equal((d!.body.payload as { event: string }).event, 'created')
    assert.deepEqual(sent.hosting.cgroupLimits, { nproc: 50, memoryLimit: 1073741824, iops: null, ioBandwidth: null, virtualCpus: 1.5 })
    assert.deepEqual(sent.hosting.fsQuotaLimit, { totalAvailable: 10737418240 })
    assert.deepEqual(sent.hosting.allowances, [{ name: 'ssh' }])
    assert.equal(sent.hosting.redisAllowed, true)
    assert.deepEqual(sent.resources, [{ name: 'websites', total: 3, usage: 0 }])
    assert.equal(sent.subscriberId, c)

    assert.equal((await s.req('DELETE', `/orgs/${m}/customers/${c}/subscriptions/${sub.body.id}`)).status, 204)
    const t0 = Date.now()
    while (!rx.deliveries.some((x) => x.body.subject === `subscription:${sub.body.id}` && x.body.action === 'deprovision') && Date.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 20))
    const gone = rx.deliveries.find((x) => x.body.subject === `subscription:${sub.body.id}` && x.body.action === 'deprovision')
    assert.equal((gone?.body.payload as { event: string }).event, 'deleted')

    // A plan naming no such service is refused, and one without a service hands nothing over.
    assert.equal((await s.req('POST', `/orgs/${m}/plans`, { body: { name: 'Nowhere', provisioningService: 'NOPE' } })).status, 400)
    const quiet = (await s.req('POST', `/orgs/${m}/plans`, { body: { name: 'Quiet' } })).body.id
    const q = await s.req('POST', `/orgs/${m}/customers/${c}/subscriptions`, { body: { planId: quiet } })
    assert.equal((await s.req('GET', `/orgs/${c}/subscriptions/${q.body.id}`)).body.provisioningStatus, 'NotProvisioned')
  })

  it('covered every plan and subscription operation of the document that Clientele serves', () => {
    const named = COVERED['enhance-plans.test.ts']
    assert.deepEqual([...checked].sort(), [...named].sort())
  })
})
