import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

const WORKER = { worker: { retryBaseMs: 10, retryMaxMs: 40, pollMaxMs: 20, leaseMs: 3000 } }

/** The wizard's body for a site named `name` at `host`, with `extra` over it. */
function wizard(name: string, host: string, extra: Record<string, unknown> = {}) {
  return {
    siteName: name,
    siteHostname: host,
    containerName: 'web',
    containerType: 'php',
    containerOSId: 'debian-12',
    containerDiskSpace: 10240,
    containerSize: 'small',
    environmentNames: ['production', 'staging'],
    ...extra,
  }
}

/** Polls `GET /jobs/{guid}` until the request has finished; answers it. */
async function finished(s: TestServer, guid: string): Promise<Answer> {
  const t0 = Date.now()
  for (;;) {
    const r = await s.req('GET', `/jobs/${guid}`)
    assert.equal(r.status, 200, r.text)
    if (r.body.status === 'succeeded' || r.body.status === 'failed') return r
    if (Date.now() - t0 > 15_000) assert.fail(`request ${guid} stayed ${r.body.status}`)
    await new Promise((res) => setTimeout(res, 20))
  }
}

/** What the database holds of sites and jobs: bad input must leave it as it was. */
async function counts(s: TestServer): Promise<Record<string, number>> {
  const db = s.deps.store.db
  const n = async (t: 'sites' | 'site_environments' | 'site_containers' | 'site_dns_records' | 'site_aliases' | 'jobs') =>
    Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  return { sites: await n('sites'), envs: await n('site_environments'), containers: await n('site_containers'), dns: await n('site_dns_records'), aliases: await n('site_aliases'), jobs: await n('jobs') }
}

