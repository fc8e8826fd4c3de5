import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import type { Ctx } from '../context.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { createPlan } from '../plans/create-plan.js'
import { createSubscription } from '../subscriptions/create-subscription.js'
import { getRequest } from '../requests/get-request.js'
import { setApprovalProviders } from '../approvals/set-approval-providers.js'
import { getApprovalProviders } from '../approvals/get-approval-providers.js'
import { listApprovals } from '../approvals/list-approvals.js'
import { decideApproval } from '../approvals/decide-approval.js'
import { requestCancellation } from './request-cancellation.js'
import { withdrawCancellation } from './withdraw-cancellation.js'
import { getCancellation } from './get-cancellation.js'
import { listCancellations } from './list-cancellations.js'
import { sweepCancellations } from './sweep-cancellations.js'

const refuses = (code: ErrorCode, re?: RegExp) => (e: unknown) => isDomainError(e, code) && (!re || re.test((e as Error).message))
/** 2026-12-15T12:00Z: the billing period (December 2026, UTC) ends at 2027-01-01T00:00Z. */
const MID_DEC = Date.UTC(2026, 11, 15, 12)
const END_DEC = Date.UTC(2027, 0, 1)
const at = (c: Ctx, t: number): Ctx => ({ ...c, clock: () => t })

