import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError } from '../../core/errors.js'
import { importCatalog } from '../catalog/import-catalog.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { updateUser } from '../users/update-user.js'
import { provisionCustomerService } from '../services/provision-customer-service.js'
import { provisionUserService } from '../services/provision-user-service.js'
import { getCustomerService } from '../services/get-customer-services.js'
import { getRequest } from '../requests/get-request.js'
import { setApprovalProviders } from './set-approval-providers.js'
import { getApprovalProviders } from './get-approval-providers.js'
import { listApprovals, listUserApprovals } from './list-approvals.js'
import { getApproval } from './get-approval.js'
import { decideApproval } from './decide-approval.js'
import { sweepApprovals } from './sweep-approvals.js'

const DAY = 86_400_000

eachDialect('approval operations', (dialect) => {
  let f: OpsFixture
  let orgId: string
  let userIds: Record<string, string>
  before(async () => {
    f = await opsFixture(dialect)
    await importCatalog(f.master, { document: { services: [{ name: 'HE', displayName: 'Hosted Exchange', plans: [{ name: 'EXBASIC', userlimit: 5 }] }, { name: 'FSS', plans: [{ name: 'FULL' }] }], locations: [] } })
    orgId = (await createCustomer(f.master, { parentId: f.masterId, name: 'Ops Approval Customer' })).id
    userIds = {}
    for (const u of ['jocelyn', 'roger', 'steve']) {
      userIds[u] = (await createUser(f.master, { orgId, username: `${u}_${dialect}`, password: 'a-long-password-1', firstName: u })).id
    }
  })
  after(() => f.close())

  const jobsOf = async (requestGuid: string) =>
    f.deps.store.db.selectFrom('jobs').innerJoin('requests', 'requests.id', 'jobs.request_id').select(['jobs.status']).where('requests.guid', '=', requestGuid).execute()

  it('holds a subscribed event (held job, pending request) and releases it to the queue on acceptance', async () => {
    await setApprovalProviders(f.master, { orgId, groups: [{ name: 'CS', members: [`jocelyn_${dialect}`], subscriptions: { services: [{ label: 'Hosted Exchange', subscriptions: [{ name: 'Provision', access: 'Object' }] }] } }] })
    const out = await provisionCustomerService(f.master, { orgId, service: 'HE' })
    assert.equal(out.service.status, 'Pending')
    assert.equal(out.service.approvalPending, true)
    const guid = out.service.requestGuid!
    assert.deepEqual(await jobsOf(guid), [{ status: 'held' }])
    assert.equal((await getRequest(f.master, { ref: guid })).status, 'pending')
    // FSS is not subscribed: queued at once, as before.
    const fss = await provisionCustomerService(f.master, { orgId, service: 'FSS' })
    assert.equal(fss.service.approvalPending, false)
    assert.deepEqual(await jobsOf(fss.service.requestGuid!), [{ status: 'queued' }])

    const [a] = await listApprovals(f.master, { orgId, status: 'Pending' })
    assert.ok(a)
    assert.equal(a.event.object, 'services')
    const jocelyn = await f.as(`jocelyn_${dialect}`)
    const roger = await f.as(`roger_${dialect}`)
    const rid = a.subscriptions[0]!.id
    await assert.rejects(getApproval(roger, { id: rid }), (e) => isDomainError(e, 'not_found'))
    await assert.rejects(decideApproval(roger, { id: rid, status: 'Accepted' }), (e) => isDomainError(e, 'not_found'))
    await assert.rejects(decideApproval(jocelyn, { id: rid, status: 'Accepted', orgId: f.masterId }), (e) => isDomainError(e, 'not_found'))
    assert.equal((await listUserApprovals(roger, {})).length, 0)
    const done = await decideApproval(jocelyn, { id: rid, status: 'Accepted', reason: 'fine', orgId, userId: userIds.jocelyn })
    assert.equal(done.status, 'Accepted')
    assert.deepEqual(await jobsOf(guid), [{ status: 'queued' }])
    assert.equal((await getRequest(f.master, { ref: guid })).status, 'queued')
    await assert.rejects(decideApproval(jocelyn, { id: rid, status: 'Rejected' }), (e) => isDomainError(e, 'failed_precondition') && /already answered/.test(e.message))
  })

  it('a refused user-service provision gives its place under the user limit back', async () => {
    // Make HE provisioned, as the worker would.
    await f.deps.store.db.updateTable('customer_services').set({ status: 'Provisioned' }).where('org_id', '=', orgId).execute()
    await setApprovalProviders(f.master, { orgId, managers: { configuration: { timeoutDays: 2 }, subscriptions: { userServices: [{ label: 'All', subscriptions: [{ name: 'Provision', access: 'Object' }] }] } } })
    // No manager, and no owner or admin in the customer: nobody could approve, so it is refused and nothing changes.
    await assert.rejects(provisionUserService(f.master, { orgId, userId: userIds.steve!, service: 'HE' }), (e) => isDomainError(e, 'failed_precondition') && /nobody to approve/.test(e.message))
    assert.equal((await getCustomerService(f.master, { orgId, service: 'HE' })).usersCount, 0)
    await updateUser(f.master, { orgId, userId: userIds.steve!, managerUserId: userIds.roger! })
    const out = await provisionUserService(f.master, { orgId, userId: userIds.steve!, service: 'HE' })
    assert.equal(out.service.status, 'Pending')
    assert.equal(out.service.approvalPending, true)
    assert.equal((await getCustomerService(f.master, { orgId, service: 'HE' })).usersCount, 1)
    assert.deepEqual((await listUserApprovals(await f.as(`roger_${dialect}`), {}))[0]!.subscriptions.map((x) => x.user.id), [userIds.roger])
    // The sweep with a clock 2 days on times it out.
    const swept = await sweepApprovals({ ...f.deps, clock: () => Date.now() + 2 * DAY + 1000 })
    assert.equal(swept.timedOut, 1)
    const cs = await getCustomerService(f.master, { orgId, service: 'HE' })
    assert.equal(cs.usersCount, 0)
    assert.equal(cs.userPlans[0]!.usersCount, 0)
    const req = await getRequest(f.master, { ref: out.service.requestGuid! })
    assert.equal(req.status, 'failed')
    assert.equal(req.error, 'approval timed out after 2 days')
  })

  it('refuses bad provider input and changes nothing', async () => {
    const before = await getApprovalProviders(f.master, { orgId })
    for (const input of [
      { orgId, managers: { configuration: { reminderDays: -2 } } },
      { orgId, groups: [{ name: 'X', members: ['ghost'] }] },
      { orgId, groups: [{ name: 'X', members: [`roger_${dialect}`], configuration: { membersToApprove: 3 } }] },
    ]) {
      await assert.rejects(setApprovalProviders(f.master, input as never), (e) => isDomainError(e, 'invalid_argument'))
    }
    assert.deepEqual(await getApprovalProviders(f.master, { orgId }), before)
  })
})
