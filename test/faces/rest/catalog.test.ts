import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

const PASSWORD = 'a-long-enough-password'
const SERVICE_FIELDS = ['createdAt', 'description', 'displayName', 'driver', 'driverConfig', 'id', 'multipleUserPlans', 'name', 'updatedAt', 'version']
const EXAMPLE = parseYaml(readFileSync(new URL('../../../examples/catalog.yaml', import.meta.url), 'utf8')) as Record<string, any>

/** The seed 004 service table: display name → short name (SharePoint's as its requests write it). */
const SEED_SERVICES: [string, string][] = [
  ['AD Sync', 'ADSync'],
  ['BlackBerry 5', 'BlackBerry5'],
  ['Citrix', 'Citrix'],
  ['Customer Relationship Management 2011', 'CRM2011'],
  ['DNS', 'DNS'],
  ['File Sharing', 'FSS'],
  ['Hosted Apps and Desktops', 'HostedAppsandDesktops'],
  ['Hosted Exchange', 'HE'],
  ['Lync 2010 for Hosters', 'LyncHosted'],
  ['Lync Enterprise', 'LyncEnterprise'],
  ['Mail Archiving', 'MARCH'],
  ['Microsoft SQL Server Hosting', 'SQL2005Hosting'],
  ['MySQL', 'MySQL'],
  ['Office Communication Server 2007', 'OCS'],
  ['Reseller', 'Reseller'],
  ['SharePoint 2010', 'SharePoint2010'],
  ['Virtual Machine', 'VirtualMachine'],
  ['Windows Web-Hosting', 'WinWebHost'],
]

const keys = (o: object) => Object.keys(o).sort()
const names = (items: { name: string }[]) => items.map((x) => x.name)
const changes = (summary: Record<string, { created: number; updated: number; deleted: number }>) =>
  Object.values(summary).reduce((n, c) => n + c.created + c.updated + c.deleted, 0)

