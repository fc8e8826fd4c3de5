/**
 * Seed 004's core capabilities at the operations layer, on both databases: password options
 * and expiry, additional and customer properties, a customer's provisioning status, distribution
 * groups, contacts and resource configuration — each rule and each refusal (which changes nothing).
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { DomainError, type ErrorCode } from '../../core/errors.js'
import { importCatalog } from '../catalog/import-catalog.js'
import { createCustomer } from '../orgs/create-customer.js'
import { getOrg } from '../orgs/get-org.js'
import { updateOrg } from '../orgs/update-org.js'
import { setCustomerProvisioning } from '../orgs/set-customer-provisioning.js'
import { createUser } from '../users/create-user.js'
import { getUser } from '../users/get-user.js'
import { updateUser } from '../users/update-user.js'
import { getRequest } from '../requests/get-request.js'
import { provisionCustomerService } from '../services/provision-customer-service.js'
import { provisionUserService } from '../services/provision-user-service.js'
import { getResourceConfiguration } from '../services/get-resource-configuration.js'
import { setResourceConfiguration } from '../services/set-resource-configuration.js'
import { listDistributionGroups } from './list-distribution-groups.js'
import { getDistributionGroup } from './get-distribution-group.js'
import { setDistributionGroup } from './set-distribution-group.js'
import { deleteDistributionGroup } from './delete-distribution-group.js'
import { listUserDistributionGroups } from './list-user-distribution-groups.js'
import { selectUserDistributionGroups } from './select-user-distribution-groups.js'
import { listContacts } from './list-contacts.js'
import { getContact } from './get-contact.js'
import { setContact } from './set-contact.js'
import { deleteContact } from './delete-contact.js'
import { findCustomerService, findUserService, updateCustomerService, updateUserService } from '../../store/services.repo.js'
import { findServiceByName } from '../../store/catalog.repo.js'

/** Asserts `p` rejects with a DomainError of `code` (and the details given). */
async function refuses(p: Promise<unknown>, code: ErrorCode, details?: Record<string, unknown>): Promise<DomainError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof DomainError, String(e))
    assert.equal(e.code, code, e.message)
    for (const [k, v] of Object.entries(details ?? {})) assert.equal(e.details?.[k], v, `${k} of ${e.message}`)
    return e
  }
  assert.fail(`expected ${code}`)
}

