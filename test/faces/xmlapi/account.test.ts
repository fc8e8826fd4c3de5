/**
 * Seed 004's XML action API over real HTTP, on both databases: a user's `<password>` options and
 * `<accountexpires>`, `<additionalproperties>`, a customer's `<customerproperties>` and its
 * `<status>` (the customer-level provisioning status, deprovisioning its services through the
 * worker) — the seed's documents, errors 35, 36, 37, 32, 19 and 17, and the GET → SET round trips.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { asSet, DECL, doc, QUICK_WORKER, xmlClient } from './client.js'

const CATALOG = {
  services: [
    {
      name: 'HE',
      displayName: 'Hosted Exchange',
      version: '2010',
      packages: [{ name: 'Basic' }],
      plans: [{ name: 'EXBASIC', fullname: 'Ex10 Basic' }],
    },
    { name: 'FSS', displayName: 'File Sharing', packages: [{ name: 'Basic' }], plans: [{ name: 'FULL', fullname: 'Full' }] },
  ],
  locations: [{ name: 'csm.Local', services: ['HE', 'FSS'] }],
}

eachDialect('XML API account options, properties and customer status (seed 004)', (dialect) => {
  let s: TestServer
  const x = xmlClient(() => s)
  let csp: string
  let atest: string

  async function member(org: string, username: string): Promise<any> {
    const list = (await s.req('GET', `/orgs/${org}/members?limit=1000`)).body.items
    const m = list.find((u: any) => u.username === username)
    assert.ok(m, `${username} in ${JSON.stringify(list.map((u: any) => u.username))}`)
    return (await s.req('GET', `/orgs/${org}/members/${m.id}`)).body
  }

  /** Signs in over Basic as `username`; answers the HTTP status of GET <identity/>. */
  async function signIn(username: string, password: string): Promise<number> {
    return (await x.post(doc('GET', '<identity/>'), [username, password])).status
  }

  before(async () => {
    s = await startServer(dialect, QUICK_WORKER)
    assert.equal((await s.req('PUT', '/catalog', { body: CATALOG })).status, 200)
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cortex Service Provider', code: 'CSP', isReseller: true, primaryDomain: 'csp.local' } })
    assert.equal(o.status, 201, o.text)
    csp = o.body.id
    await x.ok(doc('SET', '<customer><fullname>ATest Customer</fullname><name>ATest</name><contactname>A</contactname><contactemail>a@atest.local</contactemail><primarydomain>atest.local</primarydomain></customer>'))
    const found = (await s.req('GET', `/orgs/${s.masterId}/customers?recursive=true&limit=1000`)).body.items.find((c: any) => c.code === 'ATEST')
    atest = found.id
  })
  after(() => s.close())

  it("creates a user with the seed's password options, answers them without the password, and signs in with it", async () => {
    const r = await x.ok(
      `${DECL}<request action="SET" version="1.0"> <customer> <name>CSP</name> <user> <name>User1_CSP</name> <password> <password>Hello123</password> <changeatnextlogon>true</changeatnextlogon> <expires>NEVER</expires> </password> </user> </customer> </request>`,
    )
    assert.deepEqual(await x.operations(r), ['user.create'])
    const m = await member(csp, 'User1_CSP')
    assert.deepEqual([m.changePasswordAtNextLogon, m.passwordExpiresAt, m.accountExpiresAt], [true, null, null])
    assert.equal(await signIn('User1_CSP', 'Hello123'), 200)

    const got = await x.post(doc('GET', '<customer><name>CSP</name><user><name>User1_CSP</name></user></customer>'))
    assert.equal(got.status, 200, got.text)
    const u = got.doc.customer[0].user[0]
    assert.deepEqual(u.password, { changeatnextlogon: 'True', expires: 'NEVER' })
    assert.equal(u.accountexpires, 'NEVER')
    assert.ok(!got.text.includes('Hello123'), 'the password is never answered')
    assert.match(got.text, /<enabled>True<\/enabled><approvalpending>False<\/approvalpending><password><changeatnextlogon>True<\/changeatnextlogon><expires>NEVER<\/expires><\/password><accountexpires>NEVER<\/accountexpires>/)

    // A <password> without its inner <password> changes only the options; the password stays.
    await x.ok(doc('SET', '<customer><name>CSP</name><user><name>User1_CSP</name><password><changeatnextlogon>false</changeatnextlogon><expires>2031-01-31</expires></password><accountexpires>2032-02-29</accountexpires></user></customer>'))
    const changed = await member(csp, 'User1_CSP')
    assert.deepEqual([changed.changePasswordAtNextLogon, changed.passwordExpiresAt, changed.accountExpiresAt], [false, '2031-01-31', '2032-02-29'])
    assert.equal(await signIn('User1_CSP', 'Hello123'), 200)
    const again = (await x.ok(doc('GET', '<customer><name>CSP</name><user><name>User1_CSP</name></user></customer>'))).customer[0].user[0]
    assert.deepEqual([again.password, again.accountexpires], [{ changeatnextlogon: 'False', expires: '2031-01-31' }, '2032-02-29'])

    // NEVER (any case) clears both expiries; a new password set by an admin works at once.
    await x.ok(doc('SET', '<customer><name>CSP</name><user><name>User1_CSP</name><password><password>Another-pass-2</password><expires>never</expires></password><accountexpires>NEVER</accountexpires></user></customer>'))
    const cleared = await member(csp, 'User1_CSP')
    assert.deepEqual([cleared.passwordExpiresAt, cleared.accountExpiresAt], [null, null])
    assert.equal(await signIn('User1_CSP', 'Another-pass-2'), 200)
    assert.equal(await signIn('User1_CSP', 'Hello123'), 401)

    // An expired password (a day gone by) no longer signs in.
    await x.ok(doc('SET', '<customer><name>CSP</name><user><name>User1_CSP</name><password><expires>2020-01-01</expires></password></user></customer>'))
    assert.equal(await signIn('User1_CSP', 'Another-pass-2'), 401)
    await x.ok(doc('SET', '<customer><name>CSP</name><user><name>User1_CSP</name><password><expires>NEVER</expires></password></user></customer>'))
    assert.equal(await signIn('User1_CSP', 'Another-pass-2'), 200)
  })

  it('refuses malformed days (37, 36), NEVER where passwords must expire (35) and bad booleans (32), changing nothing', async () => {
    await x.ok(doc('SET', '<customer><name>ATest</name><user><name>opt_user</name><firstname>Opt</firstname><password><expires>2031-01-01</expires></password></user><user><name>never_user_before</name></user></customer>'))
    const user = (body: string) => doc('SET', `<customer><name>ATest</name><user><name>opt_user</name><firstname>Changed</firstname>${body}</user></customer>`)
    for (const bad of ['2030-02-30', 'soon', '31/01/2030', '2030-1-5']) await x.fails(user(`<password><expires>${bad}</expires></password>`), 37)
    for (const bad of ['tomorrow', '2031-13-01']) await x.fails(user(`<accountexpires>${bad}</accountexpires>`), 36)
    await x.fails(user('<password><changeatnextlogon>perhaps</changeatnextlogon></password>'), 32)
    // A new user with a bad expiry is not made, nor is the good user before it in the same document.
    await x.fails(doc('SET', '<customer><name>ATest</name><user><name>fine_user</name></user><user><name>late_user</name><password><expires>2030-02-31</expires></password></user></customer>'), 37)

    const patched = await s.req('PATCH', `/orgs/${atest}`, { body: { passwordNeverExpiresAllowed: false } })
    assert.equal(patched.status, 204, patched.text)
    const msg = await x.fails(user('<password><expires>NEVER</expires></password>'), 35)
    assert.equal(msg, 'passwords of this customer must expire')
    await x.fails(doc('SET', '<customer><name>ATest</name><user><name>never_user</name><password><password>Hello123-long</password><expires>NEVER</expires></password></user></customer>'), 35)
    const m = await member(atest, 'opt_user')
    assert.deepEqual([m.firstName, m.passwordExpiresAt, m.accountExpiresAt, m.changePasswordAtNextLogon], ['Opt', '2031-01-01', null, false], 'refusals change nothing')
    const users = (await x.ok(doc('FIND', '<customer><name>ATest</name><user/></customer>'))).customer[0].user.map((u: any) => u.name)
    assert.deepEqual(users.sort(), ['never_user_before', 'opt_user'])

    // A user whose password already never expires: its GET answer set back is not a new NEVER.
    const get = doc('GET', '<customer><name>ATest</name><user><name>never_user_before</name></user></customer>')
    const first = await x.post(get)
    assert.match(first.text, /<expires>NEVER<\/expires>/)
    const back = await x.ok(asSet(first.text))
    assert.deepEqual(await x.operations(back), ['user.update'])
    assert.equal((await x.post(get)).text, first.text)

    // A dated expiry is what this customer takes.
    await x.ok(user('<password><expires>2031-06-30</expires></password>'))
    assert.equal((await member(atest, 'opt_user')).passwordExpiresAt, '2031-06-30')
    await s.req('PATCH', `/orgs/${atest}`, { body: { passwordNeverExpiresAllowed: true } })
  })

  it("reads and merges a user's additional properties and a customer's properties, both round trips, error 19", async () => {
    await x.ok(doc('SET', '<customer><name>ATest</name><user><name>test_ATest</name><firstname>Test</firstname><additionalproperties><property><name>department</name><value>Heroes</value></property><property><name>title</name><value>Knight</value></property></additionalproperties></user></customer>'))
    // The seed's GET.
    const seedGet = `${DECL}<request version="1.0" action="GET">\n<customer>\n<name>ATest</name>\n<user>\n<name>test_ATest</name>\n<properties detail="true"/>\n<additionalproperties/>\n</user>\n</customer>\n</request>`
    const u = (await x.ok(seedGet)).customer[0].user[0]
    assert.deepEqual(u.additionalproperties.property, [
      { name: 'department', value: 'Heroes' },
      { name: 'title', value: 'Knight' },
    ])
    assert.ok(u.properties.property.some((p: any) => p.name === 'FirstName' && p.value === 'Test'))
    // Without the tag, nothing of them.
    assert.equal((await x.ok(doc('GET', '<customer><name>ATest</name><user><name>test_ATest</name></user></customer>'))).customer[0].user[0].additionalproperties, undefined)

    // Merge: a name given gets its value, an empty value removes it, the rest stays.
    await x.ok(doc('SET', '<customer><name>ATest</name><user><name>test_ATest</name><additionalproperties><property><name>title</name><value/></property><property><name>office</name><value>Gotham</value></property></additionalproperties></user></customer>'))
    const merged = (await x.ok(doc('GET', '<customer><name>ATest</name><user><name>test_ATest</name><additionalproperties/></user></customer>'))).customer[0].user[0]
    assert.deepEqual(merged.additionalproperties.property, [
      { name: 'department', value: 'Heroes' },
      { name: 'office', value: 'Gotham' },
    ])

    // Round trip: the GET answer set back changes nothing.
    const get = doc('GET', '<customer><name>ATest</name><user><name>test_ATest</name><additionalproperties/></user></customer>')
    const first = await x.post(get)
    await x.ok(asSet(first.text))
    assert.equal((await x.post(get)).text, first.text)

    // Error 19: a bad name, a value too long, a property without a name, a name twice; nothing changes.
    for (const bad of [
      '<property><name>bad name</name><value>v</value></property>',
      `<property><name>department</name><value>${'v'.repeat(1001)}</value></property>`,
      '<property><value>v</value></property>',
      '<property><name>a</name><value>1</value></property><property><name>a</name><value>2</value></property>',
    ]) {
      await x.fails(doc('SET', `<customer><name>ATest</name><user><name>test_ATest</name><additionalproperties>${bad}</additionalproperties></user></customer>`), 19)
    }
    assert.equal((await x.post(get)).text, first.text)

    // A customer's properties: the same, under <customerproperties>.
    await x.ok(doc('SET', '<customer><name>ATest</name><customerproperties><property><name>region</name><value>EU</value></property><property><name>tier</name><value>Gold</value></property></customerproperties></customer>'))
    const cget = doc('GET', '<customer><name>ATest</name><customerproperties/></customer>')
    assert.deepEqual((await x.ok(cget)).customer[0].customerproperties.property, [
      { name: 'region', value: 'EU' },
      { name: 'tier', value: 'Gold' },
    ])
    await x.ok(doc('SET', '<customer><name>ATest</name><customerproperties><property><name>tier</name><value></value></property></customerproperties></customer>'))
    const c1 = await x.post(cget)
    assert.deepEqual(c1.doc.customer[0].customerproperties.property, [{ name: 'region', value: 'EU' }])
    const cback = await x.ok(asSet(c1.text))
    assert.deepEqual(await x.operations(cback), ['org.update'])
    assert.equal((await x.post(cget)).text, c1.text)
    await x.fails(doc('SET', '<customer><name>ATest</name><description>not this</description><customerproperties><property><name>no/slash</name><value>x</value></property></customerproperties></customer>'), 19)
    assert.notEqual((await x.ok(doc('GET', '<customer><name>ATest</name></customer>'))).customer[0].description, 'not this')
    // A new customer with its properties: made, then given them, one parent request.
    const made = await x.ok(doc('SET', '<customer><name>PROPS</name><fullname>Props Ltd</fullname><contactname>P</contactname><contactemail>p@props.local</contactemail><primarydomain>props.local</primarydomain><customerproperties><property><name>region</name><value>US</value></property></customerproperties></customer>'))
    assert.deepEqual(await x.operations(made), ['customer.create', 'org.update'])
    assert.deepEqual((await x.ok(doc('GET', '<customer><name>PROPS</name><customerproperties/></customer>'))).customer[0].customerproperties.property, [{ name: 'region', value: 'US' }])
  })

  it("answers and sets a customer's status: the seed's FIND order, NotProvisioned deprovisions its services, Provisioned back, 17", async () => {
    // The seed's FIND: name, id, fullname, billingid, primarydomain, status, then the services.
    const find = await x.post(`${DECL}<request version="1.0" action="FIND">\n<customer>\n<fullname>ATest Customer</fullname>\n<service/>\n</customer>\n</request>`)
    assert.equal(find.status, 200, find.text)
    assert.match(find.text, /<customer><name>ATEST<\/name><id>\d+<\/id><fullname>ATest Customer<\/fullname><billingid\/><primarydomain>atest.local<\/primarydomain><status>Provisioned<\/status><service>/)
    assert.equal((await x.ok(doc('GET', '<customer><name>ATest</name></customer>'))).customer[0].status, 'Provisioned')

    // Give ATest HE and a user HE, through the worker.
    await x.ok(doc('SET', '<customer><name>ATest</name><service><name>HE</name><version>2010</version><userpackage><fullname>Ex10 Basic</fullname><enabled>True</enabled></userpackage><package><name>Basic</name><enabled>True</enabled></package></service></customer>'))
    await x.until(`/orgs/${atest}/services/HE`, 'Provisioned')
    await x.ok(doc('SET', '<customer><name>ATest</name><user><name>test_ATest</name><service><name>HE</name><userpackage><fullname>Ex10 Basic</fullname></userpackage></service></user></customer>'))
    const uid = (await member(atest, 'test_ATest')).id
    await x.until(`/orgs/${atest}/members/${uid}/services/HE`, 'Provisioned')

    // The GET → SET round trip: Provisioned set back on a Provisioned customer runs nothing.
    const get = doc('GET', '<customer><name>ATest</name></customer>')
    const first = await x.post(get)
    assert.match(first.text, /<status>Provisioned<\/status>/)
    const back = await x.ok(asSet(first.text))
    assert.deepEqual(await x.operations(back), [])
    assert.equal((await s.req('GET', `/orgs/${atest}/services/HE`)).body.status, 'Provisioned')

    // Error 17: a word not a status, a status a customer cannot be set to; nothing changes.
    for (const bad of ['Sleeping', 'InProgress', 'Failed']) await x.fails(doc('SET', `<customer><name>ATest</name><status>${bad}</status></customer>`), 17)
    await x.fails(doc('FIND', '<customer><status>Gone</status></customer>'), 17)
    assert.equal((await s.req('GET', `/orgs/${atest}`)).body.provisioningStatus, 'Provisioned')

    // The seed's SET NotProvisioned (its spelling): one request deprovisioning every service held.
    const off = await x.ok(`${DECL}<request action="SET" trace="true" version="1.0"><customer><name>ATest</name><status>Notprovisioned</status></customer></request>`)
    assert.deepEqual(await x.operations(off), ['customer.set_provisioning'])
    await x.until(`/orgs/${atest}/members/${uid}/services/HE`, 'NotProvisioned')
    await x.until(`/orgs/${atest}/services/HE`, 'NotProvisioned')
    assert.equal((await x.ok(get)).customer[0].status, 'NotProvisioned')
    const byStatus = await x.ok(doc('FIND', '<customer><status>NotProvisioned</status></customer>'))
    assert.deepEqual(byStatus.customer.map((c: any) => c.name), ['ATEST'])
    const svc = await x.ok(doc('FIND', '<customer><name>ATest</name><service/></customer>'))
    assert.deepEqual(svc.customer[0].service.map((v: any) => `${v.name}:${v.status}`), ['FSS:NotProvisioned', 'HE:NotProvisioned'])

    // And back, as the seed does: the customer is Provisioned; its services are provisioned one by one.
    const on = await x.ok(`${DECL}<request action="SET" trace="true" version="1.0"><customer><name>ATest</name><status>Provisioned</status></customer></request>`)
    assert.deepEqual(await x.operations(on), ['customer.set_provisioning'])
    assert.equal((await x.ok(get)).customer[0].status, 'Provisioned')
    assert.equal((await s.req('GET', `/orgs/${atest}`)).body.provisioningStatus, 'Provisioned')
    assert.equal((await s.req('GET', `/orgs/${atest}/services/HE`)).body.status, 'NotProvisioned')

    // The seed's enable/disable of a customer, for completeness of its walk.
    await x.ok(`${DECL}<request action="SET" trace="true" version="1.0"><customer><name>ATest</name><enabled>false</enabled></customer></request>`)
    assert.equal((await x.ok(get)).customer[0].enabled, 'False')
    await x.ok(`${DECL}<request action="SET" trace="true" version="1.0"><customer><name>ATest</name><enabled>true</enabled></customer></request>`)
    assert.equal((await x.ok(get)).customer[0].enabled, 'True')
  })
})
