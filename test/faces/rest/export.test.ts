/**
 * A customer's root object (`GET /orgs/{org_id}/export`, seed 000's getObject / getYAML / getXML /
 * getXMLSchema): a rich customer built over REST is exported whole in JSON, YAML and XML; no
 * secret appears in any format; YAML parses back to the JSON's object; the XML validates against
 * the XSD with libxml2's schema validator (and a broken one does not); unicode and `<&>` survive the XML.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { domainToASCII } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { XMLParser } from 'fast-xml-parser'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { validateXsd } from '../../helpers/xsd.js'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { ROOT_OBJECT_NAMESPACE, ROOT_OBJECT_XSD, rootObjectXml } from '../../../src/faces/root-object/index.js'
import { RootObjectWire } from '../../../src/faces/rest/export.routes.js'
import type { RootObject } from '../../../src/ops/orgs/export-org.js'
import type { Ctx } from '../../../src/ops/context.js'
import { findUserByUsername } from '../../../src/store/users.repo.js'
import { findOrgById } from '../../../src/store/orgs.repo.js'
import { registerDomain } from '../../../src/ops/domains/register-domain.js'

const PW = 'Export-Secret-Pa55word-x9'
const NAME = 'Ünïcödé 🚀 <Export> & "Co"'
const DESCRIPTION = `Ops & <dev> 'quoted' ]]> 日本語 👩‍💻 end`

const CATALOG = {
  services: [
    {
      name: 'HE',
      displayName: 'Hosted Exchange <&>',
      version: '2010',
      packages: [{ name: 'Basic' }, { name: 'Full' }],
      plans: [{ name: 'EXBASIC', fullname: 'Ex10 Basic' }, { name: 'EXFULL', fullname: 'Ex10 Full', userlimit: 5 }],
      properties: [
        { name: 'MailServer', value: 'MAIL01' },
        { name: 'Secret', value: 'hidden-catalogue-value', hidden: true },
      ],
    },
  ],
  locations: [{ name: 'csm.Local', services: ['HE'] }],
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const validateJson = addFormats(new Ajv({ strict: false, allErrors: true })).compile(RootObjectWire)

/** Validates `xml` against the root object's XSD; answers whether it is valid and what libxml2 said. */
function validate(xml: string): { ok: boolean; output: string } {
  const r = validateXsd(xml, ROOT_OBJECT_XSD)
  return { ok: r.ok, output: r.errors.join('\n') }
}

/** Parses the XML back; lists are always arrays, values stay text, `&#13;` is decoded. */
function parseXml(xml: string): any {
  const lists = new Set(['user', 'group', 'member', 'entry', 'domain', 'service', 'package', 'userPlan', 'property', 'instance', 'cloudaccount', 'subscription', 'resource'])
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    htmlEntities: true,
    isArray: (name) => lists.has(name),
  }).parse(xml)
}

