/**
 * Seed 004's workflow approval through the XML action API over real HTTP (with the worker):
 * the seed's provider documents in order (Workflow Managers, Workflow Groups, a group deleted),
 * the GET → SET round trip, a gated service SET held Pending until its approver accepts
 * (customer- and user-level responses), a rejection failing the request, the `<approval>`
 * entity, a gated user's `<approvalpending>`, and refusals that change nothing.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { XMLParser } from 'fast-xml-parser'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

const PATH = '/cortexapi/default.aspx'
const DECL = '<?xml version="1.0" encoding="utf-8"?>'
const doc = (action: string, inner: string) => `${DECL}<request version="1.0" action="${action}">${inner}</request>`
const REPEATED = ['service', 'approvalprovider', 'group', 'member', 'subscription', 'approvalresponse', 'request', 'entry', 'approval']
/** Repeated elements as arrays; `<customer>` and `<user>` only as the response's customers and their users. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (n, jpath) => REPEATED.includes(n) || jpath === 'response.customer' || jpath === 'response.customer.user',
})

const CATALOG = {
  services: [
    { name: 'HE', displayName: 'Hosted Exchange', plans: [{ name: 'EXBASIC' }] },
    { name: 'FSS', displayName: 'File Sharing', plans: [{ name: 'FULL' }] },
  ],
  locations: [{ name: 'csm.Local', services: ['HE', 'FSS'] }],
}

// The seed's three provider documents, as printed.
const SEED_MANAGERS = `<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Managers</name><configuration><managers>5</managers><timeoutdays>4</timeoutdays><reminderdays>1</reminderdays></configuration><subscriptions><users><subscription><name>Provision</name><access>Object</access></subscription><subscription><name>Deprovision</name><access>Object</access></subscription></users><userservices><service><label>Hosted Exchange</label><subscription><name>Provision</name><access>None</access></subscription><subscription><name>Deprovision</name><access>None</access></subscription></service></userservices></subscriptions></approvalprovider></approvalproviders></customer>`
const SEED_GROUPS = `<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Groups</name><description>Allow groups of people to subscribe to events that require approval</description><groups><group><name>Customer Service Approval</name><description>This group will approve all customer services</description><configuration><memberstoapprove>1</memberstoapprove><timeoutdays>5</timeoutdays><reminderdays>2</reminderdays></configuration><members><member><displayname>Jocelyn Brittain</displayname><username>jocelynb_CSP</username></member><member><displayname>Roger Alborough</displayname><username>RogerA_CSP</username></member></members><subscriptions><services><service><label>All</label><subscription><name>Provision</name><access>Object</access></subscription><subscription><name>Deprovision</name><access>Object</access></subscription></service></services></subscriptions></group></groups></approvalprovider></approvalproviders></customer>`
const SEED_DELETE = `<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Groups</name><description>Allow groups of people to subscribe to events that require approval</description><groups><group><name>Group A</name><action>delete</action></group></groups></approvalprovider></approvalproviders></customer>`

const PROVIDERS = doc('GET', '<customer><name>CSP</name><approvalproviders /></customer>')
const RESPONSES = doc('GET', '<customer><name>CSP</name><approvalresponses /></customer>')
const userResponses = (user: string) => doc('GET', `<customer><name>CSP</name><user><name>${user}</name><approvalresponses /></user></customer>`)
const decideCustomer = (guid: string, status: string, reason = '') =>
  doc('SET', `<customer><name>CSP</name><approvalresponses><approvalresponse><subscription><id>${guid}</id><status>${status}</status><reason>${reason}</reason></subscription></approvalresponse></approvalresponses></customer>`)
const decideUser = (user: string, guid: string, status: string, reason = '') =>
  doc('SET', `<customer><name>CSP</name><user><name>${user}</name><approvalresponses><approvalresponse><subscription><id>${guid}</id><status>${status}</status><reason>${reason}</reason></subscription></approvalresponse></approvalresponses></user></customer>`)
const serviceGet = (name: string) => doc('GET', `<customer><name>CSP</name><service><name>${name}</name></service></customer>`)

const pw = (u: string): [string, string] => [u, `${u}-password-1`]
const CSPADMIN = pw('cspadmin_CSP')
const JOCELYN = pw('jocelynb_CSP')
const ROGER = pw('RogerA_CSP')
const OTHER = pw('other_CSP')

eachDialect('the XML action API: workflow approval (seed 004)', (dialect) => {
  let s: TestServer

  /** Posts as `auth` (default: the provider's administrator, who provisions customers' services). */
  async function post(body: string, auth?: [string, string]): Promise<{ status: number; text: string; doc: any }> {
    const r = await s.req('POST', PATH, { raw: body, headers: { 'content-type': 'text/xml' }, ...(auth && { auth }) })
    assert.ok(r.text.startsWith(DECL), r.text)
    return { status: r.status, text: r.text, doc: parser.parse(r.text).response }
  }
  async function ok(body: string, auth?: [string, string]): Promise<any> {
    const r = await post(body, auth)
    assert.equal(r.status, 200, r.text)
    return r.doc
  }
  async function fails(body: string, code: number, auth?: [string, string], http = 400): Promise<string> {
    const r = await post(body, auth)
    assert.equal(r.status, http, r.text)
    assert.equal(r.doc.error?.id, String(code), r.text)
    return r.doc.error.message
  }
  /** The request a SET answered, through the XML `<request>` entity (with its log). */
  async function request(id: string): Promise<any> {
    return (await ok(doc('GET', `<request><id>${id}</id><log/></request>`))).request[0]
  }
  async function until<T>(get: () => Promise<T>, pred: (x: T) => boolean, what: string): Promise<T> {
    const t0 = Date.now()
    for (;;) {
      const x = await get()
      if (pred(x)) return x
      if (Date.now() - t0 > 10_000) assert.fail(`${what}; got ${JSON.stringify(x)}`)
      await new Promise((res) => setTimeout(res, 25))
    }
  }
  const service = async (name: string) => (await ok(serviceGet(name))).customer[0].service[0]
  const providers = async () => (await ok(PROVIDERS)).customer[0].approvalproviders.approvalprovider
  const pending = async (auth: [string, string] = CSPADMIN) => ((await ok(RESPONSES, auth)).customer[0].approvalresponses.approvalresponse ?? []).filter((a: any) => a.status === 'Pending')

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    const c = await s.req('PUT', '/catalog', { body: CATALOG })
    assert.equal(c.status, 200, c.text)
    const o = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cortex Service Provider', code: 'CSP', primaryDomain: 'csp.local' } })
    assert.equal(o.status, 201, o.text)
    const people: [[string, string], string, string, string][] = [
      [CSPADMIN, 'admin', 'Steve', 'McQueen'],
      [JOCELYN, 'admin', 'Jocelyn', 'Brittain'],
      [ROGER, 'member', 'Roger', 'Alborough'],
      [OTHER, 'member', 'Other', 'Person'],
      [pw('Mickey_CSP'), 'member', 'Mickey', 'Mouse'],
    ]
    for (const [[username, password], role, firstName, lastName] of people) {
      const m = await s.req('POST', `/orgs/${o.body.id}/members`, { body: { username, password, role, firstName, lastName, email: `${username}@csp.local` } })
      assert.equal(m.status, 201, m.text)
    }
  })
  after(() => s.close())

  it('answers both providers before any SET, then applies the seed\'s three documents in order, merging', async () => {
    const [m0, g0] = await providers()
    assert.equal(m0.name, 'Workflow Managers')
    assert.deepEqual(m0.configuration, { managers: '1', timeoutdays: '0', reminderdays: '0' })
    assert.deepEqual(m0.subscriptions, { users: '', userservices: '', services: '' })
    assert.equal(g0.name, 'Workflow Groups')
    assert.equal(g0.groups, '')

    const r1 = await ok(doc('SET', SEED_MANAGERS))
    const job = await request(r1.request[0].id)
    assert.equal(job.operation, 'approval_provider.set')
    assert.equal(job.status, 'succeeded')
    const [m] = await providers()
    assert.deepEqual(m.configuration, { managers: '5', timeoutdays: '4', reminderdays: '1' })
    assert.deepEqual(m.subscriptions.users.subscription, [{ name: 'Provision', access: 'Object' }, { name: 'Deprovision', access: 'Object' }])
    assert.equal(m.subscriptions.userservices, '', 'access None subscribes nothing')

    await ok(doc('SET', SEED_GROUPS))
    // A second group, then the seed's deletion of "Group A".
    await ok(doc('SET', `<customer><name>CSP</name><approvalproviders><approvalprovider><name>workflow groups</name><groups><group><name>Group A</name><members><member><username>Mickey_CSP</username></member></members></group></groups></approvalprovider></approvalproviders></customer>`))
    assert.deepEqual((await providers())[1].groups.group.map((g: any) => g.name), ['Customer Service Approval', 'Group A'])
    await ok(doc('SET', SEED_DELETE))
    const [m2, g] = await providers()
    assert.deepEqual(m2, m, 'Workflow Managers untouched by the groups documents')
    assert.equal(g.description, 'Allow groups of people to subscribe to events that require approval')
    assert.equal(g.groups.group.length, 1)
    const csa = g.groups.group[0]
    assert.equal(csa.name, 'Customer Service Approval')
    assert.equal(csa.description, 'This group will approve all customer services')
    assert.deepEqual(csa.configuration, { memberstoapprove: '1', timeoutdays: '5', reminderdays: '2' })
    assert.deepEqual(csa.members.member, [
      { displayname: 'Jocelyn Brittain', username: 'jocelynb_CSP' },
      { displayname: 'Roger Alborough', username: 'RogerA_CSP' },
    ])
    assert.deepEqual(csa.subscriptions.services.service, [{ label: 'All', subscription: [{ name: 'Provision', access: 'Object' }, { name: 'Deprovision', access: 'Object' }] }])

    // GET output is SET input: sent back, it changes nothing.
    const got = (await post(PROVIDERS)).text
    const inner = got.slice(got.indexOf('<approvalproviders>'), got.indexOf('</approvalproviders>') + '</approvalproviders>'.length)
    await ok(doc('SET', `<customer><name>CSP</name>${inner}</customer>`))
    assert.equal((await post(PROVIDERS)).text, got)
  })

  it('refuses bad provider documents, changing nothing', async () => {
    const before = (await post(PROVIDERS)).text
    const group = (inner: string) => doc('SET', `<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Groups</name><groups><group><name>Customer Service Approval</name>${inner}</group></groups></approvalprovider></approvalproviders></customer>`)
    const managers = (inner: string) => doc('SET', `<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Managers</name>${inner}</approvalprovider></approvalproviders></customer>`)
    const bad: [string, number, RegExp][] = [
      [managers('<configuration><managers>five</managers></configuration>'), 38, /managers/],
      [managers('<configuration><timeoutdays>-1</timeoutdays></configuration>'), 38, /timeoutdays/],
      [managers('<configuration><managers>21</managers></configuration>'), 38, /0 to 20/],
      [group('<configuration><memberstoapprove>1.5</memberstoapprove></configuration>'), 38, /memberstoapprove/],
      [group('<members><member><username>jocelynb_CSP</username></member><member><username>Nobody_CSP</username></member></members>'), 16, /Nobody_CSP/],
      [group('<configuration><memberstoapprove>3</memberstoapprove></configuration>'), 1, /membersToApprove 3/],
      [group('<subscriptions><services><service><label>No Such Service</label><subscription><name>Provision</name><access>Object</access></subscription></service></services></subscriptions>'), 21, /No Such Service/],
      [managers('<subscriptions><users><subscription><name>Provision</name><access>Create</access></subscription></users></subscriptions>'), 1, /Object or None/],
      [managers('<subscriptions><users><subscription><name>Upgrade</name><access>Object</access></subscription></users></subscriptions>'), 1, /Provision or Deprovision/],
      [doc('SET', '<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Bosses</name></approvalprovider></approvalproviders></customer>'), 1, /Workflow Managers or Workflow Groups/],
      [doc('SET', '<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Groups</name><groups><group><name>Group Z</name><action>delete</action></group></groups></approvalprovider></approvalproviders></customer>'), 18, /Group Z/],
      [group('<action>remove</action>'), 1, /delete/],
      [managers('<groups/>'), 3, /groups/],
      // The customer's own change, valid, does not run when its approval providers are bad.
      [doc('SET', SEED_GROUPS.replace('<name>CSP</name>', '<name>CSP</name><contactname>Changed Contact</contactname>').replace('RogerA_CSP', 'Roger_Nobody')), 16, /Roger_Nobody/],
    ]
    for (const [body, code, msg] of bad) {
      assert.match(await fails(body, code), msg)
      assert.equal((await post(PROVIDERS)).text, before, body)
    }
    assert.notEqual((await ok(doc('GET', '<customer><name>CSP</name></customer>'))).customer[0].contactname, 'Changed Contact')
    // Without the Update permission: neither seen nor changed (error 12).
    await fails(PROVIDERS, 12, OTHER, 401)
    await fails(doc('SET', SEED_DELETE.replace('Group A', 'Customer Service Approval')), 12, OTHER, 401)
    // DELETE does not take approval tags (and must never delete the customer instead).
    await fails(doc('DELETE', SEED_DELETE), 5)
    assert.equal((await post(PROVIDERS)).text, before)
    assert.equal((await ok(doc('FIND', '<customer><name>CSP</name></customer>'))).customer.length, 1)
  })

  it('holds a customer service Pending until an approver accepts through SET, then the worker provisions it', async () => {
    const set = await ok(doc('SET', '<customer><name>CSP</name><service><name>FSS</name></service></customer>'))
    const reqId = set.request[0].id
    assert.equal((await request(reqId)).status, 'pending')
    const held = await service('FSS')
    assert.equal(held.status, 'Pending')
    assert.equal(held.approvalpending, 'True')

    // The customer-level list (the approver is an admin): both members' responses.
    const [a] = await pending(JOCELYN)
    assert.equal(a.description, 'Provision Service - File Sharing')
    assert.match(a.requestdate, /^\d{8}$/)
    const received = (await ok(doc('GET', `<request><id>${reqId}</id><times/></request>`))).request[0].times.received
    assert.equal(a.requestdate, received.slice(0, 10).replace(/-/g, ''), 'the day the request was made (UTC)')
    assert.equal(a.resolveddate, '')
    assert.deepEqual(a.customer, { name: 'CSP', fullname: 'Cortex Service Provider' })
    assert.equal(a.requestedbyuser.name, 'admin', 'the provider\'s administrator asked')
    assert.deepEqual(a.subscription.map((x: any) => x.user.name).sort(), ['RogerA_CSP', 'jocelynb_CSP'])
    for (const x of a.subscription) {
      assert.match(x.id, /^[0-9a-f-]{36}$/)
      assert.equal(x.status, 'Pending')
      assert.equal(x.reason, '')
      assert.equal(x.resolveddate, '')
    }
    // The user-level list: only that user's response.
    const mine = (await ok(userResponses('jocelynb_CSP'), JOCELYN)).customer[0].user[0].approvalresponses.approvalresponse
    const pend = mine.filter((x: any) => x.status === 'Pending')
    assert.equal(pend.length, 1)
    assert.equal(pend[0].subscription.length, 1)
    const guid = pend[0].subscription[0].id
    assert.equal(pend[0].subscription[0].user.name, 'jocelynb_CSP')
    assert.ok(a.subscription.some((x: any) => x.id === guid))

    // Someone the response is not addressed to can neither decide nor see it (the admin either).
    assert.match(await fails(decideCustomer(guid, 'Accepted'), 18, CSPADMIN), /not addressed to you/)
    await fails(decideUser('RogerA_CSP', guid, 'Accepted'), 18, ROGER)
    await fails(RESPONSES, 12, OTHER, 401)
    await fails(doc('GET', `<approval><id>${guid}</id></approval>`), 18, OTHER)
    // A bad status word: 17, nothing decided.
    await fails(decideCustomer(guid, 'Maybe'), 17, JOCELYN)
    await fails(decideCustomer(guid, 'Pending'), 17, JOCELYN)
    assert.equal((await pending()).length, 1)
    assert.equal((await service('FSS')).status, 'Pending')

    // GET <approval>: an approver (a member) sees its own response, the customer's admins every one.
    const rogers = a.subscription.find((x: any) => x.user.name === 'RogerA_CSP').id
    const one = (await ok(doc('GET', `<approval><id>${rogers}</id></approval>`), ROGER)).approval[0]
    assert.equal(one.id, rogers)
    assert.equal(one.approvalresponse[0].description, 'Provision Service - File Sharing')
    assert.deepEqual(one.approvalresponse[0].subscription.map((x: any) => x.id), [rogers])
    assert.equal((await ok(doc('GET', `<approval><id>${guid}</id></approval>`), JOCELYN)).approval[0].approvalresponse[0].subscription.length, 2)
    await fails(doc('GET', `<approval><id>${guid}</id></approval>`), 18, ROGER)
    await fails(doc('GET', '<approval><id>00000000-0000-4000-8000-000000000000</id></approval>'), 18)
    await fails(doc('GET', '<approval><id>not-a-guid</id></approval>'), 18)

    // The seed's customer-level SET: status in any case; answered with the decision's request.
    const dec = await ok(decideCustomer(guid, 'accepted', 'Go ahead and perform the update - from the API :)'), JOCELYN)
    assert.equal((await request(dec.request[0].id)).operation, 'approval.decide')
    await until(() => service('FSS'), (v) => v.status === 'Provisioned', 'FSS provisioned after acceptance')
    assert.equal((await service('FSS')).approvalpending, 'False')
    assert.equal((await request(reqId)).status, 'succeeded')
    const done = (await ok(doc('GET', `<approval><id>${guid}</id></approval>`))).approval[0].approvalresponse[0]
    assert.equal(done.status, 'Accepted')
    assert.match(done.resolveddate, /^\d{8}$/)
    const byJocelyn = done.subscription.find((x: any) => x.id === guid)
    assert.equal(byJocelyn.status, 'Accepted')
    assert.equal(byJocelyn.reason, 'Go ahead and perform the update - from the API :)')
    // Answered twice: refused (0, with the reason).
    assert.match(await fails(decideCustomer(guid, 'Rejected'), 0, JOCELYN), /already/)
  })

  it('a rejection with a reason (the seed\'s user-level SET) fails the request and puts the service back', async () => {
    const set = await ok(doc('SET', '<customer><name>CSP</name><service><name>HE</name></service></customer>'))
    const reqId = set.request[0].id
    assert.equal((await service('HE')).approvalpending, 'True')
    const mine = (await ok(userResponses('RogerA_CSP'), ROGER)).customer[0].user[0].approvalresponses.approvalresponse
    const a = mine.find((x: any) => x.status === 'Pending' && x.description === 'Provision Service - Hosted Exchange')
    const guid = a.subscription[0].id
    // Another user's responses are not a member's to see.
    await fails(userResponses('jocelynb_CSP'), 16, ROGER)
    // The user-level SET names the approver: another user's name does not find the response.
    await fails(decideUser('jocelynb_CSP', guid, 'Rejected'), 18, ROGER)
    await ok(decideUser('RogerA_CSP', guid, 'REJECTED', 'Not this quarter'), ROGER)
    const r = await request(reqId)
    assert.equal(r.status, 'failed')
    assert.match(r.error, /rejected by RogerA_CSP: Not this quarter/)
    assert.ok(r.log.entry.some((e: any) => /RogerA_CSP .*answered Rejected: Not this quarter/.test(e.message)), JSON.stringify(r.log))
    const he = await service('HE')
    assert.equal(he.status, 'NotProvisioned')
    assert.equal(he.approvalpending, 'False')
    const closed = (await ok(doc('GET', `<approval><id>${guid}</id></approval>`))).approval[0].approvalresponse[0]
    assert.equal(closed.status, 'Rejected')
    assert.deepEqual(closed.subscription.map((x: any) => x.status).sort(), ['Closed', 'Rejected'])
  })

  it('a gated new user answers <approvalpending>True</approvalpending> until accepted', async () => {
    const set = await ok(doc('SET', '<customer><name>CSP</name><user><name>Minnie_CSP</name><firstname>Minnie</firstname><lastname>Mouse</lastname></user></customer>'), CSPADMIN)
    assert.equal((await request(set.request[0].id)).status, 'pending')
    const getUser = async () => (await ok(doc('GET', '<customer><name>CSP</name><user><name>Minnie_CSP</name></user></customer>'))).customer[0].user[0]
    const u = await getUser()
    assert.equal(u.approvalpending, 'True')
    assert.equal(u.enabled, 'False')
    // Workflow Managers with no chain of managers: the customer's admins approve, any one of them.
    const [a] = (await pending()).filter((x: any) => x.description === 'Provision User - Minnie Mouse')
    assert.ok(a, 'the user approval is listed')
    const guid = a.subscription.find((x: any) => x.user.name === 'cspadmin_CSP').id
    // GET output of a user is SET input (approvalpending is accepted and ignored).
    const again = await ok(doc('SET', '<customer><name>CSP</name><user><name>Minnie_CSP</name><approvalpending>True</approvalpending></user></customer>'))
    assert.equal((await request(again.request[0].id)).operation, 'request.batch')
    await ok(decideUser('cspadmin_CSP', guid, 'Accepted'), CSPADMIN)
    const now = await getUser()
    assert.equal(now.approvalpending, 'False')
    assert.equal(now.enabled, 'True')
  })

  it('a gated user service answers <approvalpending>True</approvalpending> while it waits', async () => {
    // FSS is Provisioned to CSP (above); the group now approves its users' FSS too.
    await ok(doc('SET', '<customer><name>CSP</name><approvalproviders><approvalprovider><name>Workflow Groups</name><groups><group><name>Customer Service Approval</name><subscriptions><userservices><service><label>File Sharing</label><subscription><name>Provision</name><access>Object</access></subscription></service></userservices></subscriptions></group></groups></approvalprovider></approvalproviders></customer>'))
    const set = await ok(doc('SET', '<customer><name>CSP</name><user><name>Mickey_CSP</name><service><name>FSS</name></service></user></customer>'))
    assert.equal((await request(set.request[0].id)).status, 'pending')
    const userService = async () => (await ok(doc('GET', '<customer><name>CSP</name><user><name>Mickey_CSP</name><service><name>FSS</name></service></user></customer>'))).customer[0].user[0].service[0]
    const held = await userService()
    assert.equal(held.status, 'Pending')
    assert.equal(held.approvalpending, 'True')
    const [a] = (await pending()).filter((x: any) => x.description.startsWith('Provision User Service'))
    const guid = a.subscription.find((x: any) => x.user.name === 'jocelynb_CSP').id
    await ok(decideCustomer(guid, 'Rejected', 'no'), JOCELYN)
    const back = await userService()
    assert.equal(back.status, 'NotProvisioned')
    assert.equal(back.approvalpending, 'False')
  })
})
