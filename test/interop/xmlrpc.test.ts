import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { domainToASCII, fileURLToPath } from 'node:url'
import { ADMIN_PASSWORD, eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { python3 } from '../helpers/programs.js'
import { validateXsd } from '../helpers/xsd.js'

const PYTHON = python3()
const SCRIPT = fileURLToPath(new URL('./xmlrpc_client.py', import.meta.url))
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function runClient(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

eachDialect("Python's xmlrpc.client against the XML-RPC face (seed 000)", (dialect) => {
  let s: TestServer
  let summary: any
  let restCustomer: string
  let spacesCustomer: string
  let account: string
  let group: string

  before(async () => {
    s = await startServer(dialect, { worker: false })
    restCustomer = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'REST Customer', city: 'Antwerpen' } })).body.id
    spacesCustomer = (await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Spaces Customer' } })).body.id
    const p = await s.req('POST', '/cloud-providers', { body: { name: 'XML-RPC Cloud', requiredCredentials: ['token'] } })
    assert.equal(p.status, 201, p.text)
    assert.equal((await s.req('POST', `/orgs/${spacesCustomer}/cloud-providers`, { body: { providerId: p.body.id } })).status < 300, true)
    const a = await s.req('POST', `/orgs/${spacesCustomer}/cloud-accounts`, { body: { providerId: p.body.id, name: 'space one', servers: 2 } })
    assert.equal(a.status, 201, a.text)
    account = a.body.id
    const g = await s.req('POST', `/orgs/${s.masterId}/groups`, { body: { name: 'Operators', description: 'run things' } })
    assert.equal(g.status, 201, g.text)
    group = g.body.id
    const u = new URL(s.base)
    const url = `http://admin:${encodeURIComponent(ADMIN_PASSWORD)}@${u.host}/appserver/xmlrpc`
    const wrong = `http://admin:not-the-password@${u.host}/appserver/xmlrpc`
    const out = await runClient([url, wrong], { GROUP_GUID: group, SPACES_CUSTOMER: spacesCustomer, REST_CUSTOMER: restCustomer, DOMAIN: `bücher-${dialect}.example` })
    assert.equal(out.code, 0, `client failed: ${out.stderr}`)
    summary = JSON.parse(out.stdout)
  })
  after(() => s.close())

  it('lists the statuses and the capacity unit types', () => {
    assert.deepEqual(summary.statuses, ['ACTIVE', 'CONFIGURED', 'DISABLED'])
    assert.deepEqual(summary.unit_types, ['CU', 'LV', 'MU', 'NBU', 'NUIPPORTS', 'NUM', 'SUA', 'SUP', 'WV'])
  })

  it('creates customers that REST sees, and lists what REST created', async () => {
    assert.match(summary.created, GUID)
    assert.match(summary.create_jobguid, GUID)
    const job = await s.req('GET', `/jobs/${summary.create_jobguid}`)
    assert.equal(job.status, 200, job.text)
    assert.equal(job.body.operation, 'customer.create')
    const kept = await s.req('GET', `/orgs/${summary.kept}`)
    assert.equal(kept.status, 200)
    assert.equal(kept.body.name, 'Python Kept Customer')
    assert.equal(kept.body.description, 'stays for REST to see')
    assert.deepEqual(summary.list_rest_customer, [restCustomer])
    assert.equal(summary.list_all_has_both, true)
    assert.deepEqual(summary.list_named, [summary.created])
  })

  it('answers list rows with the PyLabs fields, unicode and markup intact', () => {
    assert.deepEqual(summary.list_row, {
      guid: summary.created,
      name: 'Python Customer',
      description: 'made by <python> & é😀',
      address: 'Main St 1',
      city: 'Gent',
      country: 'BE',
      status: 'ACTIVE',
    })
  })

  it('finds by name and status', () => {
    assert.deepEqual(summary.find_by_name, [summary.created])
    assert.equal(summary.find_active_has, true)
    assert.ok(summary.find_configured.includes(summary.created))
    assert.equal(summary.find_active_after, false)
  })

  it('leaves every field passed as an empty string unchanged', () => {
    assert.equal(summary.after_update.name, 'Python Customer')
    assert.equal(summary.after_update.description, 'a new description')
    assert.equal(summary.after_update.address, 'Main St 1')
    assert.equal(summary.after_update.city, 'Brugge')
    assert.equal(summary.after_update.country, 'BE')
  })

  it('sets the status', () => {
    assert.equal(summary.set_status, true)
    assert.equal(summary.status_after_set, 'CONFIGURED')
  })

  it('adds, lists and removes capacity by unit type', () => {
    assert.deepEqual(summary.capacity_adds, [true, true, true, true])
    const c = summary.capacity
    assert.equal(c.customerguid, summary.created)
    assert.deepEqual(
      c.capacityavailable.map((e: any) => [e.amount, e.capacityunittype, e.name]),
      [
        [10, 'CU', 'cpu'],
        [5, 'CU', 'more cpu'],
        [200, 'SUP', 'disk'],
      ],
    )
    assert.deepEqual(c.capacityconsumed, [{ amount: 4, capacityunittype: 'CU', name: 'used cpu', description: '' }])
    assert.equal(summary.remove_available, true)
    assert.equal(summary.remove_consumed, true)
    assert.deepEqual(summary.capacity_after_remove.capacityavailable, [{ amount: 200, capacityunittype: 'SUP', name: 'disk', description: 'primary storage' }])
    assert.deepEqual(summary.capacity_after_remove.capacityconsumed, [])
  })

  it('hands a cloud user group to the customer, lists and removes it', async () => {
    assert.equal(summary.add_group, true)
    assert.deepEqual(summary.groups, [{ cloudusergroupguid: group, name: 'Operators', description: 'run things' }])
    assert.equal(summary.remove_group, true)
    assert.deepEqual(summary.groups_after, [])
    assert.equal((await s.req('GET', `/orgs/${s.masterId}/groups`)).body.items.length, 0)
  })

  it('registers and unregisters a domain in punycode, never echoing the portal password', async () => {
    assert.equal(summary.register_domain, true)
    assert.match(summary.register_jobguid, GUID)
    const domains = summary.root_after_register.domains.map((d: any) => d.name)
    assert.deepEqual(domains, [domainToASCII(`bücher-${dialect}.example`)])
    assert.match(String(domains[0]), /^xn--/)
    assert.equal(summary.register_again_by_other[0], 409)
    assert.equal(summary.unregister_domain, true)
    assert.equal(JSON.stringify(summary).includes('portal-password-never-echoed'), false)
    const job = await s.req('GET', `/jobs/${summary.register_jobguid}`)
    assert.equal(job.status, 200)
    assert.equal(job.text.includes('portal-password-never-echoed'), false)
  })

  it("lists a customer's cloud accounts as its cloud spaces", () => {
    assert.equal(summary.cloud_spaces.length, 1)
    assert.equal(summary.cloud_spaces[0].cloudspaceguid, account)
    assert.equal(summary.cloud_spaces[0].name, 'space one')
    assert.deepEqual(summary.cloud_spaces_none, [])
  })

  it('exports the root object as YAML, XML that validates against getXMLSchema, and JSON', () => {
    assert.match(summary.yaml, /Python Customer/)
    assert.equal(summary.object.guid, summary.created)
    assert.equal(summary.object.name, 'Python Customer')
    assert.deepEqual(summary.object.capacity.available.map((e: any) => e.capacityunittype), ['SUP'])
    const r = validateXsd(summary.xml, summary.xsd)
    assert.equal(r.ok, true, r.errors.join('\n'))
  })

  it('answers faults with the documented codes', () => {
    assert.equal(summary.fault_unknown_method[0], -32601)
    assert.equal(summary.fault_wrong_type[0], -32602)
    assert.match(summary.fault_wrong_type[1], /amount must be an int/)
    assert.equal(summary.fault_too_many[0], -32602)
    assert.equal(summary.fault_missing[0], -32602)
    assert.equal(summary.fault_unknown_unit[0], 400)
    assert.equal(summary.fault_bad_status[0], 400)
    assert.equal(summary.fault_not_found[0], 404)
    assert.deepEqual(summary.fault_user_errormsg, [404, 'Could not change that customer'])
    assert.equal(summary.fault_duplicate[0], 409)
  })

  it('answers a wrong password with HTTP 401', () => {
    assert.equal(summary.wrong_password, 401)
  })

  it('deletes a customer', async () => {
    assert.equal(summary.delete, true)
    assert.deepEqual(summary.list_after_delete, [])
    assert.deepEqual(summary.find_after_delete, [])
    assert.equal((await s.req('GET', `/orgs/${summary.created}`)).body.status, 'deleted')
  })
})
