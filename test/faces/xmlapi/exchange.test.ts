/**
 * Seed 004's Hosted Exchange documents over real HTTP, on both databases: a customer service's
 * `<distributiongroups>` (list, filters, paging, members on request, one by sync id, SET with
 * every field of the seed's template), a user's groups and `<selected>`, `<contacts>` (list,
 * filters, SET with every field) and `<resourceconfiguration/>`; errors 32, 18, 21, 38, 19, 10
 * and 3; the GET → SET round trips; DELETE of groups and contacts.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { asSet, DECL, doc, QUICK_WORKER, xmlClient } from './client.js'

const CATALOG = {
  services: [
    { name: 'HE', displayName: 'Hosted Exchange', version: '2010', packages: [{ name: 'Basic' }], plans: [{ name: 'EXBASIC', fullname: 'Ex10 Basic' }] },
    { name: 'MySQL', displayName: 'MySQL' },
  ],
  locations: [{ name: 'csm.Local', services: ['HE', 'MySQL'] }],
}

const HEROES_PATH = 'CN=Heroes,OU=Distribution Groups,OU=Justice League Unlimited(JLU),OU=Customers,DC=dev,DC=local'

/** The seed's distribution-group SET template, every field filled. */
const HEROES = `${DECL}<request action="SET" trace="true" version="1.0">
<customer>
<name>JLU</name>
<service>
<name>HE</name>
<distributiongroups>
<distributiongroup>
<displayname>Heroes</displayname>
<syncobjectid>S-1-5-21-1816066181-3380177551-1806815814-1235</syncobjectid>
<enabled>true</enabled>
<path>${HEROES_PATH}</path>
<email>heroes@jlu.test</email>
<emailalias>heroes</emailalias>
<mailtip>Save the day</mailtip>
<grouptype>Security</grouptype>
<hidefromaddresslists>no</hidefromaddresslists>
<requiresenderauthentication>1</requiresenderauthentication>
<memberjoinrestriction>ApprovalRequired</memberjoinrestriction>
<memberdepartrestriction>Open</memberdepartrestriction>
<sendmoderationnotifications>Always</sendmoderationnotifications>
<emailaddresses>
<emailaddress>SMTP:heroes@jlu.test</emailaddress>
<emailaddress>smtp:league@jlu.test</emailaddress>
</emailaddresses>
<owners>
<owners>
<displayname>Wonder Woman</displayname>
<syncobjectid>OWN-1</syncobjectid>
<path>CN=Diana</path>
<email>diana@jlu.test</email>
</owners>
</owners>
<members>
<member>
<displayname>Superman</displayname>
<syncobjectid>B5EF275A-D953-4FBC-9E89-B72AC0470278</syncobjectid>
<path>CN=Clark</path>
<email>clark@jlu.test</email>
<enabled>true</enabled>
</member>
<member>
<displayname>Flash</displayname>
<syncobjectid>FLASH-1</syncobjectid>
<path>CN=Barry</path>
<email>barry@jlu.test</email>
<enabled>false</enabled>
</member>
</members>
<sendasmembers>
<sendasmember>
<displayname>Alfred</displayname>
<syncobjectid>SENDAS-1</syncobjectid>
<path>CN=Alfred</path>
<email>alfred@jlu.test</email>
<enabled>true</enabled>
</sendasmember>
</sendasmembers>
<sendrestrictionacceptedmembers>
<sendrestrictionacceptedmember>
<displayname>Oracle</displayname>
<syncobjectid>ACC-1</syncobjectid>
<path>CN=Barbara</path>
<email>oracle@jlu.test</email>
<enabled>true</enabled>
</sendrestrictionacceptedmember>
</sendrestrictionacceptedmembers>
<sendrestrictionrejectedmembers>
<sendrestrictionrejectedmember>
<displayname>Joker</displayname>
<syncobjectid>REJ-1</syncobjectid>
<path>CN=Joker</path>
<email>joker@arkham.test</email>
<enabled>true</enabled>
</sendrestrictionrejectedmember>
</sendrestrictionrejectedmembers>
</distributiongroup>
</distributiongroups>
</service>
</customer>
</request>`