eachDialect('customer root object export', (dialect) => {
  let s: TestServer
  let org: string
  let other: string
  let ownerId: string
  let memberId: string
  let groupId: string
  let subscriptionId: number
  let providerId: string
  const owner: [string, string] = [`exp_owner_${dialect}`, PW]
  const member: [string, string] = [`exp_member_${dialect}`, PW]
  const otherOwner: [string, string] = [`exp_other_${dialect}`, PW]

  const ok = (r: Answer, status: number) => assert.equal(r.status, status, `${status} expected: ${r.text}`)
  const exportOf = (orgId: string, format?: string, auth?: [string, string]) =>
    s.req('GET', `/orgs/${orgId}/export${format ? `?format=${format}` : ''}`, auth ? { auth } : {})

  async function until(path: string, want: string): Promise<void> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.status === want) return
      if (Date.now() - t0 > 10_000) assert.fail(`${path} stayed ${r.body?.status} (${r.text}), wanted ${want}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }

  /** A context acting as the master organisation's superadmin, for operations no route serves yet. */
  async function masterCtx(): Promise<Ctx> {
    const u = (await findUserByUsername(s.deps.store.db, 'admin'))!
    const o = (await findOrgById(s.deps.store.db, u.org_id))!
    return { ...s.deps, actor: { userId: u.id, username: u.username, orgId: o.id, orgNumber: o.number, orgPath: o.path, orgDepth: o.depth, role: 'superadmin', via: 'system' } }
  }

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    ok(await s.req('PUT', '/catalog', { body: CATALOG }), 200)
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, {
      body: { name: NAME, description: DESCRIPTION, city: 'Zürich', country: 'CH', contactName: 'Zoë <Ops>', contactEmail: 'ops@example.test', billingId: 'B&1', externalMetadata: { '<not a name>': 1 } },
    })
    ok(o, 201)
    org = o.body.id
    const ot = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Other Export Customer' } })
    ok(ot, 201)
    other = ot.body.id
    ok(await s.req('POST', `/orgs/${other}/members`, { body: { username: otherOwner[0], password: PW, role: 'owner' } }), 201)

    const u1 = await s.req('POST', `/orgs/${org}/members`, { body: { username: owner[0], password: PW, role: 'owner', email: 'owner@example.test', firstName: 'Zoë', lastName: "O'Brien <&>" } })
    ok(u1, 201)
    ownerId = u1.body.id
    const u2 = await s.req('POST', `/orgs/${org}/members`, { body: { username: member[0], password: PW, role: 'member' } })
    ok(u2, 201)
    memberId = u2.body.id

    const g = await s.req('POST', `/orgs/${org}/groups`, { body: { name: 'Ops <&> 🚀', description: 'the "ops" team' } })
    ok(g, 201)
    groupId = g.body.id
    for (const userId of [ownerId, memberId]) ok(await s.req('POST', `/orgs/${org}/groups/${groupId}/members`, { body: { userId } }), 204)

    ok(await s.req('POST', `/orgs/${org}/capacity/available`, { body: { amount: 10, capacityunittype: 'CU', name: 'cpu <fast>', description: 'cores & more' } }), 201)
    ok(await s.req('POST', `/orgs/${org}/capacity/available`, { body: { amount: 1_000_000_000_000, capacityunittype: 'SUP', name: 'disk' } }), 201)
    ok(await s.req('POST', `/orgs/${org}/capacity/consumed`, { body: { amount: 3, capacityunittype: 'CU', name: 'used cpu' } }), 201)

    const p = await s.req('PUT', `/orgs/${org}/services/HE`, {
      body: {
        location: 'csm.Local',
        packages: [{ name: 'Basic', enabled: true }],
        properties: [{ name: 'MailServer', value: 'MAIL <01> & co' }],
        instances: [{ name: 'inst1', description: 'first <&>', properties: { 'key <&> ü': 'välue "1"' } }],
      },
    })
    ok(p, 202)
    await until(`/orgs/${org}/services/HE`, 'Provisioned')

    const plan = await s.req('POST', `/orgs/${s.masterId}/plans`, { body: { name: 'Hosting <Basic>', resources: [{ name: 'websites', total: 10 }, { name: 'diskspace' }] } })
    ok(plan, 201)
    const sub = await s.req('POST', `/orgs/${s.masterId}/customers/${org}/subscriptions`, { body: { planId: plan.body.id, friendlyName: 'Main & <only>' } })
    ok(sub, 201)
    subscriptionId = sub.body.id

    const prov = await s.req('POST', '/cloud-providers', { body: { name: 'Export Cloud', requiredCredentials: ['token'] } })
    ok(prov, 201)
    providerId = prov.body.id
    ok(await s.req('POST', `/orgs/${org}/cloud-providers`, { body: { providerId } }), 201)
    ok(await s.req('POST', `/orgs/${org}/cloud-accounts`, { body: { providerId, name: 'production', servers: 2 } }), 201)

    // A registered domain: over REST where the route exists, else through the operation (no
    // REST route for domains yet; the XML-RPC face's registerDomain calls the same operation).
    const d = await s.req('POST', `/orgs/${org}/domains`, { body: { domain: `bücher-${dialect}.example` } })
    if (d.status !== 201 && d.status !== 200) {
      assert.equal(d.status, 404, d.text)
      await registerDomain(await masterCtx(), { orgId: org, domain: `bücher-${dialect}.example` })
    }
  })
  after(() => s.close())

  it('documents both routes in the OpenAPI document, tagged export', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    const exp = doc.paths['/orgs/{org_id}/export']?.get
    assert.ok(exp, 'GET /orgs/{org_id}/export')
    assert.deepEqual(exp.tags, ['export'])
    assert.deepEqual(Object.keys(exp.responses['200'].content).sort(), ['application/json', 'application/xml', 'application/yaml'])
    assert.ok(exp.parameters.some((p: any) => p.name === 'format' && p.in === 'query'))
    const xsd = doc.paths['/schemas/customer.xsd']?.get
    assert.ok(xsd, 'GET /schemas/customer.xsd')
    assert.deepEqual(xsd.tags, ['export'])
    assert.ok(doc.components.schemas.RootObject?.properties?.subscriptions)
  })

  it('exports every part of the customer as JSON (the default)', async () => {
    const r = await exportOf(org)
    ok(r, 200)
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/)
    const root = r.body as RootObject
    assert.ok(validateJson(root), JSON.stringify(validateJson.errors))
    assert.deepEqual(r.body, (await exportOf(org, 'json')).body)

    assert.equal(root.guid, org)
    assert.equal(root.name, NAME)
    assert.equal(root.description, DESCRIPTION)
    assert.equal(root.city, 'Zürich')
    assert.equal(root.contactName, 'Zoë <Ops>')
    assert.equal(root.billingId, 'B&1')
    assert.equal(root.status, 'active')
    assert.equal(root.isReseller, false)
    assert.equal(root.retentionPolicyGuid, null)
    assert.equal(typeof root.version, 'number')
    assert.ok(!('externalMetadata' in root))

    assert.deepEqual(
      root.users.map((u) => [u.id, u.username, u.role, u.enabled]),
      // By username.
      [
        [memberId, member[0], 'member', true],
        [ownerId, owner[0], 'owner', true],
      ],
    )
    assert.deepEqual(Object.keys(root.users[0]!).sort(), ['createdAt', 'email', 'enabled', 'firstName', 'id', 'lastName', 'role', 'username'])
    assert.equal(root.users[1]!.lastName, "O'Brien <&>")
    assert.equal(root.users[1]!.firstName, 'Zoë')

    assert.equal(root.groups.length, 1)
    assert.equal(root.groups[0]!.id, groupId)
    assert.equal(root.groups[0]!.name, 'Ops <&> 🚀')
    assert.deepEqual(root.groups[0]!.memberIds, [memberId, ownerId])

    assert.deepEqual(root.capacity, {
      available: [
        { amount: 10, capacityunittype: 'CU', name: 'cpu <fast>', description: 'cores & more' },
        { amount: 1_000_000_000_000, capacityunittype: 'SUP', name: 'disk', description: '' },
      ],
      consumed: [{ amount: 3, capacityunittype: 'CU', name: 'used cpu', description: '' }],
    })

    assert.deepEqual(
      root.domains.map((d) => [d.name, d.unicodeName, d.registrar]),
      [[domainToASCII(`bücher-${dialect}.example`), `bücher-${dialect}.example`, 'local']],
    )
    assert.match(root.domains[0]!.name, /^xn--/)

    assert.equal(root.services.length, 1)
    const he = root.services[0]!
    assert.equal(he.name, 'HE')
    assert.equal(he.fullname, 'Hosted Exchange <&>')
    assert.equal(he.location, 'csm.Local')
    assert.equal(he.status, 'Provisioned')
    assert.equal(he.statusColour, 'Green')
    assert.deepEqual(he.packages.map((p) => [p.name, p.enabled]), [['Basic', true], ['Full', false]])
    assert.deepEqual(he.userPlans.map((p) => [p.name, p.userLimit, p.enabled]), [['EXBASIC', 'Unlimited', true], ['EXFULL', 5, true]])
    assert.deepEqual(he.properties, [{ name: 'MailServer', value: 'MAIL <01> & co', hidden: false }])
    assert.deepEqual(he.instances, [{ name: 'inst1', description: 'first <&>', properties: [{ name: 'key <&> ü', value: 'välue "1"' }] }])
    // The same as the services listing shows.
    const listed = (await s.req('GET', `/orgs/${org}/services`)).body.items[0]
    assert.equal(he.id, listed.id)
    assert.equal(he.objectVersion, listed.objectVersion)
    assert.equal(he.requestGuid, listed.requestGuid)

    assert.deepEqual(
      root.cloudAccounts.map((a) => [a.name, a.providerId, a.providerName, a.servers]),
      [['production', providerId, 'Export Cloud', 2]],
    )

    assert.equal(root.subscriptions.length, 1)
    const sub = root.subscriptions[0]!
    assert.equal(sub.id, subscriptionId)
    assert.equal(sub.planName, 'Hosting <Basic>')
    assert.equal(sub.vendorId, s.masterId)
    assert.equal(sub.friendlyName, 'Main & <only>')
    assert.equal(sub.status, 'active')
    assert.deepEqual(sub.resources, [
      { name: 'diskspace', total: null, usage: 0 },
      { name: 'websites', total: 10, usage: 0 },
    ])
  })

  it('shows no password, hash or secret in any format', async () => {
    const hashes = (await s.deps.store.db.selectFrom('users').select('password_hash').where('org_id', '=', org).execute()).map((r) => r.password_hash)
    assert.equal(hashes.length, 2)
    for (const format of ['json', 'yaml', 'xml']) {
      const r = await exportOf(org, format)
      ok(r, 200)
      for (const needle of [PW, ...hashes]) assert.ok(!r.text.includes(needle), `${format} holds a secret`)
      assert.doesNotMatch(r.text, /argon|\$argon2|password|cred_?version|hidden-catalogue-value/i, format)
    }
  })

  it('answers YAML that parses back to the JSON object', async () => {
    const y = await exportOf(org, 'yaml')
    ok(y, 200)
    assert.match(y.headers.get('content-type') ?? '', /^application\/yaml/)
    const j = await exportOf(org, 'json')
    assert.deepEqual(parseYaml(y.text), j.body)
  })

  it('answers XML that validates against the XSD, and a broken one does not', async () => {
    const x = await exportOf(org, 'xml')
    ok(x, 200)
    assert.match(x.headers.get('content-type') ?? '', /^application\/xml/)
    assert.match(x.text, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<customer xmlns="${ROOT_OBJECT_NAMESPACE}" guid="${org}">`))
    const good = validate(x.text)
    assert.equal(good.ok, true, good.output)

    const broken: [string, string][] = [
      ['the code removed', x.text.replace(/\n\s*<code>[^<]*<\/code>/, '')],
      ['an invalid status', x.text.replace('<status>active</status>', '<status>bogus</status>')],
      ['an invalid provisioning status', x.text.replace('<status>Provisioned</status>', '<status>Done</status>')],
      ['an invalid role', x.text.replace('<role>owner</role>', '<role>root</role>')],
      ['a timestamp that is not a dateTime', x.text.replace(/<createdAt>[^<]*<\/createdAt>/, '<createdAt>yesterday</createdAt>')],
      ['an unknown element', x.text.replace('<users>', '<users><password>x</password>')],
      ['no namespace', x.text.replace(` xmlns="${ROOT_OBJECT_NAMESPACE}"`, '')],
    ]
    for (const [what, xml] of broken) {
      assert.notEqual(xml, x.text, `${what}: the document was not changed`)
      const r = validate(xml)
      assert.equal(r.ok, false, `${what} validated`)
      assert.ok(r.output.length > 0, `${what}: no message`)
    }
  })

  it('keeps unicode and <&> in the XML (parsed back, equal to the JSON)', async () => {
    const j = (await exportOf(org)).body as RootObject
    const c = parseXml((await exportOf(org, 'xml')).text).customer
    assert.equal(c['@_guid'], org)
    assert.equal(c.name, NAME)
    assert.equal(c.description, DESCRIPTION)
    assert.equal(c.contactName, j.contactName)
    assert.equal(c.users.user[1].lastName, "O'Brien <&>")
    assert.equal(c.users.user[1]['@_id'], ownerId)
    assert.equal(c.groups.group[0].name, 'Ops <&> 🚀')
    assert.deepEqual(c.groups.group[0].members.member, [memberId, ownerId])
    assert.equal(c.capacity.available.entry[0].name, 'cpu <fast>')
    assert.equal(c.capacity.available.entry[1].amount, '1000000000000')
    const svc = c.services.service[0]
    assert.equal(svc.fullname, 'Hosted Exchange <&>')
    assert.deepEqual(svc.properties.property, [{ name: 'MailServer', value: 'MAIL <01> & co', hidden: 'false' }])
    assert.deepEqual(svc.instances.instance[0].properties.property, [{ name: 'key <&> ü', value: 'välue "1"' }])
    assert.equal(c.subscriptions.subscription[0].friendlyName, 'Main & <only>')
    assert.equal(c.subscriptions.subscription[0]['@_id'], String(subscriptionId))
    assert.equal(c.domains.domain[0].unicodeName, `bücher-${dialect}.example`)
    // Names that are data never become element names.
    assert.ok(!('key <&> ü' in svc.instances.instance[0].properties))
  })

  it("refuses another customer's organisation, a deleted one, outsiders and bad parameters", async () => {
    ok(await exportOf(org, undefined, otherOwner), 404)
    ok(await exportOf(org, 'xml', otherOwner), 404)
    ok(await exportOf(s.masterId, undefined, owner), 404)
    ok(await exportOf('not-a-uuid'), 404)
    ok(await exportOf('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'), 404)
    ok(await s.req('GET', `/orgs/${org}/export`, { auth: null }), 401)
    ok(await exportOf(org, 'csv'), 400)
    ok(await s.req('GET', `/orgs/${org}/export?format=json&colour=red`), 400)
    // Any role that may read the organisation may export it.
    const mine = await exportOf(org, 'json', member)
    ok(mine, 200)
    assert.equal(mine.body.guid, org)

    const gone = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Gone Export Customer' } })
    ok(gone, 201)
    ok(await exportOf(gone.body.id), 200)
    ok(await s.req('DELETE', `/orgs/${gone.body.id}`), 204)
    ok(await exportOf(gone.body.id), 404)
  })

  it('exports while the customer changes, each answer whole', async () => {
    const before = ((await exportOf(org)).body as RootObject).capacity.consumed.length
    const writes = Array.from({ length: 15 }, (_, i) =>
      s.req('POST', `/orgs/${org}/capacity/consumed`, { body: { amount: i, capacityunittype: 'MU', name: `burst ${i}` } }),
    )
    const reads = Array.from({ length: 15 }, () => exportOf(org))
    const [w, r] = await Promise.all([Promise.all(writes), Promise.all(reads)])
    for (const x of w) ok(x, 201)
    for (const x of r) {
      ok(x, 200)
      assert.ok(validateJson(x.body), JSON.stringify(validateJson.errors))
      const n = (x.body as RootObject).capacity.consumed.length
      assert.ok(n >= before && n <= before + 15, String(n))
    }
    const last = (await exportOf(org)).body as RootObject
    assert.equal(last.capacity.consumed.length, before + 15)
    ok(await s.req('DELETE', `/orgs/${org}/capacity/consumed/MU`), 200)
  })

  it('serves the XSD publicly as application/xml', async () => {
    const r = await s.req('GET', '/schemas/customer.xsd', { auth: null })
    ok(r, 200)
    assert.match(r.headers.get('content-type') ?? '', /^application\/xml/)
    assert.equal(r.text, ROOT_OBJECT_XSD)
    assert.match(r.text, new RegExp(`targetNamespace="${ROOT_OBJECT_NAMESPACE}"`))
  })
})

