import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import type { Ctx } from '../context.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { createNotice } from './create-notice.js'
import { listNotices } from './list-notices.js'
import { acknowledgeNotice } from './acknowledge-notice.js'
import { addContactMethod, createContact, listContacts, removeContactMethod, subscribeContactMethod, unsubscribeContactMethod } from './contacts.js'
import { fanOutNotice } from './fan-out.js'
import { listDeliveries } from '../../store/notices.repo.js'

async function fails(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  try {
    await p
  } catch (e) {
    assert.ok(isDomainError(e, code), `expected ${code}, got ${String(e)}`)
    if (field) assert.equal(e.details?.field, field)
    return
  }
  assert.fail(`expected ${code}, but it succeeded`)
}

eachDialect('notice operations', (dialect) => {
  let f: OpsFixture
  let reseller: Ctx
  let customer: Ctx
  const ids = { res: '', sub: '', other: '' }

  before(async () => {
    f = await opsFixture(dialect)
    const m = f.master
    ids.res = (await createCustomer(m, { parentId: f.masterId, name: 'Notice Reseller', isReseller: true })).id
    ids.sub = (await createCustomer(m, { parentId: ids.res, name: 'Sub Customer' })).id
    ids.other = (await createCustomer(m, { parentId: f.masterId, name: 'Other Customer' })).id
    await createUser(m, { orgId: ids.res, username: 'n-res', password: 'n-res-password', role: 'admin' })
    await createUser(m, { orgId: ids.sub, username: 'n-sub', password: 'n-sub-password', role: 'admin' })
    reseller = await f.as('n-res')
    customer = await f.as('n-sub')
  })
  after(() => f.close())

  it('a reseller’s subtree-wide notice reaches its subtree only; a customer may not write one', async () => {
    const n = await createNotice(reseller, { noticeTypeId: 1, subject: 'reseller news', body: '' })
    assert.equal(n.global, true)
    assert.ok((await listNotices(f.master, { orgId: ids.sub })).some((x) => x.id === n.id))
    assert.ok(!(await listNotices(f.master, { orgId: ids.other })).some((x) => x.id === n.id))
    assert.ok(!(await listNotices(f.master, { orgId: f.masterId })).some((x) => x.id === n.id))
    await fails(createNotice(customer, { noticeTypeId: 1, subject: 'mine', body: '' }), 'forbidden')
    await fails(acknowledgeNotice(f.master, { orgId: ids.other, noticeId: n.id }), 'not_found')
    await acknowledgeNotice(customer, { orgId: ids.sub, noticeId: n.id })
    await acknowledgeNotice(customer, { orgId: ids.sub, noticeId: n.id })
    assert.equal((await listNotices(customer, { orgId: ids.sub })).find((x) => x.id === n.id)?.acknowledged, true)
  })

  it('fans out in batches, each contact method once even when repeated, SMS undeliverable', async () => {
    const c = await createContact(customer, { orgId: ids.sub, name: 'Desk' })
    const made: { id: number }[] = []
    for (let i = 0; i < 5; i++) made.push(await addContactMethod(customer, { orgId: ids.sub, contactId: c.id, method: 'email', address: `desk${i}@sub.example` }))
    made.push(await addContactMethod(customer, { orgId: ids.sub, contactId: c.id, method: 'sms', address: '+15555550100' }))
    for (const m of made) await subscribeContactMethod(customer, { orgId: ids.sub, contactMethodId: m.id, noticeTypeId: 4 })
    await fails(subscribeContactMethod(customer, { orgId: ids.sub, contactMethodId: made[0]!.id, noticeTypeId: 4 }), 'already_exists')
    // One method unsubscribed, one removed: neither is reached.
    const subs = (await listContacts(customer, { orgId: ids.sub }))[0]!.methods.find((m) => m.id === made[1]!.id)!.notices
    await unsubscribeContactMethod(customer, { orgId: ids.sub, subscriptionId: subs[0]!.id })
    await removeContactMethod(customer, { orgId: ids.sub, contactMethodId: made[2]!.id })

    const n = await createNotice(f.master, { noticeTypeId: 4, subject: 'invoice', body: 'due' })
    const signal = new AbortController().signal
    const first = await fanOutNotice(f.deps, n.id, 1, signal, 2)
    assert.deepEqual({ ...first, noticeId: 0 }, { noticeId: 0, reached: 4, emails: 3, webhooks: 0, smsUndeliverable: 1 })
    const again = await fanOutNotice(f.deps, n.id, 1, signal, 2)
    assert.equal(again?.reached, 0)
    const d = await listDeliveries(f.deps.store.db, n.id)
    assert.equal(d.length, 4)
    assert.equal(d.find((x) => x.method === 'sms')?.state, 'undeliverable')
    assert.ok(!d.some((x) => x.contact_method_id === made[1]!.id || x.contact_method_id === made[2]!.id))
  })

  it('refuses bad addresses and other organisations’ contacts', async () => {
    const c = await createContact(customer, { orgId: ids.sub, name: 'Checks' })
    await fails(addContactMethod(customer, { orgId: ids.sub, contactId: c.id, method: 'webhook', address: 'http://hooks.example/x' }), 'invalid_argument', 'address')
    await fails(addContactMethod(customer, { orgId: ids.sub, contactId: c.id, method: 'sms', address: '555' }), 'invalid_argument', 'address')
    await fails(addContactMethod(reseller, { orgId: ids.res, contactId: c.id, method: 'email', address: 'a@b.example' }), 'not_found')
    await fails(listContacts(customer, { orgId: ids.other }), 'not_found')
    const ok = await addContactMethod(customer, { orgId: ids.sub, contactId: c.id, method: 'webhook', address: 'https://hooks.example/x' })
    assert.equal(typeof ok.secret, 'string')
  })
})
