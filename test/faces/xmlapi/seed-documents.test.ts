/**
 * Every request document of seed 004, in the seed's order (test/fixtures/seed004/documents.json
 * holds them verbatim, with the line each starts on), posted to the XML action API over real
 * HTTP. The customers, users and services the seed's documents name are made first; a document
 * is changed only where a name must exist first (an empty `<name></name>` of a template, a
 * request id, an approval GUID, an approver's name) or where the seed's text is not XML at all
 * (VBScript's doubled quotes, a PDF's curly quotes: the original is posted too, and refused as
 * malformed). Each document must answer what the seed says it answers: success, or the error
 * the seed describes (the last user, a malformed document), never "unknown tag".
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { XMLParser } from 'fast-xml-parser'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

interface SeedDocument {
  line: number
  text: string
}
const SEED: SeedDocument[] = JSON.parse(readFileSync(new URL('../../fixtures/seed004/documents.json', import.meta.url), 'utf8')).documents

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
    { name: 'CRM2011', displayName: 'Customer Relationship Management 2011', plans: [{ name: 'CRMUSER', fullname: 'CRM User' }] },
    { name: 'Sharepoint2010', displayName: 'SharePoint 2010', plans: [{ name: 'SPUSER', fullname: 'SharePoint User' }] },
    {
      name: 'HostedAppsandDesktops',
      displayName: 'Hosted Apps and Desktops',
      multipleUserPlans: true,
      packages: [{ name: 'SharedsiteWebInterfacemode' }],
      plans: [
        { name: 'DESKTOPS', fullname: 'Desktops' },
        { name: 'OFFICEAPPS', fullname: 'Office Apps' },
      ],
    },
    { name: 'MARCH', displayName: 'Mail Archiving', properties: [{ name: 'RetentionDays', value: '365', hidden: true }] },
    { name: 'MySQL', displayName: 'MySQL' },
  ],
  locations: [
    {
      name: 'csm.Local',
      services: ['HE', 'FSS', 'CRM2011', 'Sharepoint2010', 'HostedAppsandDesktops', 'MARCH', 'MySQL'],
      customerProperties: [{ name: 'OU', value: 'Customers' }],
      userAdditionalProperties: [{ name: 'department', value: 'Unassigned' }],
    },
  ],
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (n) => ['customer', 'approvalresponse', 'subscription', 'service', 'user'].includes(n) })
const DECL = '<?xml version="1.0" encoding="utf-8"?>'
const PASSWORD = 'seed-user-password-1'

eachDialect('every request document of seed 004', (dialect) => {
  let s: TestServer
  const orgs = new Map<string, string>()

  async function post(body: string, auth?: [string, string]): Promise<{ status: number; text: string; doc: any }> {
    const r = await s.req('POST', '/cortexapi/default.aspx', { raw: body, headers: { 'content-type': 'text/xml' }, ...(auth ? { auth } : {}) })
    return { status: r.status, text: r.text, doc: r.text.startsWith('<?xml') ? parser.parse(r.text).response : undefined }
  }
  async function ok(body: string, auth?: [string, string]): Promise<any> {
    const r = await post(body, auth)
    assert.equal(r.status, 200, `${body}\n→ ${r.text}`)
    assert.equal(r.doc?.error, undefined, r.text)
    return r.doc
  }
  /** Waits until no service of the customer `code` or of its users has work under way. */
  async function settle(code: string): Promise<void> {
    const t0 = Date.now()
    const org = orgs.get(code)
    const members = (await s.req('GET', `/orgs/${org}/members?limit=100`)).body.items as { id: string }[]
    for (;;) {
      const lists = [await s.req('GET', `/orgs/${org}/services`)]
      for (const m of members) lists.push(await s.req('GET', `/orgs/${org}/members/${m.id}/services`))
      let busy = false
      for (const r of lists) {
        assert.equal(r.status, 200, r.text)
        busy ||= (r.body.items ?? r.body).some((x: any) => ['Requested', 'InProgress'].includes(x.status))
      }
      if (!busy) return
      if (Date.now() - t0 > 15_000) assert.fail(`services of ${code} stayed busy: ${lists.map((r) => r.text).join(" ")}`)
      await new Promise((res) => setTimeout(res, 25))
    }
  }
  async function customer(name: string, code: string, parent: string, isReseller = false): Promise<void> {
    const r = await s.req('POST', `/orgs/${parent}/customers`, { body: { name, code, isReseller, primaryDomain: `${code.toLowerCase()}.local`, contactName: 'Admin', contactEmail: `admin@${code.toLowerCase()}.local` } })
    assert.equal(r.status, 201, r.text)
    orgs.set(code, r.body.id)
  }
  async function user(code: string, username: string, role = 'member', first = '', last = ''): Promise<string> {
    const r = await s.req('POST', `/orgs/${orgs.get(code)}/members`, { body: { username, password: PASSWORD, role, email: `${username.toLowerCase()}@${code.toLowerCase()}.local`, firstName: first, lastName: last } })
    assert.equal(r.status, 201, r.text)
    return r.body.id
  }
  const set = (inner: string) => `${DECL}<request action="SET" version="1.0">${inner}</request>`

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    const c = await s.req('PUT', '/catalog', { body: CATALOG })
    assert.equal(c.status, 200, c.text)
    await customer('Citrix Service Provider', 'CTSP', s.masterId, true)
    await customer('Cortex Service Provider', 'CSP', s.masterId, true)
    for (const [name, code] of [
      ['ATest Customer', 'ATest'],
      ['ZCSP Customer', 'ZCSP'],
      ['XenApp Test Customer', 'XTC'],
      ['File Test Customer', 'FTC'],
      ['CRC Customer', 'crc'],
      ['Test Customer 01', 'TestCust01'],
      ['Justice League Unlimited', 'JLU'],
    ] as const) await customer(name, code, orgs.get('CSP')!)
    await customer('AA Reseller', 'AA', orgs.get('CSP')!, true)
    await user('CSP', 'cspadmin_CSP', 'admin', 'CSP', 'Admin')
    for (const u of ['user01_CSP', 'FTC_u1_CSP']) await user('CSP', u)
    await user('CSP', 'jocelynb_CSP', 'member', 'Jocelyn', 'Brittain')
    await user('CSP', 'RogerA_CSP', 'member', 'Roger', 'Alborough')
    await user('ATest', 'test_ATest')
    await user('XTC', 'barryh_XTC')
    await user('XTC', 'user1_xtc')
    await user('JLU', 'Donald_E2010')
    await user('JLU', 'Batman_JLU')
    await user('ZCSP', 'admin_ZCSP')
    // The services the seed's GETs read, held as its examples show them.
    await ok(set('<customer><name>CSP</name><service><name>CRM2011</name><instances><instance><name>Site01</name></instance></instances></service><service><name>Sharepoint2010</name><instances><instance><name>Site01</name></instance></instances></service></customer>'))
    await settle('CSP')
    await ok(set('<customer><name>CSP</name><user><name>user01_CSP</name><service><name>CRM2011</name><instances><instance><name>Site01</name></instance></instances></service></user><user><name>FTC_u1_CSP</name><service><name>Sharepoint2010</name></service></user></customer>'))
    await ok(set('<customer><name>FTC</name><service><name>FSS</name></service></customer>'))
    await ok(set('<customer><name>XTC</name><service><name>HostedAppsandDesktops</name></service></customer>'))
    await ok(set('<customer><name>TestCust01</name><service><name>MARCH</name></service></customer>'))
    await ok(set('<customer><name>crc</name><service><name>MySQL</name></service></customer>'))
    await ok(set('<customer><name>JLU</name><service><name>HE</name></service></customer>'))
    await ok(set('<customer><name>ZCSP</name><service><name>MARCH</name></service></customer>'))
    for (const code of ['CSP', 'FTC', 'XTC', 'TestCust01', 'crc', 'JLU', 'ZCSP']) await settle(code)
    await ok(set('<customer><name>XTC</name><user><name>barryh_XTC</name><service><name>HostedAppsandDesktops</name><userplan><name>DESKTOPS</name></userplan><userplan><name>OFFICEAPPS</name></userplan></service></user></customer>'))
    await ok(set('<customer><name>JLU</name><user><name>Donald_E2010</name><service><name>HE</name><userplan><name>EXBASIC</name></userplan></service></user><user><name>Batman_JLU</name><service><name>HE</name><userplan><name>EXFULL</name></userplan></service></user></customer>'))
    await ok(
      set(
        '<customer><name>JLU</name><service><name>HE</name><distributiongroups>' +
          '<distributiongroup><displayname>Heroes</displayname><path>CN=Heroes,OU=Distribution Groups,OU=Justice League Unlimited(JLU),OU=Customers,DC=dev,DC=local</path><syncobjectid>S-1-5-21-1816066181-3380177551-1806815814-1235</syncobjectid><email>heroes@jlu.local</email>' +
          '<members><member><displayname>Superman</displayname><syncobjectid>B5EF275A-D953-4FBC-9E89-B72AC0470278</syncobjectid></member></members></distributiongroup>' +
          '<distributiongroup><displayname>Enemies</displayname><email>enemies@jlu.local</email></distributiongroup>' +
          '<distributiongroup><displayname>Mighty Ones</displayname><email>mighty@jlu.local</email></distributiongroup>' +
          '</distributiongroups></service></customer>',
      ),
    )
    for (const code of ['XTC', 'JLU', 'CSP']) await settle(code)
  })
  after(() => s.close())

  it('answers every request document of the seed as the seed says', async () => {
    const answered = new Set<number>()
    const doc = (i: number): string => {
      answered.add(i)
      return SEED[i]!.text
    }
    const text = (i: number) => SEED[i]!.text
    const fill = (t: string) => t.replace(/<name><\/name>/, '<name>JLU</name>')
    const expectError = async (i: number, body: string, code: number, http = 400): Promise<void> => {
      const r = await post(body)
      assert.equal(r.status, http, `seed line ${SEED[i]!.line}: ${r.text}`)
      assert.equal(r.doc?.error?.id, String(code), `seed line ${SEED[i]!.line}: ${r.text}`)
    }
    const expectOk = async (i: number, body = doc(i), auth?: [string, string]): Promise<any> => {
      answered.add(i)
      const r = await post(body, auth)
      assert.equal(r.status, 200, `seed line ${SEED[i]!.line}:\n${body}\n→ ${r.text}`)
      assert.equal(r.doc?.error, undefined, `seed line ${SEED[i]!.line}: ${r.text}`)
      return r.doc
    }
    assert.equal(SEED.length, 90)

    // The template of every request: its action "x" is no action.
    await expectError(0, doc(0), 5)
    // Creating BAC, as the seed walks through it.
    assert.equal((await post(doc(1))).text, `${DECL}<response version="1.0"/>`)
    await expectOk(2)
    const bac = await expectOk(3)
    assert.match(bac.request.id, /^\d+$/)
    orgs.set('BAC', (await s.req('GET', `/orgs/${orgs.get('CTSP')}/customers`)).body.items.find((o: any) => o.code === 'BAC').id)
    await expectOk(4)
    const users = await expectOk(5)
    assert.deepEqual(users.customer[0].user.map((u: any) => u.name), ['User1'])
    await expectOk(6)
    await settle('BAC')
    await expectOk(7)
    await settle('BAC')
    await expectOk(8)
    await settle('BAC')
    await expectOk(9)
    await settle('BAC')
    await expectOk(10)
    await settle('BAC')
    // "you will get the following error message: Unable to delete the last user from the customer"
    const last = await post(doc(11))
    assert.equal(last.status, 400, last.text)
    assert.equal(last.doc.error.message, 'Unable to delete the last user from the customer')
    // Document 12 (DELETE BAC) runs last: later documents still use BAC.
    await expectOk(13)
    await expectOk(14)
    // "…" stands for the rest of a GET's answer: as printed, not a document.
    await expectError(15, doc(15), 3)
    await expectOk(16)
    await settle('ATest')
    await expectOk(17)
    await settle('ATest')
    for (let i = 18; i <= 23; i++) await expectOk(i)
    // VBScript's string: its doubled quotes and concatenations are the language's, not the document's.
    const vb = doc(24).replace(/" & _\s*"/g, '').replace(/""/g, '"')
    await expectOk(24, vb)
    for (let i = 25; i <= 29; i++) await expectOk(i)
    // Two users in one SET: one parent request with a child each.
    const chainedId = (await expectOk(30)).request.id
    await settle('BAC')
    await expectOk(31)
    await settle('BAC')
    await expectOk(32)
    await settle('BAC')
    for (let i = 33; i <= 43; i++) await expectOk(i)
    // Request 14882 of the seed is this run's two-user SET (a parent request with two children).
    const req = (i: number, id: string) => expectOk(i, doc(i).replace(/14882/g, id))
    const r44 = await req(44, chainedId)
    assert.equal(r44.request.id, chainedId)
    const r45 = await req(45, chainedId)
    assert.equal(r45.request.length ?? 1, 2, JSON.stringify(r45))
    await req(46, chainedId)
    await req(47, chainedId)
    await expectOk(48)
    // The PDF's curly quotes (name=”Name”) are not XML: refused as malformed; with straight quotes, run.
    await expectError(49, doc(49), 3)
    await expectOk(49, text(49).replace(/[”“]/g, '"'))
    await expectOk(50)
    for (let i = 51; i <= 61; i++) await expectOk(i)
    await expectOk(62)
    await settle('ZCSP')
    await expectOk(63)
    await settle('XTC')
    await expectOk(64)
    await settle('XTC')
    await expectOk(65)
    await expectOk(66)
    await expectOk(67, fill(doc(67)))
    await expectOk(68, fill(doc(68)))
    await expectOk(69, fill(doc(69)))
    await expectOk(70)
    await expectOk(71)
    // The templates of a new group and a new contact, filled in.
    const groupTemplate = fill(doc(72))
      .replace('<displayname></displayname>', '<displayname>Villains</displayname>')
      .replace('<syncobjectid></syncobjectid>', '<syncobjectid>S-1-5-21-99</syncobjectid>')
      .replace('<enabled></enabled>', '<enabled>true</enabled>')
      .replace('<path></path>', '<path>CN=Villains,OU=Distribution Groups,DC=dev,DC=local</path>')
      .replace('<email></email>', '<email>villains@jlu.local</email>')
    await expectOk(72, groupTemplate)
    await expectOk(73, fill(doc(73)))
    await expectOk(74, fill(doc(74)))
    const contactTemplate = fill(doc(75))
      .replace('<displayname></displayname>', '<displayname>Lois Lane</displayname>')
      .replace('<email></email>', '<email>lois@dailyplanet.example</email>')
      .replace('<enabled></enabled>', '<enabled>yes</enabled>')
    await expectOk(75, contactTemplate)
    await expectOk(76)
    await expectOk(77)
    await settle('ZCSP')
    for (let i = 78; i <= 83; i++) await expectOk(i)
    // The seed deletes "Group A": make it first, as its own document would.
    await expectOk(83, text(83).replace('Customer Service Approval', 'Group A'))
    await expectOk(84)
    // Two customer-service changes of CSP now wait for the "Customer Service Approval" group.
    const waitA = await ok(set('<customer><name>CSP</name><service><name>FSS</name></service></customer>'))
    const waitB = await ok(set('<customer><name>CSP</name><service><name>MARCH</name></service></customer>'))
    assert.equal((await s.req('GET', `/jobs/${waitA.request.id}`)).body.status, 'pending')
    const list = await expectOk(85)
    const responses = list.customer[0].approvalresponses.approvalresponse
    assert.equal(responses.length, 2, JSON.stringify(list))
    const guidOf = (description: string, username: string): string =>
      responses.find((a: any) => a.description.includes(description)).subscription.find((x: any) => x.user[0].name === username).id
    const jocelynA = guidOf('File Sharing', 'jocelynb_CSP')
    const rogerB = guidOf('Mail Archiving', 'RogerA_CSP')
    const JOCELYN: [string, string] = ['jocelynb_CSP', PASSWORD]
    const ROGER: [string, string] = ['RogerA_CSP', PASSWORD]
    await expectOk(86, doc(86).replace(/b360825a-d7b1-4685-a1cc-ceb94b81fa4a/g, jocelynA), JOCELYN)
    const mine = await expectOk(87, doc(87).replace(/Mickey_CSP/g, 'RogerA_CSP'), ROGER)
    assert.ok(JSON.stringify(mine).includes(rogerB))
    await expectOk(88, doc(88).replace(/Mickey_CSP/g, 'RogerA_CSP').replace(/b360825a-d7b1-4685-a1cc-ceb94b81fa4a/g, rogerB), ROGER)
    await expectOk(89, doc(89).replace(/b360825a-d7b1-4685-a1cc-ceb94b81fa4a/g, jocelynA), JOCELYN)
    await settle('CSP')
    assert.equal((await s.req('GET', `/jobs/${waitA.request.id}`)).body.status, 'succeeded')
    assert.equal((await s.req('GET', `/jobs/${waitB.request.id}`)).body.status, 'succeeded')
    // Last, the seed's DELETE of the customer BAC (after its services are taken back).
    await ok(set('<customer><name>BAC</name><status>NotProvisioned</status></customer>'))
    await settle('BAC')
    await expectOk(12)
    assert.equal((await post(text(1))).text, `${DECL}<response version="1.0"/>`)
    for (let i = 0; i < SEED.length; i++) assert.ok(answered.has(i), `seed document ${i} (line ${SEED[i]!.line}) was not posted`)
  })
})