eachDialect('the service catalogue', (dialect) => {
  let s: TestServer
  const masterSupport: [string, string] = ['cat-master-support', PASSWORD]
  const resellerAdmin: [string, string] = ['cat-reseller-admin', PASSWORD]
  const customerReader: [string, string] = ['cat-customer-reader', PASSWORD]

  async function org(parent: string, body: Record<string, unknown>): Promise<string> {
    const r = await s.req('POST', `/orgs/${parent}/customers`, { body })
    assert.equal(r.status, 201, r.text)
    return r.body.id as string
  }
  async function user(orgId: string, [username, password]: [string, string], role: string): Promise<void> {
    const r = await s.req('POST', `/orgs/${orgId}/members`, { body: { username, password, role } })
    assert.equal(r.status, 201, r.text)
  }
  async function created(path: string, body: unknown): Promise<any> {
    const r = await s.req('POST', path, { body })
    assert.equal(r.status, 201, `${path}: ${r.text}`)
    return r.body
  }

  before(async () => {
    s = await startServer(dialect)
    const reseller = await org(s.masterId, { name: 'Catalogue Reseller', isReseller: true })
    const customer = await org(reseller, { name: 'Catalogue Customer' })
    await user(s.masterId, masterSupport, 'support')
    await user(reseller, resellerAdmin, 'admin')
    await user(customer, customerReader, 'readonly')
  })
  after(() => s.close())

  describe('services and their packages, plans and properties', () => {
    it('creates, reads (by name, in any case), changes and deletes a service', async () => {
      const body = { name: 'TST', displayName: 'Test Service', version: '2010', description: 'd', driver: 'webhook', driverConfig: { url: 'https://hooks.example/p' }, multipleUserPlans: true }
      const c = await s.req('POST', '/services', { body })
      assert.equal(c.status, 201, c.text)
      assert.deepEqual(keys(c.body), SERVICE_FIELDS)
      assert.deepEqual({ ...c.body, id: undefined, createdAt: undefined, updatedAt: undefined }, { ...body, id: undefined, createdAt: undefined, updatedAt: undefined })
      assert.equal(c.headers.get('location'), '/services/TST')

      const g = await s.req('GET', '/services/tst')
      assert.equal(g.status, 200, g.text)
      assert.deepEqual(g.body, c.body)
      const l = await s.req('GET', '/services')
      assert.equal(l.body.total, l.body.items.length)
      assert.ok(names(l.body.items).includes('TST'))

      const u = await s.req('PATCH', '/services/TST', { body: { name: 'TST2', version: '2013', driverConfig: {} } })
      assert.equal(u.status, 200, u.text)
      assert.deepEqual([u.body.name, u.body.version, u.body.displayName, u.body.driver, u.body.driverConfig], ['TST2', '2013', 'Test Service', 'webhook', {}])
      assert.equal((await s.req('GET', '/services/TST')).status, 404)
      assert.deepEqual((await s.req('GET', '/services/TST2')).body, u.body)

      assert.equal((await s.req('DELETE', '/services/tst2')).status, 204)
      assert.equal((await s.req('GET', '/services/TST2')).status, 404)
      assert.equal((await s.req('DELETE', '/services/TST2')).status, 404)
      assert.equal((await s.req('PATCH', '/services/TST2', { body: { version: 'x' } })).status, 404)
    })

    it('defaults every optional field of a service, plan and property', async () => {
      const svc = await created('/services', { name: 'Plain' })
      assert.deepEqual(
        [svc.displayName, svc.version, svc.description, svc.driver, svc.driverConfig, svc.multipleUserPlans],
        ['', '', '', 'noop', {}, false],
      )
      const plan = await created('/services/Plain/plans', { name: 'P' })
      assert.deepEqual([plan.fullname, plan.userlimit], ['', 'Unlimited'])
      const prop = await created('/services/Plain/properties', { name: 'Q' })
      assert.deepEqual([prop.value, prop.hidden], ['', false])
      const pkg = await created('/services/Plain/packages', { name: 'K' })
      assert.deepEqual([pkg.displayName, pkg.description], ['', ''])
    })

    it('keeps packages, user plans and properties of a service by name', async () => {
      await created('/services', { name: 'Kids', displayName: 'Kids' })
      const pkg = await created('/services/Kids/packages', { name: 'Basic', displayName: 'Basic package' })
      assert.deepEqual(keys(pkg), ['createdAt', 'description', 'displayName', 'id', 'name', 'updatedAt'])
      const plan = await created('/services/Kids/plans', { name: 'FULL', fullname: 'Full', userlimit: 5 })
      assert.deepEqual(keys(plan), ['createdAt', 'fullname', 'id', 'name', 'updatedAt', 'userlimit'])
      assert.equal(plan.userlimit, 5)
      const unl = await created('/services/Kids/plans', { name: 'READ', userlimit: 'unlimited' })
      assert.equal(unl.userlimit, 'Unlimited')
      const prop = await created('/services/kids/properties', { name: 'FileShareServer', value: 'CSPFILEHOST01' })
      assert.deepEqual(keys(prop), ['createdAt', 'hidden', 'id', 'name', 'updatedAt', 'value'])

      assert.deepEqual(names((await s.req('GET', '/services/Kids/plans')).body.items), ['FULL', 'READ'])
      assert.deepEqual((await s.req('GET', '/services/Kids/plans/full')).body, plan)
      assert.deepEqual((await s.req('GET', '/services/Kids/packages/BASIC')).body, pkg)
      assert.deepEqual((await s.req('GET', '/services/Kids/properties/fileshareserver')).body, prop)

      const up = await s.req('PATCH', '/services/Kids/plans/FULL', { body: { userlimit: 'Unlimited', fullname: 'Everything' } })
      assert.equal(up.status, 200, up.text)
      assert.deepEqual([up.body.name, up.body.fullname, up.body.userlimit], ['FULL', 'Everything', 'Unlimited'])
      const pp = await s.req('PATCH', '/services/Kids/properties/FileShareServer', { body: { value: 'HOST02' } })
      assert.equal(pp.body.value, 'HOST02')
      const kp = await s.req('PATCH', '/services/Kids/packages/Basic', { body: { name: 'Standard' } })
      assert.equal(kp.body.name, 'Standard')

      for (const path of ['/services/Kids/packages/Standard', '/services/Kids/plans/READ', '/services/Kids/properties/FileShareServer']) {
        assert.equal((await s.req('DELETE', path)).status, 204, path)
        assert.equal((await s.req('GET', path)).status, 404, path)
        assert.equal((await s.req('DELETE', path)).status, 404, path)
      }
      // Children go with their service.
      assert.equal((await s.req('DELETE', '/services/Kids')).status, 204)
      assert.equal((await s.req('GET', '/services/Kids/plans')).status, 404)
      assert.equal((await s.req('POST', '/services/Kids/plans', { body: { name: 'X' } })).status, 404)
    })

    it('answers 409 for a duplicate name, compared case-insensitively', async () => {
      await created('/services', { name: 'Dup' })
      await created('/services', { name: 'Dup2' })
      for (const name of ['Dup', 'DUP', 'dup']) {
        const r = await s.req('POST', '/services', { body: { name } })
        assert.equal(r.status, 409, r.text)
        assert.equal(r.body.code, 'already_exists')
      }
      assert.equal((await s.req('PATCH', '/services/Dup2', { body: { name: 'dup' } })).status, 409)
      for (const kind of ['packages', 'plans', 'properties']) {
        await created(`/services/Dup/${kind}`, { name: 'one' })
        await created(`/services/Dup/${kind}`, { name: 'two' })
        await created(`/services/Dup2/${kind}`, { name: 'one' })
        assert.equal((await s.req('POST', `/services/Dup/${kind}`, { body: { name: 'ONE' } })).status, 409, kind)
        assert.equal((await s.req('PATCH', `/services/Dup/${kind}/two`, { body: { name: 'One' } })).status, 409, kind)
      }
      await created('/locations', { name: 'dup.local' })
      assert.equal((await s.req('POST', '/locations', { body: { name: 'DUP.local' } })).status, 409)
    })

    const bad: [string, string, string, unknown][] = [
      ['an unknown field', 'POST', '/services', { name: 'Bad', colour: 'red' }],
      ['a snake_case field', 'POST', '/services', { name: 'Bad', display_name: 'x' }],
      ['no name', 'POST', '/services', { displayName: 'x' }],
      ['a name with a slash', 'POST', '/services', { name: 'a/b' }],
      ['a name with surrounding spaces', 'POST', '/services', { name: ' HE' }],
      ['a driver config that is not an object', 'POST', '/services', { name: 'Bad', driverConfig: 'x' }],
      ['a bad driver name', 'POST', '/services', { name: 'Bad', driver: 'Web Hook' }],
      ['multipleUserPlans as text', 'POST', '/services', { name: 'Bad', multipleUserPlans: 'true' }],
      ['an unknown field on a change', 'PATCH', '/services/Plain', { nope: 1 }],
      ['a user limit of 0', 'POST', '/services/Plain/plans', { name: 'Z', userlimit: 0 }],
      ['a user limit in words', 'POST', '/services/Plain/plans', { name: 'Z', userlimit: 'lots' }],
      ['a fractional user limit', 'POST', '/services/Plain/plans', { name: 'Z', userlimit: 1.5 }],
      ['an unknown plan field', 'POST', '/services/Plain/plans', { name: 'Z', enabled: true }],
      ['hidden as text', 'POST', '/services/Plain/properties', { name: 'Z', hidden: 'yes' }],
      ['an unknown location property field', 'POST', '/locations', { name: 'bad.local', customerProperties: [{ name: 'a', type: 'x' }] }],
      ['a location property named twice', 'POST', '/locations', { name: 'bad.local', customerProperties: [{ name: 'a' }, { name: 'A' }] }],
      ['an unknown catalogue field', 'PUT', '/catalog', { services: [], extra: true }],
      ['an unknown field deep in the catalogue', 'PUT', '/catalog', { services: [{ name: 'Bad', plans: [{ name: 'p', limit: 5 }] }] }],
      ['a service named twice in the catalogue', 'PUT', '/catalog', { services: [{ name: 'Twice' }, { name: 'TWICE' }] }],
      ['a plan named twice in the catalogue', 'PUT', '/catalog', { services: [{ name: 'Bad', plans: [{ name: 'p' }, { name: 'p' }] }] }],
      ['a location offering an unknown service', 'PUT', '/catalog', { services: [{ name: 'Bad' }], locations: [{ name: 'bad.local', services: ['Bad', 'NoSuchService'] }] }],
    ]
    for (const [what, method, path, body] of bad) {
      it(`refuses ${what} with 400, changing nothing`, async () => {
        const r = await s.req(method, path, { body })
        assert.equal(r.status, 400, r.text)
        assert.equal(r.body.code, 'invalid_argument')
        assert.equal((await s.req('GET', '/services/Bad')).status, 404)
        assert.equal((await s.req('GET', '/services/Twice')).status, 404)
        assert.equal((await s.req('GET', '/locations/bad.local')).status, 404)
      })
    }

    it('refuses unknown query parameters and filters with 400', async () => {
      assert.equal((await s.req('GET', '/services/Plain/properties?filter=hidden')).status, 400)
      assert.equal((await s.req('GET', '/services/Plain/properties?detail=true')).status, 400)
      assert.equal((await s.req('GET', '/catalog?prune=true')).status, 400)
      assert.equal((await s.req('PUT', '/catalog?prune=maybe', { body: {} })).status, 400)
    })
  })

  describe('who may read and write', () => {
    it('lets anyone authenticated read, and nobody unauthenticated', async () => {
      await created('/services', { name: 'Open', driver: 'webhook', driverConfig: { url: 'https://hooks.example/x', secret: 's3cret' } })
      await created('/services/Open/plans', { name: 'P' })
      for (const auth of [resellerAdmin, customerReader, masterSupport]) {
        for (const path of ['/services', '/services/Open', '/services/Open/plans', '/services/Open/plans/P', '/services/Open/packages', '/services/Open/properties', '/locations', '/catalog']) {
          assert.equal((await s.req('GET', path, { auth })).status, 200, `${auth[0]} ${path}`)
        }
      }
      for (const path of ['/services', '/services/Open', '/locations', '/catalog']) {
        assert.equal((await s.req('GET', path, { auth: null })).status, 401, path)
      }
    })

    it('shows driver settings to catalogue writers only', async () => {
      assert.deepEqual((await s.req('GET', '/services/Open')).body.driverConfig, { url: 'https://hooks.example/x', secret: { set: true } })
      for (const auth of [resellerAdmin, customerReader, masterSupport]) {
        const one = await s.req('GET', '/services/Open', { auth })
        assert.equal(one.body.driverConfig, undefined, auth[0])
        assert.equal(one.body.driver, 'webhook')
        const all = await s.req('GET', '/services', { auth })
        assert.ok(all.body.items.every((x: any) => x.driverConfig === undefined))
        const doc = await s.req('GET', '/catalog?filter=all', { auth })
        assert.deepEqual(doc.body.services.find((x: any) => x.name === 'Open').driverConfig, {})
      }
    })

    it('lets only the master organisation with catalog.write change it (403 otherwise)', async () => {
      await created('/locations', { name: 'guarded.local', services: ['Open'] })
      for (const auth of [resellerAdmin, customerReader, masterSupport]) {
        const writes: [string, string, unknown][] = [
          ['POST', '/services', { name: 'Intruder' }],
          ['PATCH', '/services/Open', { version: 'x' }],
          ['DELETE', '/services/Open', undefined],
          ['POST', '/services/Open/packages', { name: 'x' }],
          ['PATCH', '/services/Open/plans/P', { fullname: 'x' }],
          ['DELETE', '/services/Open/plans/P', undefined],
          ['POST', '/services/Open/properties', { name: 'x' }],
          ['POST', '/locations', { name: 'intruder.local' }],
          ['PATCH', '/locations/guarded.local', { description: 'x' }],
          ['DELETE', '/locations/guarded.local', undefined],
          ['PUT', '/catalog', { services: [{ name: 'Intruder' }] }],
        ]
        for (const [method, path, body] of writes) {
          const r = await s.req(method, path, { body, auth })
          assert.equal(r.status, 403, `${auth[0]} ${method} ${path}: ${r.text}`)
          assert.equal(r.body.code, 'forbidden')
        }
      }
      assert.equal((await s.req('GET', '/services/Intruder')).status, 404)
      assert.equal((await s.req('GET', '/services/Open')).body.version, '')
      assert.equal((await s.req('GET', '/services/Open/plans/P')).status, 200)
      assert.equal((await s.req('GET', '/locations/guarded.local')).body.description, '')
    })
  })

  describe('hidden properties', () => {
    before(async () => {
      await created('/services', { name: 'Veiled' })
      await created('/services/Veiled/properties', { name: 'Shown', value: 'a' })
      await created('/services/Veiled/properties', { name: 'Secret', value: 'b', hidden: true })
      await created('/locations', { name: 'veiled.local', services: ['Veiled'], customerProperties: [{ name: 'Seen' }, { name: 'Unseen', hidden: true }], userAdditionalProperties: [{ name: 'title' }, { name: 'sid', hidden: true }] })
    })

    it('lists them only with filter=all, to the master organisation', async () => {
      assert.deepEqual(names((await s.req('GET', '/services/Veiled/properties')).body.items), ['Shown'])
      const all = await s.req('GET', '/services/Veiled/properties?filter=all')
      assert.deepEqual(names(all.body.items), ['Secret', 'Shown'])
      assert.equal(all.body.items[0].hidden, true)
      assert.deepEqual(names((await s.req('GET', '/services/Veiled/properties?filter=all', { auth: masterSupport })).body.items), ['Secret', 'Shown'])
      for (const auth of [resellerAdmin, customerReader]) {
        assert.deepEqual(names((await s.req('GET', '/services/Veiled/properties?filter=all', { auth })).body.items), ['Shown'], auth[0])
      }
    })

    it('finds a hidden property only with filter=all, to the master organisation', async () => {
      assert.equal((await s.req('GET', '/services/Veiled/properties/Secret')).status, 404)
      assert.equal((await s.req('GET', '/services/Veiled/properties/Secret?filter=all')).body.value, 'b')
      assert.equal((await s.req('GET', '/services/Veiled/properties/Secret?filter=all', { auth: resellerAdmin })).status, 404)
      // A writer changes it without asking.
      const r = await s.req('PATCH', '/services/Veiled/properties/Secret', { body: { value: 'c' } })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.hidden, true)
    })

    it("hides a location's hidden properties the same way", async () => {
      const plain = (await s.req('GET', '/locations/veiled.local')).body
      assert.deepEqual([names(plain.customerProperties), names(plain.userAdditionalProperties)], [['Seen'], ['title']])
      const all = (await s.req('GET', '/locations/veiled.local?filter=all')).body
      assert.deepEqual([names(all.customerProperties), names(all.userAdditionalProperties)], [['Seen', 'Unseen'], ['title', 'sid']])
      const theirs = (await s.req('GET', '/locations/veiled.local?filter=all', { auth: resellerAdmin })).body
      assert.deepEqual([names(theirs.customerProperties), names(theirs.userAdditionalProperties)], [['Seen'], ['title']])
      const listed = (await s.req('GET', '/locations?filter=all', { auth: customerReader })).body.items.find((l: any) => l.name === 'veiled.local')
      assert.deepEqual(names(listed.customerProperties), ['Seen'])
    })

    it('exports them only with filter=all, to the master organisation', async () => {
      const props = async (q: string, auth?: [string, string]) =>
        names((await s.req('GET', `/catalog${q}`, { auth })).body.services.find((x: any) => x.name === 'Veiled').properties)
      assert.deepEqual(await props(''), ['Shown'])
      assert.deepEqual(await props('?filter=all'), ['Secret', 'Shown'])
      assert.deepEqual(await props('?filter=all', resellerAdmin), ['Shown'])
    })
  })

  describe('locations', () => {
    it('creates, finds by service, changes and deletes a location', async () => {
      await created('/services', { name: 'LocA' })
      await created('/services', { name: 'LocB' })
      const c = await s.req('POST', '/locations', { body: { name: 'csp.Local', description: 'd', services: ['locb', 'LocA'], userAdditionalProperties: [{ name: 'department', value: 'Unassigned' }] } })
      assert.equal(c.status, 201, c.text)
      assert.deepEqual(keys(c.body), ['createdAt', 'customerProperties', 'description', 'id', 'name', 'services', 'updatedAt', 'userAdditionalProperties'])
      assert.deepEqual(c.body.services, ['LocA', 'LocB'])
      assert.deepEqual(c.body.userAdditionalProperties, [{ name: 'department', value: 'Unassigned', hidden: false }])
      assert.equal(c.headers.get('location'), '/locations/csp.Local')
      assert.deepEqual((await s.req('GET', '/locations/CSP.local')).body, c.body)
      assert.ok(names((await s.req('GET', '/locations?service=LOCA')).body.items).includes('csp.Local'))
      assert.deepEqual((await s.req('GET', '/locations?service=NoSuchService')).body, { items: [], total: 0 })

      const u = await s.req('PATCH', '/locations/csp.Local', { body: { services: ['LocB'], customerProperties: [{ name: 'MinPWLength', value: '8' }] } })
      assert.equal(u.status, 200, u.text)
      assert.deepEqual(u.body.services, ['LocB'])
      assert.deepEqual(u.body.userAdditionalProperties, c.body.userAdditionalProperties)
      assert.deepEqual(u.body.customerProperties, [{ name: 'MinPWLength', value: '8', hidden: false }])
      assert.ok(!names((await s.req('GET', '/locations?service=LocA')).body.items).includes('csp.Local'))

      assert.equal((await s.req('PATCH', '/locations/csp.Local', { body: { services: ['Nowhere'] } })).status, 404)
      assert.equal((await s.req('POST', '/locations', { body: { name: 'x.local', services: ['Nowhere'] } })).status, 404)
      assert.equal((await s.req('GET', '/locations/x.local')).status, 404)

      // A deleted service is no longer offered; a deleted location leaves its services.
      assert.equal((await s.req('DELETE', '/services/LocB')).status, 204)
      assert.deepEqual((await s.req('GET', '/locations/csp.Local')).body.services, [])
      assert.equal((await s.req('DELETE', '/locations/csp.local')).status, 204)
      assert.equal((await s.req('GET', '/locations/csp.Local')).status, 404)
      assert.equal((await s.req('GET', '/services/LocA')).status, 200)
    })
  })

  describe('examples/catalog.yaml', () => {
    let first: any
    before(async () => {
      const r = await s.req('PUT', '/catalog', { body: EXAMPLE })
      assert.equal(r.status, 200, r.text)
      first = r.body
    })

    it('imports every service of the seed table', async () => {
      assert.deepEqual(first.services, { created: SEED_SERVICES.length, updated: 0, deleted: 0, unchanged: 0 })
      assert.deepEqual(first.locations, { created: 1, updated: 0, deleted: 0, unchanged: 0 })
      for (const [displayName, name] of SEED_SERVICES) {
        const r = await s.req('GET', `/services/${encodeURIComponent(name)}`, { auth: customerReader })
        assert.equal(r.status, 200, name)
        assert.deepEqual([r.body.name, r.body.displayName], [name, displayName])
      }
    })

    it("answers the seed's examples by the names they use", async () => {
      const he = await s.req('GET', '/services/HE')
      assert.deepEqual([he.body.displayName, he.body.version], ['Hosted Exchange', '2010'])
      const hePlans = (await s.req('GET', '/services/HE/plans')).body.items
      assert.deepEqual(hePlans.map((p: any) => p.fullname).sort(), ['Ex10 Basic', 'Ex10 Full'])
      assert.equal((await s.req('GET', '/services/HE/packages/Basic')).status, 200)

      const fss = (await s.req('GET', '/services/FSS/plans')).body.items
      assert.deepEqual(fss.map((p: any) => [p.name, p.fullname, p.userlimit]), [['FULL', 'Full', 'Unlimited'], ['LIST', 'List', 'Unlimited'], ['READ', 'Read', 'Unlimited']])
      assert.equal((await s.req('GET', '/services/FSS/packages/FULL')).status, 200)
      assert.equal((await s.req('GET', '/services/FSS/properties/FileShareServer')).status, 200)

      const hd = await s.req('GET', '/services/HostedAppsAndDesktops')
      assert.equal(hd.body.multipleUserPlans, true)
      for (const plan of ['DESKTOPS', 'OFFICEAPPS']) assert.equal((await s.req('GET', `/services/HostedAppsandDesktops/plans/${plan}`)).status, 200)
      assert.equal((await s.req('GET', '/services/HostedAppsandDesktops/packages/SharedsiteWebInterfacemode')).status, 200)
      for (const name of ['Sharepoint2010', 'SharePoint2010', 'MARCH', 'MySQL', 'CRM2011', 'Reseller']) {
        assert.equal((await s.req('GET', `/services/${name}`)).status, 200, name)
      }
      assert.ok((await s.req('GET', '/services/MARCH/properties?filter=all')).body.items.some((p: any) => p.hidden))

      const loc = (await s.req('GET', '/locations/csm.Local')).body
      assert.deepEqual(loc.services.length, SEED_SERVICES.length)
      assert.ok(names((await s.req('GET', '/locations?service=HE')).body.items).includes('csm.Local'))
    })

    it('is idempotent: importing it again changes nothing', async () => {
      const before = (await s.req('GET', '/catalog?filter=all')).body
      const heBefore = (await s.req('GET', '/services/HE')).body
      const again = await s.req('PUT', '/catalog', { body: EXAMPLE })
      assert.equal(again.status, 200, again.text)
      assert.equal(changes(again.body), 0, JSON.stringify(again.body))
      assert.equal(again.body.services.unchanged, SEED_SERVICES.length)
      assert.deepEqual((await s.req('GET', '/catalog?filter=all')).body, before)
      assert.deepEqual((await s.req('GET', '/services/HE')).body, heBefore)
    })

    it('exports what it imported, and the export imports as no change', async () => {
      const doc = (await s.req('GET', '/catalog?filter=all')).body
      for (const want of EXAMPLE.services) {
        const got = doc.services.find((x: any) => x.name === want.name)
        assert.ok(got, want.name)
        assert.equal(got.displayName, want.displayName ?? '')
        assert.equal(got.version, want.version ?? '')
        assert.equal(got.multipleUserPlans, want.multipleUserPlans ?? false)
        assert.deepEqual(names(got.plans).sort(), names(want.plans ?? []).sort(), want.name)
        assert.deepEqual(names(got.packages).sort(), names(want.packages ?? []).sort(), want.name)
        assert.deepEqual(got.properties.map((p: any) => [p.name, p.value, p.hidden]).sort(), (want.properties ?? []).map((p: any) => [p.name, p.value ?? '', p.hidden ?? false]).sort())
      }
      const csm = doc.locations.find((l: any) => l.name === 'csm.Local')
      assert.deepEqual([...csm.services].sort(), [...EXAMPLE.locations[0].services].sort())
      assert.deepEqual(csm.customerProperties, EXAMPLE.locations[0].customerProperties.map((p: any) => ({ name: p.name, value: p.value ?? '', hidden: p.hidden ?? false })))

      const back = await s.req('PUT', '/catalog', { body: doc })
      assert.equal(back.status, 200, back.text)
      assert.equal(changes(back.body), 0, JSON.stringify(back.body))
      assert.deepEqual((await s.req('GET', '/catalog?filter=all')).body, doc)
    })
  })
})

