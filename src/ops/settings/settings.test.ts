/**
 * A customer's settings at the operations layer, on both databases: merge semantics, every
 * bound and refusal (a refused change changes nothing), who may read and write, and tenant
 * isolation between resellers.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { DomainError, type ErrorCode } from '../../core/errors.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { listSettings } from './list-settings.js'
import { setSettings } from './set-settings.js'
import { deleteSetting } from './delete-setting.js'

async function refuses(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof DomainError, String(e))
    assert.equal(e.code, code, e.message)
    if (field) assert.match(String(e.details?.field), new RegExp(`^${field}(\\.|$)`), e.message)
    return
  }
  assert.fail(`expected ${code}`)
}

eachDialect('settings operations', (dialect) => {
  let f: OpsFixture
  let org: string
  const values = async () => Object.fromEntries((await listSettings(f.master, { orgId: org })).items.map((s) => [s.name, s.value]))

  before(async () => {
    f = await opsFixture(dialect)
    org = (await createCustomer(f.master, { parentId: f.masterId, name: 'Settings Customer' })).id
  })
  after(() => f.close())

  it('sets settings as a merge: names given get their value, others are kept; the list is by name', async () => {
    const first = await setSettings(f.master, { orgId: org, settings: [{ name: 'theme', value: 'dark' }, { name: 'a.b_c-1', value: '' }] })
    assert.deepEqual(first.items.map((s) => s.name), ['a.b_c-1', 'theme'])
    const second = await setSettings(f.master, { orgId: org, settings: [{ name: 'theme', value: 'light' }, { name: 'lang', value: 'fr' }] })
    assert.equal(second.total, 3)
    assert.deepEqual(await values(), { 'a.b_c-1': '', lang: 'fr', theme: 'light' })
    await deleteSetting(f.master, { orgId: org, name: 'lang' })
    assert.deepEqual(await values(), { 'a.b_c-1': '', theme: 'light' })
    await refuses(deleteSetting(f.master, { orgId: org, name: 'lang' }), 'not_found')
  })

  it('refuses bad names, long values, duplicates and more than 200 settings, changing nothing', async () => {
    const before = await values()
    const bad: { name: string; value: string }[][] = [
      [{ name: '', value: 'x' }],
      [{ name: 'x'.repeat(65), value: 'x' }],
      [{ name: 'has space', value: 'x' }],
      [{ name: 'slash/name', value: 'x' }],
      [{ name: 'ok', value: 'x' }, { name: 'é', value: 'x' }],
      [{ name: 'ok', value: 'v'.repeat(4001) }],
    ]
    for (const settings of bad) await refuses(setSettings(f.master, { orgId: org, settings }), 'invalid_argument', 'settings')
    await refuses(setSettings(f.master, { orgId: org, settings: [{ name: 'dup', value: '1' }, { name: 'dup', value: '2' }] }), 'invalid_argument', 'settings')
    const tooMany = Array.from({ length: 201 }, (_, i) => ({ name: `n${i}`, value: '' }))
    await refuses(setSettings(f.master, { orgId: org, settings: tooMany }), 'invalid_argument', 'settings')
    // 199 new ones beside the 2 held make 201: refused as a whole.
    await refuses(setSettings(f.master, { orgId: org, settings: tooMany.slice(0, 199) }), 'failed_precondition')
    assert.deepEqual(await values(), before)
    // Exactly 200 (4000-character values allowed) and replacing held names fits.
    const ok = await setSettings(f.master, { orgId: org, settings: [...tooMany.slice(0, 198), { name: 'theme', value: 'v'.repeat(4000) }] })
    assert.equal(ok.total, 200)
    await refuses(setSettings(f.master, { orgId: org, settings: [{ name: 'one-more', value: '' }] }), 'failed_precondition')
    assert.equal((await listSettings(f.master, { orgId: org })).total, 200)
  })

  it('readers may read, only org.write may change, and another reseller\'s customer is not found', async () => {
    await createUser(f.master, { orgId: org, username: `reader_${dialect}`, password: 'reader-password', role: 'readonly' })
    const reader = await f.as(`reader_${dialect}`)
    const seen = await listSettings(reader, { orgId: org })
    assert.equal(seen.total, 200)
    await refuses(setSettings(reader, { orgId: org, settings: [{ name: 'theme', value: 'x' }] }), 'forbidden')
    await refuses(deleteSetting(reader, { orgId: org, name: 'theme' }), 'forbidden')

    const resA = (await createCustomer(f.master, { parentId: f.masterId, name: 'Reseller A', isReseller: true })).id
    const resB = (await createCustomer(f.master, { parentId: f.masterId, name: 'Reseller B', isReseller: true })).id
    const custB = (await createCustomer(f.master, { parentId: resB, name: 'Customer of B' })).id
    await setSettings(f.master, { orgId: custB, settings: [{ name: 'secret', value: 'b' }] })
    await createUser(f.master, { orgId: resA, username: `admin_a_${dialect}`, password: 'admin-a-password', role: 'admin' })
    const adminA = await f.as(`admin_a_${dialect}`)
    await refuses(listSettings(adminA, { orgId: custB }), 'not_found')
    await refuses(setSettings(adminA, { orgId: custB, settings: [{ name: 'secret', value: 'a' }] }), 'not_found')
    await refuses(deleteSetting(adminA, { orgId: custB, name: 'secret' }), 'not_found')
    assert.deepEqual((await listSettings(f.master, { orgId: custB })).items.map((s) => [s.name, s.value]), [['secret', 'b']])
  })
})
