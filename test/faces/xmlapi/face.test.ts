/**
 * Seed 004's XML action API over real HTTP: every request document of the seed for the entities
 * built (adapted only where a name must exist first), every error code they can raise, the
 * booleans, HTTP statuses, credentials, the GET → SET round trip, several entities in one SET
 * as one parent request, and hostile XML.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { XMLParser } from 'fast-xml-parser'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

const PATH = '/cortexapi/default.aspx'
const DECL = '<?xml version="1.0" encoding="utf-8"?>'

const CATALOG = {
  services: [
    {
      name: 'HE',
      displayName: 'Hosted Exchange',
      version: '2010',
      packages: [{ name: 'Basic' }, { name: 'Full' }],
      plans: [
        { name: 'EXBASIC', fullname: 'Ex10 Basic' },
        { name: 'EXFULL', fullname: 'Ex10 Full' },
      ],
    },
    {
      name: 'FSS',
      displayName: 'File Sharing',
      packages: [{ name: 'FULL' }, { name: 'Basic' }],
      plans: [
        { name: 'FULL', fullname: 'Full' },
        { name: 'READ', fullname: 'Read' },
        { name: 'LIST', fullname: 'List' },
      ],
      properties: [{ name: 'FileShareServer', value: 'FILEHOST00' }, { name: 'Quota', value: '10', hidden: true }],
    },
  ],
  locations: [
    {
      name: 'csm.Local',
      services: ['HE', 'FSS'],
      customerProperties: [{ name: 'OU', value: 'Customers' }],
      userAdditionalProperties: [{ name: 'department', value: 'Unassigned' }],
    },
    { name: 'Elsewhere', services: ['FSS'] },
  ],
}

const REPEATED = ['customer', 'user', 'service', 'userplan', 'package', 'property', 'entry', 'instance']
/** Repeated elements as arrays; `<location>` and `<request>` only as entities of the response. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (n, jpath) => REPEATED.includes(n) || ((n === 'location' || n === 'request') && jpath === `response.${n}`),
})

/** The request id a SET or DELETE answered. */
const idOf = (d: any): string => d.request[0].id

interface Reply {
  status: number
  text: string
  doc: any
  ms: number
}