eachDialect('importing a catalogue document', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  const exported = async () => (await s.req('GET', '/catalog?filter=all')).body
  async function put(body: unknown, query = ''): Promise<any> {
    const r = await s.req('PUT', `/catalog${query}`, { body })
    assert.equal(r.status, 200, r.text)
    return r.body
  }

  it('makes each named service exactly as written, keeping the others', async () => {
    await put({
      services: [
        { name: 'A', displayName: 'Alpha', plans: [{ name: 'p1', userlimit: 3 }, { name: 'p2' }], properties: [{ name: 'x', value: '1' }] },
        { name: 'B', packages: [{ name: 'k' }] },
      ],
      locations: [{ name: 'loc', services: ['A', 'B'] }],
    })
    const r = await put({ services: [{ name: 'a', plans: [{ name: 'P1', userlimit: 4 }] }] })
    assert.deepEqual(r.services, { created: 0, updated: 1, deleted: 0, unchanged: 0 })
    assert.deepEqual(r.plans, { created: 0, updated: 1, deleted: 1, unchanged: 0 })
    assert.deepEqual(r.properties, { created: 0, updated: 0, deleted: 1, unchanged: 0 })
    const doc = await exported()
    const a = doc.services.find((x: any) => x.name === 'a')
    assert.deepEqual([a.displayName, a.plans, a.properties], ['', [{ name: 'P1', fullname: '', userlimit: 4 }], []])
    assert.ok(doc.services.some((x: any) => x.name === 'B'), 'services the document does not name are kept')
    assert.deepEqual(doc.locations, [{ name: 'loc', description: '', services: ['B', 'a'], customerProperties: [], userAdditionalProperties: [] }])
  })

  it('lets a location offer a service kept in the catalogue', async () => {
    const r = await put({ locations: [{ name: 'loc', services: ['b'] }] })
    assert.deepEqual(r.locations, { created: 0, updated: 1, deleted: 0, unchanged: 0 })
    assert.deepEqual((await exported()).locations[0].services, ['B'])
  })

  it('changes nothing when any part of the document is refused', async () => {
    const before = await exported()
    const r = await s.req('PUT', '/catalog', { body: { services: [{ name: 'C' }, { name: 'a', version: '9' }], locations: [{ name: 'loc2', services: ['C', 'Missing'] }] } })
    assert.equal(r.status, 400, r.text)
    assert.match(r.body.detail, /Missing/)
    assert.deepEqual(await exported(), before)
  })

  it('with prune=true, removes what the document does not name', async () => {
    const r = await put({ services: [{ name: 'Only', plans: [{ name: 'one' }] }], locations: [] }, '?prune=true')
    assert.deepEqual(r.services, { created: 1, updated: 0, deleted: 2, unchanged: 0 })
    assert.deepEqual(r.packages.deleted, 1)
    assert.deepEqual(r.locations, { created: 0, updated: 0, deleted: 1, unchanged: 0 })
    assert.deepEqual(await exported(), {
      services: [{ name: 'Only', displayName: '', version: '', description: '', driver: 'noop', driverConfig: {}, multipleUserPlans: false, packages: [], plans: [{ name: 'one', fullname: '', userlimit: 'Unlimited' }], properties: [] }],
      locations: [],
    })
    assert.equal(changes(await put({ services: [{ name: 'Only', plans: [{ name: 'one' }] }] }, '?prune=true')), 0)
  })

  it('answers 413 for a document over the body limit, and 415 for YAML', async () => {
    const big = { services: Array.from({ length: 900 }, (_, i) => ({ name: `S${i}`, description: 'x'.repeat(1500) })) }
    assert.equal((await s.req('PUT', '/catalog', { body: big })).status, 413)
    const yaml = await s.req('PUT', '/catalog', { raw: 'services: []', headers: { 'content-type': 'application/yaml' } })
    assert.equal(yaml.status, 415, yaml.text)
  })
})