eachDialect('cancellation operations', (dialect) => {
  let f: OpsFixture
  let reseller: string
  let custA: string
  let custB: string
  let adminA: Ctx
  let adminB: Ctx
  let memberA: Ctx
  let resellerAdmin: Ctx
  let bossA: string
  before(async () => {
    f = await opsFixture(dialect)
    reseller = (await createCustomer(f.master, { parentId: f.masterId, name: 'Cancel Reseller', isReseller: true })).id
    custA = (await createCustomer(f.master, { parentId: reseller, name: 'Cancel Customer A' })).id
    custB = (await createCustomer(f.master, { parentId: reseller, name: 'Cancel Customer B' })).id
    const mk = async (orgId: string, username: string, role: 'admin' | 'member') => {
      await createUser(f.master, { orgId, username: `${username}_${dialect}`, password: 'a-long-password-1', role })
      return f.as(`${username}_${dialect}`)
    }
    adminA = await mk(custA, 'cancel_admin_a', 'admin')
    bossA = adminA.actor.userId
    adminB = await mk(custB, 'cancel_admin_b', 'admin')
    memberA = await mk(custA, 'cancel_member_a', 'member')
    resellerAdmin = await mk(reseller, 'cancel_reseller_admin', 'admin')
  })
  after(() => f.close())

  const liveSubs = async (orgId: string) =>
    (await f.deps.store.db.selectFrom('subscriptions').select('status').where('subscriber_id', '=', orgId).execute()).filter((s) => s.status !== 'deleted').length

  it('without approvals: approved at once, effective at the end of the month; the sweep then cancels and ends the subscriptions', async () => {
    const c = await createCustomer(f.master, { parentId: f.masterId, name: 'Cancel Subscriber' })
    const plan = await createPlan(f.master, { orgId: f.masterId, name: 'Cancel Plan' })
    await createSubscription(f.master, { orgId: f.masterId, customerOrgId: c.id, planId: plan.id })
    await createSubscription(f.master, { orgId: f.masterId, customerOrgId: c.id, planId: plan.id })
    assert.equal(await liveSubs(c.id), 2)

    const out = await requestCancellation(at(f.master, MID_DEC), { orgId: c.id, reason: '  moving elsewhere  ' })
    assert.equal(out.status, 'approved')
    assert.equal(out.approvalPending, false)
    assert.equal(out.reason, 'moving elsewhere')
    assert.equal(out.effectiveAt, new Date(END_DEC).toISOString())
    assert.equal(out.requestedBy, f.master.actor.userId)
    const req = await getRequest(f.master, { ref: out.requestGuid })
    assert.equal(req.operation, 'cancellation.request')
    assert.equal(req.status, 'succeeded')

    // Before the end of the period nothing happens.
    assert.equal(await sweepCancellations({ ...f.deps, clock: () => END_DEC - 1 }), 0)
    assert.equal((await getCancellation(f.master, { id: out.id })).status, 'approved')
    assert.equal(await liveSubs(c.id), 2)

    assert.equal(await sweepCancellations({ ...f.deps, clock: () => END_DEC }), 1)
    const done = await getCancellation(f.master, { id: out.id })
    assert.equal(done.status, 'cancelled')
    assert.equal(done.closedAt, new Date(END_DEC).toISOString())
    assert.equal(await liveSubs(c.id), 0)
    // Swept again: nothing more.
    assert.equal(await sweepCancellations({ ...f.deps, clock: () => END_DEC + 1000 }), 0)
    const parent = await getRequest(f.master, { ref: out.requestGuid })
    assert.ok(JSON.stringify(parent).includes('2 subscriptions ended'), JSON.stringify(parent))
    // A cancelled customer may ask again later (the earlier one is closed).
    const again = await requestCancellation(f.master, { orgId: c.id, reason: 'again' })
    assert.equal(again.status, 'approved')
    assert.deepEqual((await listCancellations(f.master, { orgId: c.id })).map((x) => x.status).sort(), ['approved', 'cancelled'])
  })

  it('with an approval provider: requested until accepted (approved) or rejected (rejected); withdrawal ends the approval', async () => {
    await setApprovalProviders(f.master, { orgId: custA, managers: { subscriptions: { customers: [{ name: 'Cancel', access: 'Object' }] } } })
    assert.deepEqual((await getApprovalProviders(f.master, { orgId: custA })).managers?.subscriptions.customers, [{ name: 'Cancel', access: 'Object' }])
    const boss = adminA
    const decide = async (status: 'Accepted' | 'Rejected') => {
      const [a] = await listApprovals(f.master, { orgId: custA, status: 'Pending' })
      assert.ok(a)
      assert.deepEqual(a.event, { object: 'customers', action: 'Cancel', label: null })
      const resp = a.subscriptions.find((s) => s.user.id === bossA)!
      return decideApproval(boss, { id: resp.id, status, reason: 'checked' })
    }

    const one = await requestCancellation(at(resellerAdmin, MID_DEC), { orgId: custA, reason: 'too expensive' })
    assert.equal(one.status, 'requested')
    assert.equal(one.approvalPending, true)
    assert.equal(one.effectiveAt, null)
    assert.equal((await getRequest(f.master, { ref: one.requestGuid })).status, 'pending')
    await decide('Accepted')
    const approved = await getCancellation(adminA, { id: one.id })
    assert.equal(approved.status, 'approved')
    assert.equal(approved.approvalPending, false)
    assert.ok(approved.effectiveAt !== null && Date.parse(approved.effectiveAt) > Date.now())
    assert.equal((await getRequest(f.master, { ref: one.requestGuid })).status, 'succeeded')
    // Withdrawn while approved: closed, and once more is refused.
    assert.equal((await withdrawCancellation(adminA, { id: one.id })).status, 'withdrawn')
    await assert.rejects(withdrawCancellation(adminA, { id: one.id }), refuses('failed_precondition', /withdrawn/))

    const two = await requestCancellation(adminA, { orgId: custA, reason: 'second thoughts' })
    assert.equal(two.status, 'requested')
    await decide('Rejected')
    assert.equal((await getCancellation(adminA, { id: two.id })).status, 'rejected')
    const failed = await getRequest(f.master, { ref: two.requestGuid })
    assert.equal(failed.status, 'failed')
    assert.match(failed.error ?? '', /rejected by/)
    await assert.rejects(withdrawCancellation(adminA, { id: two.id }), refuses('failed_precondition'))

    const three = await requestCancellation(adminA, { orgId: custA, reason: 'third' })
    const w = await withdrawCancellation(adminA, { id: three.id })
    assert.equal(w.status, 'withdrawn')
    assert.equal((await listApprovals(f.master, { orgId: custA, status: 'Pending' })).length, 0)
    assert.equal((await getRequest(f.master, { ref: three.requestGuid })).status, 'failed')
    // None of these is open: a sweep long after changes none of them.
    await sweepCancellations({ ...f.deps, clock: () => Date.now() + 400 * 86_400_000 })
    assert.deepEqual((await listCancellations(adminA, { orgId: custA })).map((c) => c.status).sort(), ['rejected', 'withdrawn', 'withdrawn'])
    await setApprovalProviders(f.master, { orgId: custA, managers: { subscriptions: { customers: [{ name: 'Cancel', access: 'None' }] } } })
  })

  it('two concurrent requests make one open cancellation', async () => {
    const c = await createCustomer(f.master, { parentId: reseller, name: 'Cancel Racer' })
    const results = await Promise.allSettled([requestCancellation(f.master, { orgId: c.id, reason: 'a' }), requestCancellation(resellerAdmin, { orgId: c.id, reason: 'b' })])
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    assert.ok(refuses('already_exists')(lost.reason), String(lost.reason))
    assert.equal((await listCancellations(f.master, { orgId: c.id })).length, 1)
  })

  it('refuses bad input and changes nothing', async () => {
    const before = await listCancellations(f.master, { orgId: custB })
    await assert.rejects(requestCancellation(adminB, { orgId: custB, reason: '   ' }), refuses('invalid_argument', /reason/))
    await assert.rejects(requestCancellation(adminB, { orgId: custB, reason: 'x'.repeat(2001) }), refuses('invalid_argument'))
    await assert.rejects(requestCancellation(adminB, { orgId: custB, reason: 'ok', extra: 1 } as never), refuses('invalid_argument'))
    await assert.rejects(requestCancellation(adminB, { orgId: 'not-an-id', reason: 'ok' }), refuses('not_found'))
    await assert.rejects(requestCancellation(f.master, { orgId: f.masterId, reason: 'ok' }), refuses('failed_precondition', /master/))
    await assert.rejects(withdrawCancellation(adminB, { id: 'nope' }), refuses('not_found'))
    assert.deepEqual(await listCancellations(f.master, { orgId: custB }), before)
    assert.equal((await listCancellations(f.master, { orgId: f.masterId })).length, 0)
  })

  it('keeps tenants apart: a sibling sees and cancels nothing, a customer cannot cancel its parent, a member may not cancel', async () => {
    const mine = await requestCancellation(adminB, { orgId: custB, reason: 'leaving' })
    assert.equal(mine.status, 'approved')
    await assert.rejects(getCancellation(adminA, { id: mine.id }), refuses('not_found'))
    await assert.rejects(withdrawCancellation(adminA, { id: mine.id }), refuses('not_found'))
    await assert.rejects(listCancellations(adminA, { orgId: custB }), refuses('not_found'))
    await assert.rejects(requestCancellation(adminA, { orgId: custB, reason: 'spite' }), refuses('not_found'))
    await assert.rejects(requestCancellation(adminA, { orgId: reseller, reason: 'parent' }), refuses('not_found'))
    await assert.rejects(requestCancellation(memberA, { orgId: custA, reason: 'member' }), refuses('forbidden'))
    // The parent reseller sees it and may withdraw it.
    assert.equal((await getCancellation(resellerAdmin, { id: mine.id })).id, mine.id)
    assert.equal((await withdrawCancellation(resellerAdmin, { id: mine.id })).status, 'withdrawn')
    assert.equal((await getCancellation(adminB, { id: mine.id })).status, 'withdrawn')
  })
})