eachDialect('the XML action API (seed 004)', (dialect) => {
  let s: TestServer
  let csp: string
  const CSPADMIN: [string, string] = ['cspadmin_CSP', 'csp-admin-password-1']
  const READER: [string, string] = ['reader_CSP', 'reader-password-1']

  async function post(body: string, opts: { auth?: [string, string] | string | null; headers?: Record<string, string>; path?: string } = {}): Promise<Reply> {
    const t0 = Date.now()
    const r = await s.req('POST', opts.path ?? PATH, { raw: body, headers: { 'content-type': 'text/xml', ...(opts.headers ?? {}) }, ...(opts.auth !== undefined && { auth: opts.auth }) })
    const ms = Date.now() - t0
    assert.match(r.headers.get('content-type') ?? '', /^text\/xml/, r.text)
    assert.ok(r.text.startsWith(DECL), r.text)
    return { status: r.status, text: r.text, doc: parser.parse(r.text).response, ms }
  }

  /** Posts and requires success. */
  async function ok(body: string, auth?: [string, string]): Promise<any> {
    const r = await post(body, auth ? { auth } : {})
    assert.equal(r.status, 200, r.text)
    assert.equal(r.doc['@_version'], '1.0')
    return r.doc
  }

  /** Posts and requires the seed's error `code` with HTTP `http`. */
  async function fails(body: string, code: number, http = 400, opts: Parameters<typeof post>[1] = {}): Promise<string> {
    const r = await post(body, opts)
    assert.equal(r.status, http, r.text)
    assert.equal(r.doc.error?.id, String(code), r.text)
    return r.doc.error.message
  }

  const doc = (action: string, inner: string) => `${DECL}<request version="1.0" action="${action}">${inner}</request>`

  async function waitService(path: string, want: string): Promise<void> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (r.body?.status === want) return
      if (Date.now() - t0 > 10_000) assert.fail(`${path} stayed ${r.body?.status}, wanted ${want}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }

  async function orgByCode(code: string): Promise<string> {
    const r = await ok(doc('FIND', `<customer><name>${code}</name></customer>`))
    return (await s.req('GET', `/orgs/${await idOfNumber(r.customer[0].id)}`)).body.id
  }
  async function idOfNumber(n: string): Promise<string> {
    const l = await s.req('GET', `/orgs/${s.masterId}/customers?recursive=true&limit=1000`)
    return l.body.items.find((o: any) => String(o.number) === n).id
  }

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    const c = await s.req('PUT', '/catalog', { body: CATALOG })
    assert.equal(c.status, 200, c.text)
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cortex Service Provider', code: 'CSP', isReseller: true, primaryDomain: 'csp.local' } })
    assert.equal(o.status, 201, o.text)
    csp = o.body.id
    for (const [u, role] of [[CSPADMIN, 'admin'], [READER, 'readonly']] as const) {
      const m = await s.req('POST', `/orgs/${csp}/members`, { body: { username: u[0], password: u[1], role, email: `${u[0]}@csp.local` } })
      assert.equal(m.status, 201, m.text)
    }
  })
  after(() => s.close())

  it('walks the seed: FIND nothing, create BAC under its parent, FIND it, error 6 for a short new customer', async () => {
    const none = await post(doc('FIND', '<customer><fullname>Basic API Customer</fullname></customer>'))
    assert.equal(none.status, 200)
    assert.equal(none.text, `${DECL}<response version="1.0"/>`)

    const created = await ok(
      doc('SET', '<customer><fullname>Basic API Customer</fullname><contactname>Admin</contactname><contactemail>Admin@csm.local</contactemail><primarydomain>csm.local</primarydomain><parent><fullname>Cortex Service Provider</fullname></parent></customer>'),
      CSPADMIN,
    )
    const reqId = idOf(created)
    assert.match(reqId, /^\d+$/)
    const job = await s.req('GET', `/jobs/${reqId}`)
    assert.equal(job.status, 200, job.text)
    assert.equal(job.body.operation, 'customer.create')
    assert.equal(job.body.id, Number(reqId))

    const found = await ok(doc('FIND', '<customer><fullname>Basic API Customer</fullname></customer>'))
    assert.equal(found.customer.length, 1)
    const bac = found.customer[0]
    assert.equal(bac.name, 'BAC')
    assert.match(bac.id, /^\d+$/)
    assert.equal(bac.fullname, 'Basic API Customer')
    assert.equal(bac.billingid, '')
    assert.equal(bac.primarydomain, 'csm.local')
    const rest = await s.req('GET', `/orgs/${await idOfNumber(bac.id)}`)
    assert.equal(rest.body.parentId, csp)

    const msg = await fails(doc('SET', '<customer><fullname>Half Customer</fullname><contactname>Admin</contactname><primarydomain>half.local</primarydomain></customer>'), 6)
    assert.equal(msg, 'Unable to create customer. A new customer must specify the name, fullname, contactname, contactemail and primarydomain.')
    assert.equal((await ok(doc('FIND', '<customer><fullname>Half Customer</fullname></customer>'))).customer, undefined)

    // FIND every customer (the VBScript sample), by id and by billing id.
    const all = await post(`${DECL}<request action="FIND" version="1.0"> <customer/></request>`, { headers: { 'content-type': 'text/xml' } })
    assert.deepEqual(all.doc.customer.map((c: any) => c.name).sort(), ['BAC', 'CSP'])
    assert.equal((await ok(doc('FIND', `<customer><id>${bac.id}</id></customer>`))).customer[0].name, 'BAC')
    assert.equal((await ok(doc('FIND', '<customer><billingid>nope</billingid></customer>'))).customer, undefined)
  })

  it('creates users, finds them, refuses to delete the last one, and makes a two-user SET one parent request', async () => {
    await ok(doc('SET', '<customer><name>BAC</name><user><name>User1</name></user></customer>'))
    const users = await ok(doc('FIND', '<customer><fullname>Basic API Customer</fullname><user /></customer>'))
    assert.deepEqual(users.customer[0].user.map((u: any) => u.name), ['User1'])

    const last = await fails(doc('DELETE', '<customer><name>BAC</name><user><name>User1</name></user></customer>'), 15)
    assert.equal(last, 'Unable to delete the last user from the customer')

    const two = await ok(doc('SET', '<customer><name>BAC</name><user><name>User3</name></user><user><name>User4</name></user></customer>'))
    const parent = await s.req('GET', `/jobs/${idOf(two)}`)
    assert.equal(parent.body.operation, 'request.batch')
    const children = await s.req('GET', `/jobs?parent=${idOf(two)}`)
    assert.deepEqual(children.body.items.map((j: any) => j.operation), ['user.create', 'user.create'])
    // The same through the XML <request> entity.
    const viaXml = await ok(doc('GET', `<request><parentid>${idOf(two)}</parentid></request>`))
    assert.deepEqual(viaXml.request.map((r: any) => r.operation), ['user.create', 'user.create'])
    const one = await ok(doc('GET', `<request><id>${idOf(two)}</id><log/><times/></request>`))
    assert.equal(one.request[0].id, idOf(two))
    assert.ok(one.request[0].times.received)

    // A user with a password: it can sign in with it.
    await ok(doc('SET', '<customer><name>CSP</name><user><name>User1_CSP</name><password><password>Hello123-long</password></password></user></customer>'))
    const me = await ok(doc('GET', '<identity/>'), ['User1_CSP', 'Hello123-long'])
    assert.equal(me.identity.customer[0].name, 'CSP')
    assert.equal(me.identity.customer[0].user[0].name, 'User1_CSP')

    const del = await ok(doc('DELETE', '<customer><name>BAC</name><user><name>User4</name></user></customer>'))
    assert.equal((await s.req('GET', `/jobs/${idOf(del)}`)).body.operation, 'user.delete')
    const after = await ok(doc('FIND', '<customer><name>BAC</name><user/></customer>'))
    assert.deepEqual(after.customer[0].user.map((u: any) => u.name).sort(), ['User1', 'User3'])
  })

  it('provisions HE to the customer and to a user, then deprovisions, as the seed does', async () => {
    const bac = await orgByCode('BAC')
    await ok(
      doc('SET', '<customer><name>BAC</name><service><name>HE</name><version>2010</version><userpackage><fullname>Ex10 Basic</fullname><enabled>True</enabled></userpackage><userpackage><fullname>Ex10 Full</fullname><enabled>True</enabled></userpackage><package><name>Basic</name><enabled>True</enabled></package></service></customer>'),
    )
    await waitService(`/orgs/${bac}/services/HE`, 'Provisioned')
    const got = await ok(doc('GET', '<customer><name>BAC</name><service><name>HE</name></service></customer>'))
    const he = got.customer[0].service[0]
    assert.equal(he.status, 'Provisioned')
    assert.equal(he.version, '2010')
    assert.equal(he.approvalpending, 'False')
    assert.deepEqual(he.userplan.map((p: any) => `${p.name}:${p.enabled}`), ['EXBASIC:True', 'EXFULL:True'])
    assert.deepEqual(he.package.map((p: any) => `${p.name}:${p.enabled}`), ['Basic:True', 'Full:False'])

    const found = await ok(`${DECL}<request action="FIND" version="1.0"> <customer> <name>BAC</name> <service /> </customer> </request>`)
    assert.deepEqual(found.customer[0].service.map((x: any) => `${x.name}:${x.status}`), ['FSS:NotProvisioned', 'HE:Provisioned'])

    await ok(doc('SET', '<customer><name>BAC</name><user><name>User1</name><service><name>HE</name><userpackage><fullname>Ex10 Basic</fullname></userpackage></service></user></customer>'))
    const users = (await s.req('GET', `/orgs/${bac}/members`)).body.items
    const user1 = users.find((u: any) => u.username === 'User1').id
    await waitService(`/orgs/${bac}/members/${user1}/services/HE`, 'Provisioned')
    const us = await ok(doc('GET', '<customer><name>BAC</name><user><name>User1</name><service><name>HE</name></service></user></customer>'))
    assert.deepEqual(us.customer[0].user[0].service[0].userplan.map((p: any) => p.name), ['EXBASIC'])
    const avail = await ok(`${DECL}<request action="FIND" trace="false" version="1.0"><customer><name>BAC</name><user><name>User1</name><service /></user></customer></request>`)
    assert.deepEqual(avail.customer[0].user[0].service.map((x: any) => `${x.name}:${x.status}`), ['HE:Provisioned'])

    await ok(doc('SET', '<customer><name>BAC</name><user><name>User1</name><service><name>HE</name><status>NotProvisioned</status></service></user></customer>'))
    await waitService(`/orgs/${bac}/members/${user1}/services/HE`, 'NotProvisioned')
    await ok(doc('SET', '<customer><name>BAC</name><service><name>HE</name><status>Notprovisioned</status></service></customer>'))
    await waitService(`/orgs/${bac}/services/HE`, 'NotProvisioned')
  })

  it('answers GET output that SET takes back unchanged (the round trip), and changes a user limit as the seed does', async () => {
    await ok(doc('SET', '<customer><fullname>ATest Customer</fullname><name>ATest</name><contactname>A</contactname><contactemail>a@atest.local</contactemail><primarydomain>atest.local</primarydomain></customer>'))
    await ok(doc('SET', '<customer><name>ATest</name><user><name>test_ATest</name><firstname>Test</firstname></user><service><name>FSS</name><location>csm.Local</location><package><name>FULL</name></package></service></customer>'))
    const atest = await orgByCode('ATEST')
    await waitService(`/orgs/${atest}/services/FSS`, 'Provisioned')
    const fss = (await ok(doc('GET', '<customer><fullname>ATest Customer</fullname><service><name>FSS</name></service></customer>'))).customer[0].service[0]
    assert.equal(fss.fullname, 'File Sharing')
    assert.equal(fss.location, 'csm.Local')
    assert.equal(fss.userlimit, 'Unlimited')
    assert.deepEqual(fss.userplan.map((p: any) => `${p.name}/${p.fullname}/${p.userlimit}/${p.used}/${p.enabled}`), ['FULL/Full/Unlimited/False/True', 'LIST/List/Unlimited/False/True', 'READ/Read/Unlimited/False/True'])

    const get = doc('GET', '<customer><name>ATest</name><user><name>test_ATest</name></user><service><name>FSS</name></service></customer>')
    const first = await post(get)
    assert.equal(first.status, 200, first.text)
    const asSet = first.text
      .replace(/<response version="1.0">/, '<request version="1.0" action="SET">')
      .replace(/<\/response>$/, '</request>')
    const set = await post(asSet)
    assert.equal(set.status, 200, set.text)
    assert.match(idOf(set.doc), /^\d+$/)
    await waitService(`/orgs/${atest}/services/FSS`, 'Provisioned')
    assert.equal((await post(get)).text, first.text)

    await ok(doc('SET', '<customer><name>ATest</name><service><name>FSS</name><userlimit>5</userlimit></service></customer>'))
    await waitService(`/orgs/${atest}/services/FSS`, 'Provisioned')
    const five = (await ok(doc('GET', '<customer><name>ATest</name><service><name>FSS</name></service></customer>'))).customer[0].service[0]
    assert.equal(five.userlimit, '5')

    // Properties: the customer's, the service's with and without hidden ones.
    const cp = await ok(doc('GET', '<customer><name>ATest</name><properties detail="true"/></customer>'))
    assert.ok(cp.customer[0].properties.property.some((p: any) => p.name === 'ContactEmail' && p.value === 'a@atest.local' && p.fullname))
    const sp = await ok(doc('GET', '<customer><name>ATest</name><service><name>FSS</name><properties detail="true" filter="all"/></service></customer>'))
    assert.deepEqual(sp.customer[0].service[0].properties.property.map((p: any) => p.name).sort(), ['FileShareServer', 'Quota'])
    const visible = await ok(doc('GET', '<customer><name>ATest</name><service><name>FSS</name><properties/></service></customer>'), CSPADMIN).catch(() => undefined)
    assert.equal(visible, undefined, 'ATest is not under CSP: cspadmin does not see it')
    const up = await ok(doc('GET', '<customer><name>ATest</name><user><name>test_ATest</name><properties detail="true"/></user></customer>'))
    assert.ok(up.customer[0].user[0].properties.property.some((p: any) => p.name === 'FirstName' && p.value === 'Test'))
  })

  it('answers a repeated GET afresh once anything changed, whichever face changed it, and per caller', async () => {
    const get = doc('GET', '<customer><name>BAC</name></customer>')
    const before = await ok(get)
    const bac = await orgByCode('BAC')
    assert.equal((await ok(get)).customer[0].description, before.customer[0].description)
    const description = `changed over REST ${Date.now()}`
    const patched = await s.req('PATCH', `/orgs/${bac}`, { body: { description } })
    assert.equal(patched.status, 204, patched.text)
    assert.equal((await ok(get)).customer[0].description, description)
    // The same document from a caller who may not see BAC is that caller's answer, not the last one.
    const other = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Elsewhere Ltd', code: 'ELSE' } })
    assert.equal(other.status, 201, other.text)
    const m = await s.req('POST', `/orgs/${other.body.id}/members`, { body: { username: 'admin_ELSE', password: 'else-password-1', role: 'admin', email: 'a@else.example' } })
    assert.equal(m.status, 201, m.text)
    await fails(get, 34, 400, { auth: ['admin_ELSE', 'else-password-1'] })
    assert.equal((await ok(get)).customer[0].name, 'BAC')
  })

  it('chains a new customer and its service into one parent request', async () => {
    const r = await ok(
      doc('SET', '<customer><fullname>Chained Co</fullname><contactname>Admin</contactname><contactemail>Admin@chain.local</contactemail><primarydomain>chain.local</primarydomain><parent><name>CSP</name></parent><service><name>HE</name><version>2010</version><userpackage><fullname>Ex10 Basic</fullname><enabled>True</enabled></userpackage><package><name>Basic</name><enabled>True</enabled></package></service></customer>'),
    )
    const children = await s.req('GET', `/jobs?parent=${idOf(r)}`)
    assert.deepEqual(children.body.items.map((j: any) => j.operation), ['customer.create', 'customer_service.provision'])
    // Bad input anywhere changes nothing: the second user's boolean is wrong, so no user is made.
    await fails(doc('SET', '<customer><name>CC</name><user><name>ok_user_cc</name></user><user><name>bad_user_cc</name><enabled>maybe</enabled></user></customer>'), 32)
    assert.deepEqual((await ok(doc('FIND', '<customer><name>CC</name><user/></customer>'))).customer[0].user, undefined)
  })

  it('reads booleans in the seed spellings and refuses others with error 32', async () => {
    await ok(doc('SET', '<customer><name>ZCSP</name><fullname>Z Customer</fullname><contactname>Z</contactname><contactemail>z@z.local</contactemail><primarydomain>z.local</primarydomain></customer>'))
    const z = await orgByCode('ZCSP')
    for (const [word, want] of [['false', false], ['TRUE', true], [' no ', false], ['Yes', true], ['0', false], ['-1', true], ['No', false], ['1', true]] as const) {
      await ok(`${DECL}<request action="SET" trace="true" version="1.0"><customer><name>ZCSP</name><enabled>${word}</enabled></customer></request>`)
      assert.equal((await s.req('GET', `/orgs/${z}`)).body.enabled, want, word)
    }
    for (const bad of ['maybe', 'on', '2', 'truee']) await fails(doc('SET', `<customer><name>ZCSP</name><enabled>${bad}</enabled></customer>`), 32)
    await fails(`${DECL}<request action="FIND" trace="sometimes" version="1.0"><customer/></request>`, 32)
  })

  it('answers every error code the built features raise, with the seed HTTP statuses', async () => {
    const cases: [string, number, number][] = [
      ['<request version="1.0"><customer/></request>', 5, 400],
      [doc('FETCH', '<customer/>'), 5, 400],
      [doc('SET', '<location><name>x</name></location>'), 5, 400],
      ['<request version="1.0" action="GET"><customer><name>BAC</customer></request>', 3, 400],
      ['', 3, 400],
      ['<response version="1.0"/>', 3, 400],
      [doc('GET', '<customer><name>BAC</name><colour>red</colour></customer>'), 3, 400],
      [doc('GET', '<customer/>'), 3, 400],
      [doc('GET', '<nosuch/>'), 3, 400],
      [doc('GET', '<customer><name>BAC</name><name>CSP</name></customer>'), 3, 400],
      [doc('GET', '<customer><id>abc</id></customer>'), 38, 400],
      [doc('GET', '<request><id>-3</id></request>'), 38, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>HE</name><userlimit>lots</userlimit></service></customer>'), 7, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>HE</name><status>Sleeping</status></service></customer>'), 17, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>HE</name><status>InProgress</status></service></customer>'), 17, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>HE</name><userplan><name>NOPE</name></userplan></service></customer>'), 10, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>HE</name><version>2013</version></service></customer>'), 10, 400],
      [doc('GET', '<customer><name>BAC</name><service><name>NOPE</name></service></customer>'), 21, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>NOPE</name></service></customer>'), 21, 400],
      [doc('GET', '<customer><name>BAC</name><user><name>nobody</name></user></customer>'), 16, 400],
      [doc('SET', '<customer><name>BAC</name><properties><property><name>Colour</name><value>red</value></property></properties></customer>'), 19, 400],
      [doc('SET', '<customer><name>BAC</name><service><name>FSS</name><properties><property><name>NoSuch</name><value>1</value></property></properties></service></customer>'), 19, 400],
      [doc('GET', '<location><name>nowhere</name></location>'), 20, 400],
      [doc('SET', '<customer><name>BAC</name><user><name>User1</name><role>emperor</role></user></customer>'), 22, 400],
      [doc('GET', '<request><id>999999</id></request>'), 18, 400],
      [doc('SET', '<customer><name>BAC</name><contactemail>not an address</contactemail></customer>'), 1, 400],
      [doc('SET', '<customer><name>BAC</name><user><name>User1</name><email>not an address</email></user></customer>'), 15, 400],
      [doc('SET', '<customer><id>999999</id><fullname>x</fullname></customer>'), 34, 400],
      [doc('GET', '<approval><id>not-a-guid</id></approval>'), 18, 400],
      // Not built yet: refused, naming what it waits for.
      [doc('GET', '<report/>'), 13, 400],
    ]
    for (const [body, code, http] of cases) await fails(body, code, http)
    // Built since (issue 12): a customer's status and a user's password options.
    const zcsp = await orgByCode('ZCSP')
    await ok(doc('SET', '<customer><name>ZCSP</name><status>NotProvisioned</status></customer>'))
    assert.equal((await s.req('GET', `/orgs/${zcsp}`)).body.provisioningStatus, 'NotProvisioned')
    await ok(doc('SET', '<customer><name>ZCSP</name><status>Provisioned</status></customer>'))
    assert.equal((await s.req('GET', `/orgs/${zcsp}`)).body.provisioningStatus, 'Provisioned')
    await ok(doc('SET', '<customer><name>CSP</name><user><name>User1_CSP</name><password><password>Hello123-long</password><changeatnextlogon>true</changeatnextlogon><expires>NEVER</expires></password></user></customer>'))
    const pw = (await ok(doc('GET', '<customer><name>CSP</name><user><name>User1_CSP</name></user></customer>'))).customer[0].user[0].password
    assert.deepEqual(pw, { changeatnextlogon: 'True', expires: 'NEVER' })
    const msg = await fails(doc('GET', '<customer><name>NOPE</name></customer>'), 34)
    assert.equal(msg, "Customer 'NOPE' not found.")
    // Credentials: none, wrong, and a readonly user trying to change something.
    const find = doc('FIND', '<customer/>')
    await fails(find, 11, 401, { auth: null })
    await fails(find, 11, 401, { auth: ['cspadmin_CSP', 'wrong-password-here'] })
    await fails(find, 11, 401, { auth: 'clt_not-a-real-key' })
    await fails(doc('SET', '<customer><name>CSP</name><user><name>ro_made</name></user></customer>'), 12, 401, { auth: READER })
    // Even a SET or DELETE that would change nothing: the role may change nothing, and nothing is recorded.
    const requests = async () => (await s.deps.store.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
    const recorded = await requests()
    await fails(doc('SET', '<customer><name>CSP</name></customer>'), 12, 401, { auth: READER })
    await fails(doc('DELETE', '<customer><name>NOPE</name></customer>'), 12, 401, { auth: READER })
    assert.equal(await requests(), recorded)
    const ro = await post(find, { auth: READER })
    assert.equal(ro.status, 200)
  })

  it('refuses hostile XML in milliseconds with error 3, and takes any content type', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><request version="1.0" action="GET"><customer><name>&lol3;</name></customer></request>'
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><request version="1.0" action="GET"><customer><name>&xxe;</name></customer></request>'
    for (const body of [bomb, xxe, `<request version="1.0" action="FIND">${'<customer>'.repeat(100)}${'</customer>'.repeat(100)}</request>`]) {
      const r = await post(body)
      assert.equal(r.status, 400, r.text)
      assert.equal(r.doc.error.id, '3')
      assert.ok(r.ms < 1000, `${r.ms} ms`)
      assert.ok(!r.text.includes('root:'), r.text)
    }
    const big = await post(doc('FIND', `<customer><fullname>${'x'.repeat(2 * 1024 * 1024)}</fullname></customer>`))
    assert.equal(big.status, 400)
    assert.equal(big.doc.error.id, '3')
    // PowerShell's WebClient: no content type, or a form type; the /xmlapi alias.
    const find = doc('FIND', '<customer><name>CSP</name></customer>')
    for (const headers of [{ 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': '' }]) {
      const r = await post(find, { headers })
      assert.equal(r.status, 200, r.text)
      assert.equal(r.doc.customer[0].name, 'CSP')
    }
    assert.equal((await post(find, { path: '/xmlapi' })).doc.customer[0].fullname, 'Cortex Service Provider')
  })

  it('answers identity, global, locations, the Reseller service and requests as the seed shows', async () => {
    const me = (await ok(doc('GET', '<identity/>'), CSPADMIN)).identity
    assert.equal(me.customer[0].name, 'CSP')
    assert.equal(me.customer[0].fullname, 'Cortex Service Provider')
    assert.equal(me.customer[0].primarydomain, 'csp.local')
    assert.equal(me.customer[0].user[0].name, 'cspadmin_CSP')
    assert.equal(me.customer[0].user[0].upn, 'cspadmin_CSP@csp.local')

    const g = (await ok(doc('GET', '<global/>'))).global
    assert.match(g.version.api, /^\d+\.\d+\.\d+/)
    assert.match(g.version.database, /^\d{4}-\d{2}-\d{2}-\d{4}-/)

    assert.deepEqual((await ok(doc('FIND', '<location/>'))).location.map((l: any) => l.name).sort(), ['Elsewhere', 'csm.Local'])
    const withServices = await ok(doc('FIND', '<location><service/></location>'))
    assert.deepEqual(withServices.location.find((l: any) => l.name === 'csm.Local').service.map((x: any) => x.name), ['FSS', 'HE'])
    assert.deepEqual((await ok(doc('FIND', '<location><service><name>HE</name></service></location>'))).location.map((l: any) => l.name), ['csm.Local'])
    assert.deepEqual((await ok(doc('FIND', '<location><service><fullname>File Sharing</fullname></service></location>'))).location.map((l: any) => l.name).sort(), ['Elsewhere', 'csm.Local'])
    assert.equal((await post(doc('FIND', '<location><service><name>NOPE</name></service></location>'))).text, `${DECL}<response version="1.0"/>`)
    const loc = (await ok(doc('GET', '<location><name>csm.Local</name></location>'))).location[0]
    assert.equal(loc.name, 'csm.Local')
    const cprops = (await ok(doc('GET', '<location><name>csm.Local</name><customer><customerproperties/></customer></location>'))).location[0]
    assert.deepEqual(cprops.customer[0].customerproperties.property, [{ name: 'OU', value: 'Customers' }])
    const uprops = (await ok(doc('GET', '<location><name>csm.Local</name><user><additionalproperties/></user></location>'))).location[0]
    assert.deepEqual(uprops.user[0].additionalproperties.property, [{ name: 'department', value: 'Unassigned' }])

    const reseller = (await ok(`${DECL}<request action="GET" version="1.0"><customer><name>CSP</name><service><name>Reseller</name></service></customer></request>`)).customer[0].service[0]
    assert.equal(reseller.name, 'Reseller')
    assert.equal(reseller.status, 'Provisioned')
    assert.deepEqual(reseller.service.map((x: any) => x.name), ['FSS', 'HE'])
    const notReseller = (await ok(doc('GET', '<customer><name>BAC</name><service><name>Reseller</name></service></customer>'))).customer[0].service[0]
    assert.equal(notReseller.status, 'NotProvisioned')

    // DELETE a customer (a fresh one: BAC holds services).
    await ok(doc('SET', '<customer><name>DEL</name><fullname>To Delete</fullname><contactname>D</contactname><contactemail>d@d.local</contactemail><primarydomain>d.local</primarydomain></customer>'))
    const del = await ok(`${DECL}<request version="1.0" action="DELETE"> <customer> <name>DEL</name> </customer> </request>`)
    assert.equal((await s.req('GET', `/jobs/${idOf(del)}`)).body.operation, 'org.delete')
    assert.equal((await post(doc('FIND', '<customer><name>DEL</name></customer>'))).text, `${DECL}<response version="1.0"/>`)
  })
})