describe('root object XML (formatting alone)', () => {
  const t = '2026-01-02T03:04:05.678Z'
  const g = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'
  const root = (over: Partial<RootObject> = {}): RootObject => ({
    guid: g,
    code: 'UC',
    name: 'Ünï 🚀 <C> & "Co"',
    description: '',
    address: '',
    city: '',
    country: '',
    status: 'configured',
    contactName: '',
    contactEmail: '',
    primaryDomain: '',
    billingId: '',
    externalId: '',
    locale: 'en',
    isReseller: true,
    retentionPolicyGuid: g,
    createdAt: t,
    updatedAt: t,
    version: 1,
    users: [],
    groups: [{ id: g, name: 'G', description: '', createdAt: t, memberIds: [] }],
    capacity: { available: [], consumed: [] },
    domains: [{ name: 'xn--bcher-kva.example', unicodeName: 'bücher.example', registrar: 'local', createdAt: t }],
    services: [
      {
        id: g,
        name: 'HE',
        fullname: '',
        version: '',
        location: null,
        status: 'Failed',
        statusLabel: 'Provisioning failed',
        statusColour: 'Red',
        desiredStatus: 'Provisioned',
        error: 'driver said <no> & stopped',
        requestGuid: null,
        userLimit: 'Unlimited',
        usersCount: 0,
        isBilled: true,
        approvalPending: false,
        multipleUserPlans: false,
        packages: [],
        userPlans: [],
        properties: [],
        instances: [{ name: 'i', description: '', properties: [{ name: 'tab\there\nnewline <x y="1">', value: 'v' }] }],
        objectVersion: 1,
        createdAt: t,
        updatedAt: t,
        provisionedAt: null,
      },
    ],
    cloudAccounts: [],
    subscriptions: [],
    ...over,
  })

  it('validates with empty lists, absent values and unlimited limits', () => {
    const xml = rootObjectXml(root())
    const r = validate(xml)
    assert.equal(r.ok, true, r.output)
    assert.match(xml, /<retentionPolicyGuid>/)
    assert.doesNotMatch(xml, /<location>|<requestGuid>|<provisionedAt>/)
    assert.match(xml, /<users><\/users>/)
  })

  it('writes characters XML cannot carry as U+FFFD, keeps tab, newline and carriage return', () => {
    const xml = rootObjectXml(root({ description: 'a\u0001b\u0008c\u000bd\u001fe\uffff f\ud800g\r\nh\ti', address: '\u0000' }))
    const r = validate(xml)
    assert.equal(r.ok, true, r.output)
    const c = parseXml(xml).customer
    assert.equal(c.description, 'a\ufffdb\ufffdc\ufffdd\ufffde\ufffd f\ufffdg\r\nh\ti')
    assert.equal(c.address, '\ufffd')
    assert.equal(c.services.service[0].instances.instance[0].properties.property[0].name, 'tab\there\nnewline <x y="1">')
  })
})