eachDialect('seed 004 core operations', (dialect) => {
  let f: OpsFixture
  let org: string
  let user: string

  before(async () => {
    f = await opsFixture(dialect)
    await importCatalog(f.master, { document: { services: [{ name: 'HE', displayName: 'Hosted Exchange', plans: [{ name: 'EXBASIC' }] }, { name: 'MySQL' }, { name: 'FSS' }] } })
    org = (await createCustomer(f.master, { parentId: f.masterId, name: 'Justice League Unlimited' })).id
    user = (await createUser(f.master, { orgId: org, username: `batman_jlu_${dialect}`, password: 'bat-password-1', role: 'admin', email: 'batman@jlu.test' })).id
  })
  after(() => f.close())

  /** Provisions `service` to the customer (and to `users`), marked Provisioned as a finished job would. */
  async function hold(service: string, users: string[] = []): Promise<void> {
    await provisionCustomerService(f.master, { orgId: org, service })
    const s = (await findServiceByName(f.deps.store.db, service))!
    const cs = (await findCustomerService(f.deps.store.db, org, s.id))!
    await updateCustomerService(f.deps.store.db, cs.id, { status: 'Provisioned' })
    for (const u of users) {
      await provisionUserService(f.master, { orgId: org, userId: u, service })
      const us = (await findUserService(f.deps.store.db, u, cs.id))!
      await updateUserService(f.deps.store.db, us.id, { status: 'Provisioned' })
    }
  }

  it('password options: set on create and update, NEVER refused where passwords must expire, malformed days refused', async () => {
    const u = await createUser(f.master, {
      orgId: org,
      username: `user1_jlu_${dialect}`,
      password: 'Hello123-long',
      changePasswordAtNextLogon: true,
      passwordExpiresAt: 'NEVER',
      accountExpiresAt: '2031-02-28',
    })
    assert.deepEqual([u.changePasswordAtNextLogon, u.passwordExpiresAt, u.accountExpiresAt], [true, null, '2031-02-28'])
    await refuses(updateUser(f.master, { orgId: org, userId: u.id, passwordExpiresAt: '2030-02-30' }), 'invalid_argument', { field: 'password.expires' })
    await refuses(updateUser(f.master, { orgId: org, userId: u.id, accountExpiresAt: 'tomorrow' }), 'invalid_argument', { field: 'accountExpires' })
    const changed = await updateUser(f.master, { orgId: org, userId: u.id, passwordExpiresAt: '2030-01-31' })
    assert.equal(changed.passwordExpiresAt, '2030-01-31')

    await updateOrg(f.master, { orgId: org, passwordNeverExpiresAllowed: false })
    assert.equal((await getOrg(f.master, { orgId: org })).passwordNeverExpiresAllowed, false)
    const e = await refuses(updateUser(f.master, { orgId: org, userId: u.id, passwordExpiresAt: 'never', firstName: 'Bruce' }), 'failed_precondition', { field: 'password.expires' })
    assert.equal(e.message, 'passwords of this customer must expire')
    await refuses(createUser(f.master, { orgId: org, username: `user2_jlu_${dialect}`, password: 'Hello123-long', passwordExpiresAt: null }), 'failed_precondition', { field: 'password.expires' })
    const after = await getUser(f.master, { orgId: org, userId: u.id })
    assert.deepEqual([after.firstName, after.passwordExpiresAt], ['', '2030-01-31'], 'a refused change changes nothing')
    await updateOrg(f.master, { orgId: org, passwordNeverExpiresAllowed: true })

    // The user may not change its own options, and changing its own password clears the flag.
    const self = await f.as(`user1_jlu_${dialect}`)
    await refuses(updateUser(self, { orgId: org, userId: u.id, changePasswordAtNextLogon: false }), 'forbidden')
    const own = await updateUser(self, { orgId: org, userId: u.id, password: 'a-new-password-1', currentPassword: 'Hello123-long' })
    assert.equal(own.changePasswordAtNextLogon, false)
    const byAdmin = await updateUser(f.master, { orgId: org, userId: u.id, password: 'admin-set-pass-1', changePasswordAtNextLogon: true })
    assert.equal(byAdmin.changePasswordAtNextLogon, true)
  })

  it('additional and customer properties merge, an empty value removes, bad names and values change nothing', async () => {
    const u = await updateUser(f.master, { orgId: org, userId: user, additionalProperties: { department: 'Heroes', 'extensionAttribute.1': 'x' } })
    assert.deepEqual(u.additionalProperties, { department: 'Heroes', 'extensionAttribute.1': 'x' })
    const merged = await updateUser(f.master, { orgId: org, userId: user, additionalProperties: { department: '', title: 'Knight' } })
    assert.deepEqual(merged.additionalProperties, { 'extensionAttribute.1': 'x', title: 'Knight' })
    await refuses(updateUser(f.master, { orgId: org, userId: user, additionalProperties: { title: 'y'.repeat(1001) } }), 'invalid_argument', { field: 'property.title' })
    await refuses(updateUser(f.master, { orgId: org, userId: user, additionalProperties: { 'bad name': 'v' } }), 'invalid_argument', { field: 'property' })
    const many = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`p${i}`, 'v']))
    await refuses(updateUser(f.master, { orgId: org, userId: user, additionalProperties: many }), 'invalid_argument', { field: 'property' })
    assert.deepEqual((await getUser(f.master, { orgId: org, userId: user, withProperties: true })).additionalProperties, { 'extensionAttribute.1': 'x', title: 'Knight' })
    assert.equal('additionalProperties' in (await getUser(f.master, { orgId: org, userId: user })), false)

    const o = await updateOrg(f.master, { orgId: org, customerProperties: { Region: 'EU', Tier: 'Gold' } })
    assert.deepEqual(o.customerProperties, { Region: 'EU', Tier: 'Gold' })
    await refuses(updateOrg(f.master, { orgId: org, name: 'Renamed', customerProperties: { Tier: 'z'.repeat(1001) } }), 'invalid_argument', { field: 'property.Tier' })
    const read = await getOrg(f.master, { orgId: org, withProperties: true })
    assert.deepEqual([read.name, read.customerProperties], ['Justice League Unlimited', { Region: 'EU', Tier: 'Gold' }])
  })

  it('not_found names its resource', async () => {
    await refuses(getOrg(f.master, { orgId: '00000000-0000-4000-8000-000000000000' }), 'not_found', { resource: 'customer' })
    await refuses(getUser(f.master, { orgId: org, userId: '00000000-0000-4000-8000-000000000000' }), 'not_found', { resource: 'user' })
    await refuses(getRequest(f.master, { ref: '999999' }), 'not_found', { resource: 'request' })
    await refuses(listDistributionGroups(f.master, { orgId: org, service: 'NoSuchService' }), 'not_found', { resource: 'service' })
  })

  it('distribution groups: set merges, filters by prefix, pages, lists members on request; users select in and out', async () => {
    await refuses(listDistributionGroups(f.master, { orgId: org, service: 'HE' }), 'not_found', { resource: 'service' })
    await hold('HE', [user])
    const heroes = await setDistributionGroup(f.master, {
      orgId: org,
      service: 'HE',
      group: {
        displayName: 'Heroes',
        path: 'CN=Heroes,OU=Distribution Groups,OU=JLU,DC=dev,DC=local',
        email: 'Heroes@jlu.test',
        syncObjectId: 'S-1-5-21-1',
        emailAddresses: ['smtp:heroes@jlu.test'],
        members: [{ displayName: 'Superman', syncObjectId: 'B5EF275A', email: 'clark@jlu.test' }],
        owners: [{ userId: user }],
      },
    })
    assert.equal(heroes.created, true)
    assert.equal(heroes.group.members!.length, 1)
    await setDistributionGroup(f.master, { orgId: org, service: 'HE', group: { displayName: 'Enemies', email: 'enemies@jlu.test' } })
    await setDistributionGroup(f.master, { orgId: org, service: 'HE', group: { displayName: 'Marketing', email: 'mail@jlu.test' } })
    // Merge by syncObjectId: the fields given change, the lists not given stay.
    const merged = await setDistributionGroup(f.master, { orgId: org, service: 'HE', group: { syncObjectId: 'S-1-5-21-1', mailTip: 'Save the day' } })
    assert.deepEqual([merged.created, merged.group.displayName, merged.group.mailTip, merged.group.members!.length], [false, 'Heroes', 'Save the day', 1])

    const all = await listDistributionGroups(f.master, { orgId: org, service: 'HE' })
    assert.deepEqual(all.items.map((g) => g.displayName), ['Enemies', 'Heroes', 'Marketing'])
    assert.equal(all.items[0]!.members, undefined, 'members come only when asked')
    const m = await listDistributionGroups(f.master, { orgId: org, service: 'HE', displayNameFilter: 'm', emailFilter: 'M' })
    assert.deepEqual(m.items.map((g) => g.displayName), ['Marketing'])
    const page2 = await listDistributionGroups(f.master, { orgId: org, service: 'HE', pageIndex: 2, pageSize: 2, withMembers: true })
    assert.deepEqual([page2.total, page2.items.map((g) => g.displayName), page2.items[0]!.members], [3, ['Marketing'], []])
    await refuses(listDistributionGroups(f.master, { orgId: org, service: 'HE', pageSize: 1001 }), 'invalid_argument')

    const byPath = await getDistributionGroup(f.master, { orgId: org, service: 'HE', path: heroes.group.path, withMembers: true })
    assert.deepEqual([byPath.id, byPath.owners![0]!.userId], [heroes.group.id, user])
    await refuses(getDistributionGroup(f.master, { orgId: org, service: 'HE', displayName: 'Nobody' }), 'not_found', { resource: 'distributiongroup' })

    // Refusals change nothing.
    await refuses(setDistributionGroup(f.master, { orgId: org, service: 'HE', group: { path: 'CN=new' } }), 'invalid_argument', { field: 'displayName' })
    await refuses(setDistributionGroup(f.master, { orgId: org, service: 'HE', group: { syncObjectId: 'S-1-5-21-1', mailTip: 'x', members: [{ userId: f.master.actor.userId }] } }), 'invalid_argument', { field: 'members' })
    await refuses(setDistributionGroup(f.master, { orgId: org, service: 'HE', group: { displayName: 'Enemies', syncObjectId: 'S-1-5-21-1' } }), 'already_exists')
    const still = await getDistributionGroup(f.master, { orgId: org, service: 'HE', syncObjectId: 'S-1-5-21-1' })
    assert.deepEqual([still.displayName, still.mailTip], ['Heroes', 'Save the day'])
    assert.equal((await listDistributionGroups(f.master, { orgId: org, service: 'HE' })).total, 3)

    const sel = await selectUserDistributionGroups(f.master, { orgId: org, userId: user, service: 'HE', groups: [{ path: heroes.group.path, selected: true }, { displayName: 'enemies', selected: false }] })
    assert.deepEqual(sel.items.map((g) => g.displayName), ['Heroes'])
    await refuses(
      selectUserDistributionGroups(f.master, { orgId: org, userId: user, service: 'HE', groups: [{ displayName: 'Marketing', selected: true }, { displayName: 'Nobody', selected: true }] }),
      'not_found',
      { resource: 'distributiongroup' },
    )
    assert.deepEqual((await listUserDistributionGroups(f.master, { orgId: org, userId: user, service: 'HE' })).items.map((g) => g.displayName), ['Heroes'])
    await selectUserDistributionGroups(f.master, { orgId: org, userId: user, service: 'HE', groups: [{ displayName: 'Heroes', selected: false }] })
    assert.equal((await listUserDistributionGroups(f.master, { orgId: org, userId: user, service: 'HE' })).total, 0)
    const other = (await createUser(f.master, { orgId: org, username: `robin_jlu_${dialect}`, password: 'robin-password-1' })).id
    await refuses(listUserDistributionGroups(f.master, { orgId: org, userId: other, service: 'HE' }), 'not_found', { resource: 'service' })

    // A member may not change the customer's groups.
    const member = await f.as(`robin_jlu_${dialect}`, 'member')
    await refuses(setDistributionGroup(member, { orgId: org, service: 'HE', group: { displayName: 'Mine' } }), 'forbidden')
    await deleteDistributionGroup(f.master, { orgId: org, service: 'HE', displayName: 'Marketing' })
    assert.equal((await listDistributionGroups(f.master, { orgId: org, service: 'HE' })).total, 2)
  })

  it('contacts: set merges, filters by display name and sync id, get and delete', async () => {
    const a = await setContact(f.master, { orgId: org, service: 'HE', contact: { displayName: 'Alfred', syncObjectId: 'ABC-1', email: 'alfred@manor.test', city: 'Gotham' } })
    assert.equal(a.created, true)
    await setContact(f.master, { orgId: org, service: 'HE', contact: { displayName: 'Gordon', syncObjectId: 'XYZ-2' } })
    const b = await setContact(f.master, { orgId: org, service: 'HE', contact: { syncObjectId: 'ABC-1', jobTitle: 'Butler' } })
    assert.deepEqual([b.created, b.contact.city, b.contact.jobTitle, b.contact.email], [false, 'Gotham', 'Butler', 'alfred@manor.test'])
    assert.deepEqual((await listContacts(f.master, { orgId: org, service: 'HE', syncFilter: 'abc' })).items.map((c) => c.displayName), ['Alfred'])
    assert.deepEqual((await listContacts(f.master, { orgId: org, service: 'HE', displayNameFilter: 'G' })).items.map((c) => c.displayName), ['Gordon'])
    await refuses(setContact(f.master, { orgId: org, service: 'HE', contact: { displayName: 'Gordon', syncObjectId: 'ABC-1' } }), 'already_exists')
    assert.equal((await getContact(f.master, { orgId: org, service: 'HE', syncObjectId: 'ABC-1' })).displayName, 'Alfred')
    await deleteContact(f.master, { orgId: org, service: 'HE', displayName: 'gordon' })
    await refuses(getContact(f.master, { orgId: org, service: 'HE', displayName: 'Gordon' }), 'not_found', { resource: 'contact' })
    await refuses(listContacts(f.master, { orgId: org, service: 'FSS' }), 'not_found', { resource: 'service' })
  })

  it('resource configuration merges and refuses bad names', async () => {
    await refuses(getResourceConfiguration(f.master, { orgId: org, service: 'MySQL' }), 'not_found', { resource: 'service' })
    await hold('MySQL')
    assert.deepEqual(await setResourceConfiguration(f.master, { orgId: org, service: 'MySQL', values: { MaxDatabases: '5', Server: 'db01' } }), { MaxDatabases: '5', Server: 'db01' })
    assert.deepEqual(await setResourceConfiguration(f.master, { orgId: org, service: 'MySQL', values: { Server: '' } }), { MaxDatabases: '5' })
    await refuses(setResourceConfiguration(f.master, { orgId: org, service: 'MySQL', values: { MaxDatabases: '6', 'no/slash': '1' } }), 'invalid_argument')
    assert.deepEqual(await getResourceConfiguration(f.master, { orgId: org, service: 'MySQL' }), { MaxDatabases: '5' })
  })

  it("customer provisioning: one request with a job per held service; bad status and services in flight change nothing", async () => {
    await refuses(setCustomerProvisioning(f.master, { orgId: org, status: 'Sideways' }), 'invalid_argument', { field: 'status' })
    await refuses(setCustomerProvisioning(f.master, { orgId: org, status: 'Failed' }), 'invalid_argument', { field: 'status' })
    // The customer cannot deprovision itself.
    await refuses(setCustomerProvisioning(await f.as(`batman_jlu_${dialect}`), { orgId: org, status: 'NotProvisioned' }), 'forbidden')
    const out = await setCustomerProvisioning(f.master, { orgId: org, status: 'Notprovisioned' })
    assert.equal(out.org.provisioningStatus, 'NotProvisioned')
    // HE (customer and one user) and MySQL: three jobs of one request.
    assert.equal(out.jobGuids.length, 3)
    assert.equal(new Set(out.jobGuids).size, 3)
    const req = await getRequest(f.master, { ref: out.requestGuid })
    assert.ok(req)
    const he = (await findServiceByName(f.deps.store.db, 'HE'))!
    const cs = (await findCustomerService(f.deps.store.db, org, he.id))!
    assert.deepEqual([cs.status, cs.desired], ['Requested', 'notprovisioned'])
    // While those jobs are under way, another change is refused and changes nothing.
    await refuses(setCustomerProvisioning(f.master, { orgId: org, status: 'NotProvisioned' }), 'conflict')
    const back = await setCustomerProvisioning(f.master, { orgId: org, status: 'provisioned' })
    assert.deepEqual([back.org.provisioningStatus, back.jobGuids], ['Provisioned', []])
    assert.equal((await findCustomerService(f.deps.store.db, org, he.id))!.desired, 'notprovisioned', 'services are not provisioned again')
  })
})
