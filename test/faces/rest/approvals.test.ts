import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type Answer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { sweepApprovals } from '../../../src/ops/approvals/sweep-approvals.js'

const CATALOG = {
  services: [
    { name: 'HE', displayName: 'Hosted Exchange', plans: [{ name: 'EXBASIC' }] },
    { name: 'FSS', displayName: 'File Sharing', plans: [{ name: 'FULL' }] },
    { name: 'CRM', displayName: 'CRM 2011' },
  ],
  locations: [{ name: 'csm.Local', services: ['HE', 'FSS', 'CRM'] }],
}
const DAY = 86_400_000
const sub = (name: string, access = 'Object') => ({ name, access })

eachDialect('workflow approvals over REST', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let n = 0
  /** A fresh customer with approvers `a<k>` (members) and an admin; names are unique per test. */
  async function customer(approvers = 2) {
    const tag = `${dialect}${++n}`
    const org = await p.customer(`Approval Customer ${tag}`)
    const names: string[] = []
    for (let i = 1; i <= approvers; i++) {
      names.push(`a${i}_${tag}`)
      await p.user(org, `a${i}_${tag}`, 'member', { firstName: `Approver${i}`, lastName: 'Duck', email: `a${i}@${tag}.test` })
    }
    await p.user(org, `boss_${tag}`, 'admin')
    await p.user(org, `other_${tag}`, 'member')
    return { org, tag, names }
  }
  async function until(path: string, pred: (b: any) => boolean, what: string): Promise<Answer> {
    const t0 = Date.now()
    for (;;) {
      const r = await s.req('GET', path)
      if (pred(r.body)) return r
      if (Date.now() - t0 > 10_000) assert.fail(`${path}: ${what}; got ${r.text}`)
      await new Promise((res) => setTimeout(res, 25))
    }
  }
  async function group(org: string, name: string, members: string[], subscriptions: object, membersToApprove = 1, extra: object = {}) {
    const r = await s.req('PUT', `/orgs/${org}/approval-providers`, {
      body: { groups: [{ name, description: `${name} approves`, configuration: { membersToApprove, timeoutDays: 5, reminderDays: 2, ...extra }, members, subscriptions }] },
    })
    assert.equal(r.status, 200, r.text)
    return r.body
  }
  async function pendingApproval(org: string) {
    const r = await s.req('GET', `/orgs/${org}/approvals?status=Pending`)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.items.length, 1, r.text)
    return r.body.items[0]
  }
  const guidOf = (approval: any, username: string) => approval.subscriptions.find((x: any) => x.user.name === username).id as string
  const decide = (guid: string, username: string, status: string, reason = '') =>
    s.req('POST', `/approvals/${guid}/decision`, { ...p.as(username), body: { status, reason } })

  before(async () => {
    s = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
    const c = await s.req('PUT', '/catalog', { body: CATALOG })
    assert.equal(c.status, 200, c.text)
  })
  after(() => s.close())

  it('documents every approval route in the OpenAPI document, and requests show approvalPending', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    const want: [string, string[]][] = [
      ['/orgs/{org_id}/approval-providers', ['get', 'put']],
      ['/orgs/{org_id}/approval-providers/groups/{name}', ['delete']],
      ['/orgs/{org_id}/approvals', ['get']],
      ['/orgs/{org_id}/members/{member_id}/approvals', ['get']],
      ['/approvals', ['get']],
      ['/approvals/{id}', ['get']],
      ['/approvals/{id}/decision', ['post']],
    ]
    for (const [path, methods] of want) for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
    const job = JSON.stringify(doc.paths['/jobs/{ref}'].get.responses['200'])
    assert.ok(job.includes('approvalPending') && job.includes('pending'), 'the job wire names approvalPending and the pending status')
  })

  it('merges providers as the seed says and refuses bad input without changing anything', async () => {
    const { org, tag, names } = await customer()
    await group(org, 'Customer Service Approval', [names[0]!], { services: [{ label: 'All', subscriptions: [sub('Provision'), sub('Deprovision')] }] })
    let r = await s.req('PUT', `/orgs/${org}/approval-providers`, {
      body: { managers: { configuration: { managers: 5, timeoutDays: 4, reminderDays: 1 }, subscriptions: { users: [sub('Provision'), sub('Deprovision')], userServices: [{ label: 'Hosted Exchange', subscriptions: [sub('Provision', 'None')] }] } } },
    })
    assert.equal(r.status, 200, r.text)
    // Only the named tag changes: the group keeps Provision, loses Deprovision, and its members.
    r = await s.req('PUT', `/orgs/${org}/approval-providers`, { body: { groups: [{ name: 'customer service approval', subscriptions: { services: [{ label: 'All', subscriptions: [sub('Deprovision', 'None')] }] } }] } })
    assert.equal(r.status, 200, r.text)
    const before = (await s.req('GET', `/orgs/${org}/approval-providers`)).body
    assert.deepEqual(before.managers.configuration, { managers: 5, timeoutDays: 4, reminderDays: 1 })
    assert.deepEqual(before.managers.subscriptions.users.map((x: any) => x.name), ['Provision', 'Deprovision'])
    assert.deepEqual(before.managers.subscriptions.userServices, [])
    assert.equal(before.groups.length, 1)
    assert.deepEqual(before.groups[0].subscriptions.services, [{ label: 'All', subscriptions: [{ name: 'Provision', access: 'Object' }] }])
    assert.deepEqual(before.groups[0].members.map((m: any) => m.username), [names[0]])
    assert.equal(before.groups[0].members[0].displayName, 'Approver1 Duck')

    const bad: [object, RegExp][] = [
      [{ managers: { configuration: { timeoutDays: -1 } } }, /timeoutDays/],
      [{ groups: [{ name: 'Customer Service Approval', members: [names[0], 'nobody_at_all'] }] }, /no user "nobody_at_all"/],
      [{ groups: [{ name: 'G2', members: [names[0]], configuration: { membersToApprove: 2 } }] }, /membersToApprove 2 is more than its 1 members/],
      [{ groups: [{ name: 'G3', members: [names[0]], subscriptions: { services: [{ label: 'No Such Service', subscriptions: [sub('Provision')] }] } }] }, /No Such Service/],
      [{ groups: [{ name: 'G4', members: [names[0]], subscriptions: { users: [sub('Provision', 'Create')] } }] }, /access|users/],
      [{ groups: [{ name: 'Nope', action: 'delete' }] }, /no approval group/],
    ]
    for (const [body, msg] of bad) {
      const b = await s.req('PUT', `/orgs/${org}/approval-providers`, { body })
      assert.ok(b.status === 400 || b.status === 404, `${JSON.stringify(body)}: ${b.status} ${b.text}`)
      assert.match(b.body.detail ?? b.text, msg)
      assert.deepEqual((await s.req('GET', `/orgs/${org}/approval-providers`)).body, before)
    }
    // A member without the write permission may neither see nor change them.
    assert.equal((await s.req('GET', `/orgs/${org}/approval-providers`, p.as(`other_${tag}`))).status, 403)
    assert.equal((await s.req('PUT', `/orgs/${org}/approval-providers`, { ...p.as(`other_${tag}`), body: { managers: {} } })).status, 403)
    // Deleting a group.
    assert.equal((await s.req('DELETE', `/orgs/${org}/approval-providers/groups/${encodeURIComponent('Customer Service Approval')}`)).status, 204)
    assert.deepEqual((await s.req('GET', `/orgs/${org}/approval-providers`)).body.groups, [])
  })

  it('holds a subscribed customer-service provision Pending until its approver accepts, then the worker provisions it', async () => {
    const { org, tag, names } = await customer()
    await group(org, 'Customer Service Approval', names, { services: [{ label: 'All', subscriptions: [sub('Provision')] }] })
    const put = await s.req('PUT', `/orgs/${org}/services/FSS`, { body: {} })
    assert.equal(put.status, 202, put.text)
    assert.equal(put.body.status, 'Pending')
    assert.equal(put.body.statusColour, 'Blue')
    assert.equal(put.body.approvalPending, true)
    const jobGuid = put.headers.get('x-job-guid')!
    await new Promise((res) => setTimeout(res, 200))
    const still = await s.req('GET', `/orgs/${org}/services/FSS`)
    assert.equal(still.body.status, 'Pending', 'no worker ran the held job')
    assert.equal(still.body.approvalPending, true)
    const job = await s.req('GET', `/jobs/${jobGuid}`)
    assert.equal(job.body.status, 'pending')
    assert.equal(job.body.approvalPending, true)

    const a = await pendingApproval(org)
    assert.equal(a.description, 'Provision Service - File Sharing')
    assert.equal(a.requestGuid, jobGuid)
    assert.equal(a.customer.fullname, `Approval Customer ${tag}`)
    assert.equal(a.requestedByUser.name, 'admin')
    assert.equal(a.subscriptions.length, 2)
    const guid = guidOf(a, names[0]!)
    // Outsiders and other approvers neither see nor decide it.
    assert.equal((await s.req('GET', `/approvals/${guid}`, p.as(`other_${tag}`))).status, 404)
    assert.equal((await s.req('GET', `/approvals/${guid}`, p.as(names[1]!))).status, 404)
    assert.equal((await decide(guid, names[1]!, 'Accepted')).status, 404)
    assert.equal((await decide(guid, `boss_${tag}`, 'Accepted')).status, 404)
    assert.equal((await s.req('POST', `/approvals/${guid}/decision`, { ...p.as(names[0]!), body: { status: 'Maybe' } })).status, 400)
    // The approver sees its own response only; the user-level lists agree.
    const mine = await s.req('GET', `/approvals/${guid}`, p.as(names[0]!))
    assert.equal(mine.status, 200, mine.text)
    assert.deepEqual(mine.body.subscriptions.map((x: any) => x.user.name), [names[0]])
    const list = await s.req('GET', '/approvals', p.as(names[0]!))
    assert.deepEqual(list.body.items.map((x: any) => x.id), [a.id])
    const own = (await s.req('GET', `/orgs/${org}/members/${list.body.items[0].subscriptions[0].user.id}/approvals`)).body
    assert.equal(own.items[0].subscriptions.length, 1)

    const ok = await decide(guid, names[0]!, 'Accepted', 'go ahead')
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.body.status, 'Accepted')
    await until(`/orgs/${org}/services/FSS`, (b) => b.status === 'Provisioned', 'provisioned after the acceptance')
    const done = await until(`/jobs/${jobGuid}`, (b) => b.status === 'succeeded', 'the request succeeds')
    assert.equal(done.body.approvalPending, false)
    assert.ok(done.body.log.some((e: any) => /answered Accepted: go ahead/.test(e.message)))
    // Deciding twice, or after the end, is refused clearly.
    const twice = await decide(guid, names[0]!, 'Rejected', 'changed my mind')
    assert.equal(twice.status, 409, twice.text)
    assert.match(twice.body.detail, /already answered \(Accepted\)/)
    const late = await decide(guidOf(a, names[1]!), names[1]!, 'Accepted')
    assert.equal(late.status, 409, late.text)
    assert.match(late.body.detail, /already answered \(Closed\)|already ended/)
    // Deprovision is not subscribed: it runs at once as before.
    const del = await s.req('DELETE', `/orgs/${org}/services/FSS`)
    assert.equal(del.status, 202, del.text)
    assert.equal(del.body.approvalPending, false)
    await until(`/orgs/${org}/services/FSS`, (b) => b.status === 'NotProvisioned', 'deprovisioned without approval')
  })

  it('a rejection fails the request with the reason and puts the service back', async () => {
    const { org, names } = await customer(1)
    await group(org, 'G', names, { services: [{ label: 'File Sharing', subscriptions: [sub('Provision')] }] })
    const put = await s.req('PUT', `/orgs/${org}/services/FSS`, { body: {} })
    assert.equal(put.status, 202, put.text)
    // Another service is not subscribed.
    const crm = await s.req('PUT', `/orgs/${org}/services/CRM`, { body: {} })
    assert.equal(crm.body.approvalPending, false)
    const a = await pendingApproval(org)
    const r = await decide(guidOf(a, names[0]!), names[0]!, 'Rejected', 'not this month')
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.status, 'Rejected')
    const job = await s.req('GET', `/jobs/${put.headers.get('x-job-guid')}`)
    assert.equal(job.body.status, 'failed')
    assert.equal(job.body.error, `rejected by ${names[0]}: not this month`)
    const svc = await s.req('GET', `/orgs/${org}/services/FSS`)
    assert.equal(svc.body.status, 'NotProvisioned')
    assert.equal(svc.body.approvalPending, false)
    await new Promise((res) => setTimeout(res, 150))
    assert.equal((await s.req('GET', `/orgs/${org}/services/FSS`)).body.status, 'NotProvisioned', 'the failed job never ran')
    await until(`/orgs/${org}/services/CRM`, (b) => b.status === 'Provisioned', 'the unsubscribed service ran at once')
  })

  it('needs membersToApprove acceptances, and every subscribed group', async () => {
    const { org, names } = await customer(3)
    await group(org, 'Two of three', names, { services: [{ label: 'All', subscriptions: [sub('Provision')] }] }, 2)
    await group(org, 'Second group', [names[2]!], { services: [{ label: 'Hosted Exchange', subscriptions: [sub('Provision')] }] })
    const put = await s.req('PUT', `/orgs/${org}/services/HE`, { body: {} })
    assert.equal(put.status, 202, put.text)
    const a = await pendingApproval(org)
    assert.equal(a.subscriptions.length, 4)
    const byGroup = (g: string, u: string) => a.subscriptions.find((x: any) => x.provider === g && x.user.name === u).id
    assert.equal((await decide(byGroup('Two of three', names[0]!), names[0]!, 'Accepted')).body.status, 'Pending')
    assert.equal((await decide(byGroup('Second group', names[2]!), names[2]!, 'Accepted')).body.status, 'Pending')
    await new Promise((res) => setTimeout(res, 150))
    assert.equal((await s.req('GET', `/orgs/${org}/services/HE`)).body.status, 'Pending')
    assert.equal((await decide(byGroup('Two of three', names[1]!), names[1]!, 'Accepted')).body.status, 'Accepted')
    await until(`/orgs/${org}/services/HE`, (b) => b.status === 'Provisioned', 'provisioned once both groups accepted')
  })

  it('times out through the sweep and logs reminders naming who was reminded', async () => {
    const { org, names } = await customer(2)
    await group(org, 'Slow', names, { services: [{ label: 'All', subscriptions: [sub('Provision')] }] }, 1, { timeoutDays: 3, reminderDays: 1 })
    const put = await s.req('PUT', `/orgs/${org}/services/FSS`, { body: {} })
    const jobGuid = put.headers.get('x-job-guid')!
    const t0 = Date.now()
    const at = (ms: number) => ({ ...s.deps, clock: () => t0 + ms })
    await sweepApprovals(at(DAY / 2))
    assert.ok(!(await s.req('GET', `/jobs/${jobGuid}`)).body.log.some((e: any) => /reminder/.test(e.message)), 'no reminder before a day')
    await sweepApprovals(at(DAY + 60_000))
    await sweepApprovals(at(DAY + 120_000))
    let log = (await s.req('GET', `/jobs/${jobGuid}`)).body.log.filter((e: any) => /reminder/.test(e.message))
    assert.equal(log.length, 1, JSON.stringify(log))
    assert.match(log[0].message, new RegExp(`Slow.*${names[0]}, ${names[1]}`))
    await sweepApprovals(at(2 * DAY + 120_000))
    log = (await s.req('GET', `/jobs/${jobGuid}`)).body.log.filter((e: any) => /reminder/.test(e.message))
    assert.equal(log.length, 2)
    await sweepApprovals(at(3 * DAY + 1000))
    const job = await s.req('GET', `/jobs/${jobGuid}`)
    assert.equal(job.body.status, 'failed')
    assert.equal(job.body.error, 'approval timed out after 3 days')
    assert.equal((await s.req('GET', `/orgs/${org}/services/FSS`)).body.status, 'NotProvisioned')
    const a = (await s.req('GET', `/orgs/${org}/approvals`)).body.items[0]
    assert.equal(a.status, 'TimedOut')
    assert.deepEqual(a.subscriptions.map((x: any) => x.status), ['TimedOut', 'TimedOut'])
    assert.equal((await decide(a.subscriptions[0].id, names[0]!, 'Accepted')).status, 409)
  })

  it('gates user creation and deletion; Workflow Managers follow the chain of managers', async () => {
    const { org, tag, names } = await customer(2)
    // a2 manages a1; a1 manages nobody yet.
    const ids = (await s.req('GET', `/orgs/${org}/members`)).body.items
    const idOf = (u: string) => ids.find((x: any) => x.username === u).id as string
    const m = await s.req('PATCH', `/orgs/${org}/members/${idOf(names[0]!)}`, { body: { managerUserId: idOf(names[1]!) } })
    assert.equal(m.status, 200, m.text)
    assert.equal(m.body.managerUserId, idOf(names[1]!))
    const circle = await s.req('PATCH', `/orgs/${org}/members/${idOf(names[1]!)}`, { body: { managerUserId: idOf(names[0]!) } })
    assert.equal(circle.status, 400, circle.text)
    const r = await s.req('PUT', `/orgs/${org}/approval-providers`, { body: { managers: { configuration: { managers: 2 }, subscriptions: { users: [sub('Provision'), sub('Deprovision')] } } } })
    assert.equal(r.status, 200, r.text)

    // A new user managed by a1: a1 and then a2 must both accept.
    const made = await s.req('POST', `/orgs/${org}/members`, { body: { username: `minnie_${tag}`, password: 'a-long-password-1', firstName: 'Minnie', lastName: 'Mouse', managerUserId: idOf(names[0]!) } })
    assert.equal(made.status, 201, made.text)
    let minnie = (await s.req('GET', `/orgs/${org}/members/${made.body.id}`)).body
    assert.equal(minnie.enabled, false)
    assert.equal(minnie.approvalPending, true)
    assert.equal((await s.req('GET', '/approvals', p.as(`minnie_${tag}`))).status, 401, 'a user waiting for approval cannot log in')
    const a = await pendingApproval(org)
    assert.equal(a.description, 'Provision User - Minnie Mouse')
    assert.deepEqual(a.subscriptions.map((x: any) => x.user.name).sort(), [...names].sort())
    assert.equal((await decide(guidOf(a, names[0]!), names[0]!, 'Accepted')).body.status, 'Pending')
    assert.equal((await decide(guidOf(a, names[1]!), names[1]!, 'Accepted')).body.status, 'Accepted')
    minnie = (await s.req('GET', `/orgs/${org}/members/${made.body.id}`)).body
    assert.equal(minnie.enabled, true)
    assert.equal(minnie.approvalPending, false)

    // Deleting Minnie waits (202) until her managers accept.
    const del = await s.req('DELETE', `/orgs/${org}/members/${made.body.id}`)
    assert.equal(del.status, 202, del.text)
    assert.equal((await s.req('GET', `/jobs/${del.headers.get('x-job-guid')}`)).body.status, 'pending')
    assert.equal((await s.req('GET', `/orgs/${org}/members/${made.body.id}`)).body.approvalPending, true)
    const d = await pendingApproval(org)
    assert.equal(d.description, 'Deprovision User - Minnie Mouse')
    await decide(guidOf(d, names[0]!), names[0]!, 'Accepted')
    await decide(guidOf(d, names[1]!), names[1]!, 'Accepted')
    assert.equal((await s.req('GET', `/orgs/${org}/members/${made.body.id}`)).status, 404)
    assert.equal((await s.req('GET', `/jobs/${del.headers.get('x-job-guid')}`)).body.status, 'succeeded')

    // A user with no manager: the organisation's owners and admins approve, one suffices; a rejection removes the user.
    const lone = await s.req('POST', `/orgs/${org}/members`, { body: { username: `lone_${tag}`, password: 'a-long-password-1' } })
    const l = await pendingApproval(org)
    assert.deepEqual(l.subscriptions.map((x: any) => x.user.name), [`boss_${tag}`])
    const no = await decide(l.subscriptions[0].id, `boss_${tag}`, 'Rejected', 'no more staff')
    assert.equal(no.body.status, 'Rejected')
    assert.equal((await s.req('GET', `/orgs/${org}/members/${lone.body.id}`)).status, 404)
    assert.equal((await s.req('GET', `/jobs/${lone.headers.get('x-job-guid')}`)).body.error, `rejected by boss_${tag}: no more staff`)
  })
})