/** The seed's contact SET template, every field filled. */
const CONTACT = `${DECL}<request action="SET" trace="true" version="1.0">
<customer>
<name>JLU</name>
<service>
<name>HE</name>
<contacts>
<contact>
<displayname>Lois Lane</displayname>
<syncobjectid>SYNC-LOIS</syncobjectid>
<enabled>true</enabled>
<path>CN=Lois</path>
<email>lois@planet.test</email>
<emailalias>lois</emailalias>
<firstname>Lois</firstname>
<lastname>Lane</lastname>
<initials>LL</initials>
<jobtitle>Reporter</jobtitle>
<companyname>Daily Planet</companyname>
<businessphone>+1 555 0100</businessphone>
<businessfax>+1 555 0101</businessfax>
<homephone>+1 555 0102</homephone>
<mobile>+1 555 0103</mobile>
<webpage>https://planet.test/lois</webpage>
<street>1 Planet Plaza</street>
<city>Metropolis</city>
<state>NY</state>
<country>US</country>
<postcode>10001</postcode>
<hidefromaddresslists>false</hidefromaddresslists>
</contact>
</contacts>
</service>
</customer>
</request>`

eachDialect('XML API distribution groups, contacts and resource configuration (seed 004)', (dialect) => {
  let s: TestServer
  const x = xmlClient(() => s)
  let jlu: string
  let batman: string

  const svc = (inner: string, action = 'GET') => doc(action, `<customer><name>JLU</name><service><name>HE</name>${inner}</service></customer>`)
  const userSvc = (user: string, inner: string, action = 'GET') => doc(action, `<customer><fullname>Justice League Unlimited</fullname><user><name>${user}</name><service><name>HE</name>${inner}</service></user></customer>`)
  const names = (list: any[] | undefined) => (list ?? []).map((g: any) => g.displayname)

  before(async () => {
    s = await startServer(dialect, QUICK_WORKER)
    assert.equal((await s.req('PUT', '/catalog', { body: CATALOG })).status, 200)
    await x.ok(doc('SET', '<customer><name>JLU</name><fullname>Justice League Unlimited</fullname><contactname>Bruce</contactname><contactemail>bruce@jlu.test</contactemail><primarydomain>jlu.test</primarydomain><user><name>Batman_JLU</name><firstname>Bruce</firstname><lastname>Wayne</lastname><email>batman@jlu.test</email></user><user><name>Donald_E2010</name></user></customer>'))
    jlu = (await s.req('GET', `/orgs/${s.masterId}/customers?recursive=true&limit=1000`)).body.items.find((c: any) => c.code === 'JLU').id
    batman = (await s.req('GET', `/orgs/${jlu}/members?limit=100`)).body.items.find((u: any) => u.username === 'Batman_JLU').id
  })
  after(() => s.close())

  it('refuses Exchange objects of a service the customer does not hold (21), then provisions HE', async () => {
    await x.fails(svc('<distributiongroups />'), 21)
    await x.fails(HEROES, 21)
    await x.fails(svc('<contacts />'), 21)
    await x.fails(doc('GET', '<customer><name>JLU</name><service><resourceconfiguration/></service></customer>'), 3)
    await x.ok(doc('SET', '<customer><name>JLU</name><service><name>HE</name><version>2010</version><userpackage><fullname>Ex10 Basic</fullname></userpackage><package><name>Basic</name></package></service></customer>'))
    await x.until(`/orgs/${jlu}/services/HE`, 'Provisioned')
    await x.ok(doc('SET', '<customer><name>JLU</name><user><name>Batman_JLU</name><service><name>HE</name><userpackage><fullname>Ex10 Basic</fullname></userpackage></service></user><user><name>Donald_E2010</name><service><name>HE</name><userpackage><fullname>Ex10 Basic</fullname></userpackage></service></user></customer>'))
    const donald = (await s.req('GET', `/orgs/${jlu}/members?limit=100`)).body.items.find((u: any) => u.username === 'Donald_E2010').id
    await x.until(`/orgs/${jlu}/members/${donald}/services/HE`, 'Provisioned')
    await x.until(`/orgs/${jlu}/members/${batman}/services/HE`, 'Provisioned')
    const empty = (await x.ok(svc('<distributiongroups />'))).customer[0].service[0].distributiongroups
    assert.deepEqual([empty.total, empty.distributiongroup], ['0', undefined])
  })

  it("creates a group with every field of the seed's template, lists, filters, pages, and answers members only on request", async () => {
    const made = await x.ok(HEROES)
    assert.deepEqual(await x.operations(made), ['distribution_group.set'], 'a group SET provisions nothing')
    const two = await x.ok(svc('<distributiongroups><distributiongroup><displayname>Enemies</displayname><email>enemies@jlu.test</email></distributiongroup><distributiongroup><displayname>Marketing</displayname><email>mail@jlu.test</email></distributiongroup></distributiongroups>', 'SET'))
    assert.deepEqual(await x.operations(two), ['distribution_group.set', 'distribution_group.set'])

    // The seed's list: every group, without members.
    const all = (await x.ok(`${DECL}<request action="GET" version="1.0"><customer><fullname>Justice League Unlimited</fullname><service><name>HE</name><distributiongroups /></service></customer></request>`)).customer[0].service[0].distributiongroups
    assert.deepEqual([all.pageindex, all.pagesize, all.total], ['1', '100', '3'])
    assert.deepEqual(names(all.distributiongroup), ['Enemies', 'Heroes', 'Marketing'])
    const heroes = all.distributiongroup[1]
    assert.equal(heroes.members, undefined, 'members are not answered by default')
    assert.deepEqual(
      [heroes.syncobjectid, heroes.enabled, heroes.path, heroes.email, heroes.emailalias, heroes.mailtip, heroes.grouptype, heroes.hidefromaddresslists, heroes.requiresenderauthentication],
      ['S-1-5-21-1816066181-3380177551-1806815814-1235', 'True', HEROES_PATH, 'heroes@jlu.test', 'heroes', 'Save the day', 'Security', 'False', 'True'],
    )
    assert.deepEqual([heroes.memberjoinrestriction, heroes.memberdepartrestriction, heroes.sendmoderationnotifications], ['ApprovalRequired', 'Open', 'Always'])
    assert.deepEqual(heroes.emailaddresses.emailaddress, ['SMTP:heroes@jlu.test', 'smtp:league@jlu.test'])

    // The seed's filters (prefixes, any case) and paging.
    const m = (await x.ok(`${DECL}<request action="GET" version="1.0"><customer><fullname>Justice League Unlimited</fullname><service><name>HE</name><distributiongroups><displaynamefilter>M</displaynamefilter><emailfilter>M</emailfilter><pageindex>1</pageindex><pagesize>1000</pagesize></distributiongroups></service></customer></request>`)).customer[0].service[0].distributiongroups
    assert.deepEqual([names(m.distributiongroup), m.total, m.pagesize], [['Marketing'], '1', '1000'])
    const page2 = (await x.ok(svc('<distributiongroups><pageindex>2</pageindex><pagesize>2</pagesize></distributiongroups>'))).customer[0].service[0].distributiongroups
    assert.deepEqual([names(page2.distributiongroup), page2.total], [['Marketing'], '3'])
    // The seed's template with empty filters: everything.
    const blank = (await x.ok(`${DECL}<request action="GET" trace="true" version="1.0"><customer><name>JLU</name><service><name>HE</name><distributiongroups><displaynamefilter></displaynamefilter><emailfilter></emailfilter><pageindex></pageindex><pagesize></pagesize></distributiongroups></service></customer></request>`)).customer[0].service[0].distributiongroups
    assert.deepEqual(names(blank.distributiongroup), ['Enemies', 'Heroes', 'Marketing'])

    // The seed's members request: the lists asked for, on every group.
    const withMembers = (await x.ok(`${DECL}<request action="GET" trace="true" version="1.0"><customer><name>JLU</name><service><name>HE</name><distributiongroups><distributiongroup><members /><sendrestrictionacceptedmembers /><sendrestrictionrejectedmembers /><sendasmembers /></distributiongroup></distributiongroups></service></customer></request>`)).customer[0].service[0].distributiongroups.distributiongroup
    const h = withMembers.find((g: any) => g.displayname === 'Heroes')
    assert.deepEqual(h.members.member.map((e: any) => `${e.displayname}/${e.syncobjectid}/${e.path}/${e.email}/${e.enabled}`), ['Superman/B5EF275A-D953-4FBC-9E89-B72AC0470278/CN=Clark/clark@jlu.test/True', 'Flash/FLASH-1/CN=Barry/barry@jlu.test/False'])
    assert.deepEqual(h.sendasmembers.sendasmember.map((e: any) => e.displayname), ['Alfred'])
    assert.deepEqual(h.sendrestrictionacceptedmembers.sendrestrictionacceptedmember.map((e: any) => e.displayname), ['Oracle'])
    assert.deepEqual(h.sendrestrictionrejectedmembers.sendrestrictionrejectedmember.map((e: any) => e.email), ['joker@arkham.test'])
    assert.equal(h.owners, undefined, 'owners were not asked for')
    const owners = (await x.ok(svc('<distributiongroups><distributiongroup><displayname>Heroes</displayname><owners/></distributiongroup></distributiongroups>'))).customer[0].service[0].distributiongroups.distributiongroup[0]
    assert.deepEqual(owners.owners.owner.map((e: any) => `${e.displayname}/${e.email}`), ['Wonder Woman/diana@jlu.test'])

    // The seed's one group by sync id, its member list narrowed to the member named.
    const one = (await x.ok(`${DECL}<request action="GET" trace="true" version="1.0"><customer><name>JLU</name><service><name>HE</name><distributiongroups><distributiongroup><syncobjectid>S-1-5-21-1816066181-3380177551-1806815814-1235</syncobjectid><members><member><syncobjectid>B5EF275A-D953-4FBC-9E89-B72AC0470278</syncobjectid></member></members><sendrestrictionacceptedmembers /><sendrestrictionrejectedmembers /><sendasmembers /></distributiongroup></distributiongroups></service></customer></request>`)).customer[0].service[0].distributiongroups
    assert.deepEqual(names(one.distributiongroup), ['Heroes'])
    assert.deepEqual(one.distributiongroup[0].members.member.map((e: any) => e.displayname), ['Superman'])
    assert.equal(one.total, undefined)
  })

  it('merges a group SET, takes its GET answer back, and refuses bad input changing nothing (32, 38, 10, 18, 3)', async () => {
    // Merge by sync id: the fields given change, the lists not given stay.
    await x.ok(svc('<distributiongroups><distributiongroup><syncobjectid>S-1-5-21-1816066181-3380177551-1806815814-1235</syncobjectid><mailtip>Justice</mailtip><hidefromaddresslists>yes</hidefromaddresslists></distributiongroup></distributiongroups>', 'SET'))
    const get = svc('<distributiongroups><distributiongroup><displayname>Heroes</displayname><members/><owners/></distributiongroup></distributiongroups>')
    const first = await x.post(get)
    const g = first.doc.customer[0].service[0].distributiongroups.distributiongroup[0]
    assert.deepEqual([g.mailtip, g.hidefromaddresslists, g.members.member.length, g.owners.owner.length], ['Justice', 'True', 2, 1])

    // The GET answer set back: the group is as it was (the service is provisioned again, as any service SET).
    const back = await x.ok(asSet(first.text))
    assert.deepEqual(await x.operations(back), ['customer_service.provision', 'distribution_group.set'])
    await x.until(`/orgs/${jlu}/services/HE`, 'Provisioned')
    const strip = (t: string) => t.replace(/<updatedat>[^<]*<\/updatedat>/g, '')
    assert.equal(strip((await x.post(get)).text), strip(first.text))

    // Bad input anywhere changes nothing: the second group's boolean is wrong, so neither is made.
    await x.fails(svc('<distributiongroups><distributiongroup><displayname>Legion</displayname></distributiongroup><distributiongroup><displayname>Titans</displayname><requiresenderauthentication>maybe</requiresenderauthentication></distributiongroup></distributiongroups>', 'SET'), 32)
    await x.fails(svc('<distributiongroups><distributiongroup><displayname>Legion</displayname><members><member><displayname>X</displayname><enabled>sort of</enabled></member></members></distributiongroup></distributiongroups>', 'SET'), 32)
    await x.fails(svc('<contacts><contact><displayname>Nope</displayname><hidefromaddresslists>2</hidefromaddresslists></contact></contacts>', 'SET'), 32)
    for (const bad of ['<pagesize>5000</pagesize>', '<pagesize>0</pagesize>', '<pageindex>0</pageindex>', '<pageindex>one</pageindex>']) await x.fails(svc(`<distributiongroups>${bad}</distributiongroups>`), 38)
    // A display name taken by another group: the service's error, 10.
    await x.fails(svc('<distributiongroups><distributiongroup><syncobjectid>S-1-5-21-1816066181-3380177551-1806815814-1235</syncobjectid><displayname>Enemies</displayname></distributiongroup></distributiongroups>', 'SET'), 10)
    // A group that is not there, by reference: 18.
    assert.equal(await x.fails(svc('<distributiongroups><distributiongroup><syncobjectid>S-NOPE</syncobjectid></distributiongroup></distributiongroups>'), 18), "Distribution group 'S-NOPE' not found.")
    await x.fails(svc('<distributiongroups><distributiongroup><displayname>Heroes</displayname><colour>red</colour></distributiongroup></distributiongroups>', 'SET'), 3)
    const all = (await x.ok(svc('<distributiongroups/>'))).customer[0].service[0].distributiongroups
    assert.deepEqual(names(all.distributiongroup), ['Enemies', 'Heroes', 'Marketing'])
  })

  it("selects a user into groups and out as the seed does, answers the user's groups, 18 and 3", async () => {
    // The seed's GET of a user's groups (Donald is in none).
    const donald = (await x.ok(`${DECL}<request action="GET" version="1.0"><customer><fullname>Justice League Unlimited</fullname><user><name>Donald_E2010</name><service><name>HE</name><distributiongroups /></service></user></customer></request>`)).customer[0].user[0].service[0]
    assert.deepEqual(names(donald.distributiongroups?.distributiongroup), [])
    await x.ok(userSvc('Batman_JLU', '<distributiongroups><distributiongroup><displayname>Enemies</displayname><selected>true</selected></distributiongroup></distributiongroups>', 'SET'))
    assert.deepEqual(names((await x.ok(userSvc('Batman_JLU', '<distributiongroups />'))).customer[0].user[0].service[0].distributiongroups.distributiongroup), ['Enemies'])

    // The seed's SET: into Heroes by path, out of Enemies by display name.
    const r = await x.ok(`${DECL}<request action="SET" version="1.0"><customer><fullname>Justice League Unlimited</fullname><user><name>Batman_JLU</name><service><name>HE</name><distributiongroups><distributiongroup><path>${HEROES_PATH}</path><selected>true</selected></distributiongroup><distributiongroup><displayname>Enemies</displayname><selected>false</selected></distributiongroup></distributiongroups></service></user></customer></request>`)
    assert.deepEqual(await x.operations(r), ['user_distribution_group.select'], 'a selection provisions nothing')
    const get = userSvc('Batman_JLU', '<distributiongroups />')
    const first = await x.post(get)
    const mine = first.doc.customer[0].user[0].service[0].distributiongroups.distributiongroup
    assert.deepEqual(mine.map((g: any) => `${g.displayname}:${g.selected}`), ['Heroes:True'])
    // The user is in Heroes' member list, beside the members it had.
    const members = (await x.ok(svc('<distributiongroups><distributiongroup><displayname>Heroes</displayname><members/></distributiongroup></distributiongroups>'))).customer[0].service[0].distributiongroups.distributiongroup[0].members.member
    assert.deepEqual(members.map((e: any) => e.displayname), ['Superman', 'Flash', 'Bruce Wayne'])

    // The user's GET answer set back changes nothing.
    await x.ok(asSet(first.text))
    assert.equal((await x.post(get)).text, first.text)

    // A group that is not there: 18, and the other selection in the document is not made.
    await x.fails(userSvc('Batman_JLU', '<distributiongroups><distributiongroup><displayname>Marketing</displayname><selected>true</selected></distributiongroup><distributiongroup><displayname>Nobody</displayname><selected>true</selected></distributiongroup></distributiongroups>', 'SET'), 18)
    await x.fails(userSvc('Batman_JLU', '<distributiongroups><distributiongroup><displayname>Marketing</displayname><selected>perhaps</selected></distributiongroup></distributiongroups>', 'SET'), 32)
    await x.fails(userSvc('Batman_JLU', '<distributiongroups><distributiongroup><displayname>Marketing</displayname></distributiongroup></distributiongroups>', 'SET'), 3)
    await x.fails(userSvc('Batman_JLU', '<contacts/>'), 3)
    assert.equal((await x.post(get)).text, first.text)
  })

  it("lists, filters and sets contacts with every field of the seed's template; round trip; 18", async () => {
    const none = (await x.ok(`${DECL}<request action="GET" trace="true" version="1.0"><customer><name>JLU</name><service><name>HE</name><contacts /></service></customer></request>`)).customer[0].service[0].contacts
    assert.deepEqual([none.total, none.contact], ['0', undefined])
    const made = await x.ok(CONTACT)
    assert.deepEqual(await x.operations(made), ['exchange_contact.set'])
    await x.ok(svc('<contacts><contact><displayname>Jimmy Olsen</displayname><syncobjectid>SYNC-JIMMY</syncobjectid></contact><contact><displayname>Perry White</displayname></contact></contacts>', 'SET'))

    const list = (await x.ok(svc('<contacts />'))).customer[0].service[0].contacts
    assert.deepEqual([names(list.contact), list.total], [['Jimmy Olsen', 'Lois Lane', 'Perry White'], '3'])
    const lois = list.contact[1]
    const want: Record<string, string> = {
      syncobjectid: 'SYNC-LOIS', enabled: 'True', path: 'CN=Lois', email: 'lois@planet.test', emailalias: 'lois', firstname: 'Lois', lastname: 'Lane', initials: 'LL', jobtitle: 'Reporter',
      companyname: 'Daily Planet', businessphone: '+1 555 0100', businessfax: '+1 555 0101', homephone: '+1 555 0102', mobile: '+1 555 0103', webpage: 'https://planet.test/lois',
      street: '1 Planet Plaza', city: 'Metropolis', state: 'NY', country: 'US', postcode: '10001', hidefromaddresslists: 'False',
    }
    for (const [k, v] of Object.entries(want)) assert.equal(lois[k], v, k)

    // The seed's filters: display name and sync id prefixes, paging.
    const byName = (await x.ok(svc('<contacts><displaynamefilter>l</displaynamefilter><syncfilter></syncfilter><pageindex></pageindex><pagesize></pagesize></contacts>'))).customer[0].service[0].contacts
    assert.deepEqual(names(byName.contact), ['Lois Lane'])
    const bySync = (await x.ok(svc('<contacts><syncfilter>sync-</syncfilter><pageindex>1</pageindex><pagesize>1</pagesize></contacts>'))).customer[0].service[0].contacts
    assert.deepEqual([names(bySync.contact), bySync.total], [['Jimmy Olsen'], '2'])

    // Merge by sync id; one contact by reference; the round trip.
    await x.ok(svc('<contacts><contact><syncobjectid>SYNC-LOIS</syncobjectid><jobtitle>Editor</jobtitle><hidefromaddresslists>true</hidefromaddresslists></contact></contacts>', 'SET'))
    const get = svc('<contacts><contact><syncobjectid>SYNC-LOIS</syncobjectid></contact></contacts>')
    const first = await x.post(get)
    const c = first.doc.customer[0].service[0].contacts.contact[0]
    assert.deepEqual([c.displayname, c.jobtitle, c.hidefromaddresslists, c.city], ['Lois Lane', 'Editor', 'True', 'Metropolis'])
    await x.ok(asSet(first.text))
    await x.until(`/orgs/${jlu}/services/HE`, 'Provisioned')
    const strip = (t: string) => t.replace(/<updatedat>[^<]*<\/updatedat>/g, '')
    assert.equal(strip((await x.post(get)).text), strip(first.text))

    assert.equal(await x.fails(svc('<contacts><contact><displayname>Nobody</displayname></contact></contacts>'), 18), "Contact 'Nobody' not found.")
    await x.fails(svc('<contacts><contact><syncobjectid>NEW-NO-NAME</syncobjectid></contact></contacts>', 'SET'), 10)
  })

  it('answers and merges resource configuration (the seed GET), deletes groups, contacts and properties, 19', async () => {
    await x.ok(doc('SET', '<customer><name>CRC</name><fullname>CRC Ltd</fullname><contactname>C</contactname><contactemail>c@crc.test</contactemail><primarydomain>crc.test</primarydomain><service><name>MySQL</name></service></customer>'))
    const crc = (await s.req('GET', `/orgs/${s.masterId}/customers?recursive=true&limit=1000`)).body.items.find((o: any) => o.code === 'CRC').id
    await x.until(`/orgs/${crc}/services/MySQL`, 'Provisioned')
    const seedGet = `${DECL}<request action="GET" version="1.0"><customer><name>crc</name><service><name>MySQL</name><resourceconfiguration /></service></customer></request>`
    const empty = (await x.ok(seedGet)).customer[0].service[0]
    assert.equal(empty.resourceconfiguration, '')
    const r = await x.ok(doc('SET', '<customer><name>CRC</name><service><name>MySQL</name><resourceconfiguration><property><name>server</name><value>db01</value></property><property><name>maxdatabases</name><value>5</value></property></resourceconfiguration></service></customer>'))
    assert.deepEqual(await x.operations(r), ['resource_configuration.set'])
    const first = await x.post(seedGet)
    assert.deepEqual(first.doc.customer[0].service[0].resourceconfiguration.property, [
      { name: 'maxdatabases', value: '5' },
      { name: 'server', value: 'db01' },
    ])
    await x.ok(doc('SET', '<customer><name>CRC</name><service><name>MySQL</name><resourceconfiguration><property><name>maxdatabases</name><value>10</value></property></resourceconfiguration></service></customer>'))
    const merged = (await x.ok(seedGet)).customer[0].service[0].resourceconfiguration.property
    assert.deepEqual(merged, [
      { name: 'maxdatabases', value: '10' },
      { name: 'server', value: 'db01' },
    ])
    await x.fails(doc('SET', '<customer><name>CRC</name><service><name>MySQL</name><resourceconfiguration><property><name>bad name</name><value>1</value></property></resourceconfiguration></service></customer>'), 19)
    await x.fails(doc('SET', '<customer><name>CRC</name><service><name>HE</name><resourceconfiguration><property><name>a</name><value>1</value></property></resourceconfiguration></service></customer>'), 21)
    // DELETE the properties named; the service stays.
    await x.ok(doc('DELETE', '<customer><name>CRC</name><service><name>MySQL</name><resourceconfiguration><property><name>server</name></property></resourceconfiguration></service></customer>'))
    assert.deepEqual((await x.ok(seedGet)).customer[0].service[0].resourceconfiguration.property, [{ name: 'maxdatabases', value: '10' }])
    assert.equal((await s.req('GET', `/orgs/${crc}/services/MySQL`)).body.status, 'Provisioned')

    // DELETE a group and a contact by reference (18 when not there, nothing deleted).
    await x.fails(svc('<distributiongroups><distributiongroup><displayname>Marketing</displayname></distributiongroup></distributiongroups><contacts><contact><displayname>Nobody</displayname></contact></contacts>', 'DELETE'), 18)
    const del = await x.ok(svc('<distributiongroups><distributiongroup><displayname>Marketing</displayname></distributiongroup></distributiongroups><contacts><contact><syncobjectid>SYNC-JIMMY</syncobjectid></contact></contacts>', 'DELETE'))
    assert.deepEqual(await x.operations(del), ['distribution_group.delete', 'exchange_contact.delete'])
    assert.deepEqual(names((await x.ok(svc('<distributiongroups/>'))).customer[0].service[0].distributiongroups.distributiongroup), ['Enemies', 'Heroes'])
    assert.deepEqual(names((await x.ok(svc('<contacts/>'))).customer[0].service[0].contacts.contact), ['Lois Lane', 'Perry White'])
    assert.equal((await s.req('GET', `/orgs/${jlu}/services/HE`)).body.status, 'Provisioned')
  })
})