eachDialect('sites: the Control Panel wizard through the noop driver', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let orgA: string
  let orgB: string

  before(async () => {
    s = await startServer(dialect, WORKER)
    orgA = await p.customer('Site Customer A')
    orgB = await p.customer('Site Customer B')
    await p.user(orgA, `site_a_${dialect}`, 'admin')
    await p.user(orgB, `site_b_${dialect}`, 'admin')
    await p.user(orgA, `site_ro_${dialect}`, 'readonly')
  })
  after(async () => s.close())

  it('creates the site and its parts as one request whose children all succeed, and the site becomes Provisioned', async () => {
    const r = await s.req('POST', `/orgs/${orgA}/sites`, {
      ...p.as(`site_a_${dialect}`),
      body: wizard('Shop', 'Shop.Example.com', { aliasNames: ['www.shop.example.com', 'bücher.example'], createDNS: true }),
    })
    assert.equal(r.status, 202, r.text)
    assert.equal(r.headers.get('location'), `/jobs/${r.body.requestGuid}`)
    assert.equal(r.body.site.status, 'Requested')
    assert.equal(r.body.site.hostname, 'shop.example.com')
    assert.deepEqual(r.body.site.aliases.sort(), ['www.shop.example.com', 'xn--bcher-kva.example'].sort())
    // The container, two environments, an A record for the hostname and a CNAME per alias.
    assert.deepEqual(r.body.children.map((c: { part: string }) => c.part), ['container', 'environment', 'environment', 'dns', 'dns', 'dns'])
    const parent = await finished(s, r.body.requestGuid)
    assert.equal(parent.body.status, 'succeeded', JSON.stringify(parent.body.log))
    assert.equal(parent.body.operation, 'site.wizard')
    const kids = await s.req('GET', `/jobs?parent=${r.body.requestGuid}`)
    assert.equal(kids.status, 200, kids.text)
    assert.equal(kids.body.items.length, 6)
    assert.ok(kids.body.items.every((k: { status: string }) => k.status === 'succeeded'))
    const site = await s.req('GET', `/sites/${r.body.siteId}`, p.as(`site_a_${dialect}`))
    assert.equal(site.status, 200, site.text)
    assert.equal(site.body.status, 'Provisioned')
    assert.equal(site.body.requestGuid, r.body.requestGuid)
    assert.equal(site.body.container.status, 'Provisioned')
    assert.equal(site.body.container.diskMiB, 10240)
    assert.deepEqual(site.body.environments.map((e: { name: string; status: string }) => `${e.name}:${e.status}`), ['production:Provisioned', 'staging:Provisioned'])
    const cname = site.body.dnsRecords.find((d: { name: string }) => d.name === 'www.shop.example.com')
    assert.equal(cname.type, 'CNAME')
    assert.equal(cname.value, 'shop.example.com')
    assert.ok(site.body.dnsRecords.some((d: { type: string; name: string }) => d.type === 'A' && d.name === 'shop.example.com'))
    assert.ok(site.body.dnsRecords.every((d: { status: string }) => d.status === 'Provisioned'))
    // The first wizard made the catalogue service whose driver provisions sites: noop.
    const svc = await s.req('GET', '/services/sites')
    assert.equal(svc.status, 200, svc.text)
    assert.equal(svc.body.driver, 'noop')
    const list = await s.req('GET', `/orgs/${orgA}/sites`, p.as(`site_ro_${dialect}`))
    assert.equal(list.status, 200, list.text)
    assert.deepEqual(list.body.items.map((x: { name: string; status: string }) => `${x.name}:${x.status}`), ['Shop:Provisioned'])
  })

  it('refuses bad input naming the field, and changes nothing', async () => {
    const before = await counts(s)
    const cases: [Record<string, unknown>, string][] = [
      [{ environmentNames: ['prod', 'Prod'] }, 'environmentNames'],
      [{ environmentNames: [] }, 'environmentNames'],
      [{ siteHostname: 'not a host' }, 'siteHostname'],
      [{ siteHostname: 'localhost' }, 'siteHostname'],
      [{ containerOSId: 'windows-95' }, 'containerOSId'],
      [{ containerType: 'cobol' }, 'containerType'],
      [{ containerSize: 'huge' }, 'containerSize'],
      [{ containerDiskSpace: 0 }, 'containerDiskSpace'],
      [{ containerDiskSpace: 2 ** 40 }, 'containerDiskSpace'],
      [{ aliasNames: ['bad..example.com'] }, 'aliasNames'],
      [{ aliasNames: ['BAD.example.com'], siteHostname: 'bad.example.com' }, 'aliasNames'],
      [{ aliasNames: ['a.example.com', 'A.example.com'] }, 'aliasNames'],
    ]
    for (const [extra, field] of cases) {
      const r = await s.req('POST', `/orgs/${orgA}/sites`, { ...p.as(`site_a_${dialect}`), body: wizard('Bad', 'bad.example.net', extra) })
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${r.text}`)
      assert.match(r.text, new RegExp(field), JSON.stringify(extra))
    }
    // A name or a hostname already taken.
    const dupName = await s.req('POST', `/orgs/${orgA}/sites`, { ...p.as(`site_a_${dialect}`), body: wizard('SHOP', 'other.example.com') })
    assert.equal(dupName.status, 409, dupName.text)
    const dupHost = await s.req('POST', `/orgs/${orgB}/sites`, { ...p.as(`site_b_${dialect}`), body: wizard('Theirs', 'shop.example.com') })
    assert.equal(dupHost.status, 409, dupHost.text)
    // A readonly user may read but not create.
    const ro = await s.req('POST', `/orgs/${orgA}/sites`, { ...p.as(`site_ro_${dialect}`), body: wizard('RO', 'ro.example.com') })
    assert.equal(ro.status, 403, ro.text)
    assert.deepEqual(await counts(s), before)
  })

  it("keeps a customer's sites from another customer", async () => {
    const mine = await s.req('POST', `/orgs/${orgB}/sites`, { ...p.as(`site_b_${dialect}`), body: wizard('Blog', 'blog.example.org', { environmentNames: ['live'] }) })
    assert.equal(mine.status, 202, mine.text)
    const a = p.as(`site_a_${dialect}`)
    assert.equal((await s.req('GET', `/sites/${mine.body.siteId}`, a)).status, 404)
    assert.equal((await s.req('GET', `/orgs/${orgB}/sites`, a)).status, 404)
    assert.equal((await s.req('POST', `/orgs/${orgB}/sites`, { ...a, body: wizard('Sneaky', 'sneaky.example.org') })).status, 404)
    const listA = await s.req('GET', `/orgs/${orgA}/sites`, a)
    assert.ok(!listA.body.items.some((x: { id: string }) => x.id === mine.body.siteId))
    // The provider above both sees it.
    assert.equal((await s.req('GET', `/sites/${mine.body.siteId}`)).status, 200)
  })

  it('is in the OpenAPI document', async () => {
    const doc = await s.req('GET', '/openapi.json')
    assert.ok(doc.body.paths['/orgs/{org_id}/sites']?.post)
    assert.ok(doc.body.paths['/orgs/{org_id}/sites']?.get)
    assert.ok(doc.body.paths['/sites/{id}']?.get)
  })
})

eachDialect('sites: a part that fails fails the wizard and says which', (dialect) => {
  let s: TestServer
  let endpoint: Server
  let org: string
  const bodies: { payload: Record<string, any> }[] = []

  before(async () => {
    // A provisioning endpoint that refuses every environment named `staging` (500, retried until it gives up).
    endpoint = createServer((req, res) => {
      let text = ''
      req.on('data', (c) => (text += c))
      req.on('end', () => {
        const body = JSON.parse(text) as { payload: Record<string, any> }
        bodies.push(body)
        const refuse = body.payload.environment?.name === 'staging'
        res.writeHead(refuse ? 500 : 200, { 'content-type': 'application/json' })
        res.end(refuse ? JSON.stringify({ error: 'no room for staging' }) : '{}')
      })
    })
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/provision`
    s = await startServer(dialect, WORKER)
    const svc = await s.req('POST', '/services', { body: { name: 'sites', driver: 'webhook', driverConfig: { url, secret: 'site-webhook-secret' } } })
    assert.equal(svc.status, 201, svc.text)
    org = await people(() => s).customer('Failing Site Customer')
  })
  after(async () => {
    await s.close()
    await new Promise((r) => endpoint.close(r))
  })

  it("fails the request and the site naming the environment, and keeps the other parts' outcomes", async () => {
    const r = await s.req('POST', `/orgs/${org}/sites`, { body: wizard('Doomed', 'doomed.example.com') })
    assert.equal(r.status, 202, r.text)
    const parent = await finished(s, r.body.requestGuid)
    assert.equal(parent.body.status, 'failed')
    assert.match(parent.body.error, /^environment 'staging' failed: webhook answered 500/)
    const site = await s.req('GET', `/sites/${r.body.siteId}`)
    assert.equal(site.body.status, 'Failed')
    assert.match(site.body.error, /environment 'staging' failed/)
    const env = (name: string) => site.body.environments.find((e: { name: string }) => e.name === name)
    assert.equal(env('staging').status, 'Failed')
    assert.match(env('staging').error, /no room for staging/)
    // The other parts finish on their own rows.
    const t0 = Date.now()
    let now = site
    while ((now.body.container.status !== 'Provisioned' || env('production').status !== 'Provisioned') && Date.now() - t0 < 10_000) {
      await new Promise((res) => setTimeout(res, 20))
      now = await s.req('GET', `/sites/${r.body.siteId}`)
      site.body = now.body
    }
    assert.equal(now.body.container.status, 'Provisioned')
    assert.equal(env('production').status, 'Provisioned')
    // Still failed: a later success does not undo the parent's failure.
    assert.equal((await s.req('GET', `/jobs/${r.body.requestGuid}`)).body.status, 'failed')
  })

  it('succeeds through the webhook when no part fails, sending each part what it needs', async () => {
    const r = await s.req('POST', `/orgs/${org}/sites`, { body: wizard('Fine', 'fine.example.com', { environmentNames: ['production'], aliasNames: ['www.fine.example.com'], createDNS: true }) })
    assert.equal(r.status, 202, r.text)
    const parent = await finished(s, r.body.requestGuid)
    assert.equal(parent.body.status, 'succeeded', parent.text)
    const mine = bodies.filter((b) => b.payload.site?.id === r.body.siteId)
    const container = mine.find((b) => b.payload.part === 'container')!
    assert.deepEqual(container.payload.container, { name: 'web', type: 'php', os: 'debian-12', diskMiB: 10240, size: 'small' })
    assert.deepEqual(mine.filter((b) => b.payload.part === 'dns').map((b) => b.payload.dnsRecord.type).sort(), ['A', 'CNAME'])
    assert.equal((await s.req('GET', `/sites/${r.body.siteId}`)).body.status, 'Provisioned')
  })
})
