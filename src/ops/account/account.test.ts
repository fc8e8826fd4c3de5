/**
 * A customer's account at the operations layer, on both databases: roles, the owner's username,
 * password, support PIN (hashed, throttled like a password) and e-mail change (confirmed where
 * mail is configured, at once where it is not), API keys by type and ACLs by id; who may.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { DomainError, type ErrorCode } from '../../core/errors.js'
import { verifySecret } from '../../core/passwords.js'
import { mailBodyAad } from '../../core/mail.js'
import { MAX_FAILURES } from '../../store/throttle.repo.js'
import { findUserByUsername } from '../../store/users.repo.js'
import { findMailToSend } from '../../store/mail.repo.js'
import type { Ctx } from '../context.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { addApiKeyAcl, createApiKey, deleteApiKeyAcl, listOrgApiKeys, updateApiKeyAcl } from '../keys/keys.js'
import { changeCustomerEmail, changeCustomerPassword, changeCustomerPin, confirmEmailChange, getCustomerUsername, listRoles, verifyCustomerPin } from './index.js'

async function refuses(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<DomainError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof DomainError, String(e))
    assert.equal(e.code, code, e.message)
    if (field) assert.equal(e.details?.field, field, e.message)
    return e
  }
  assert.fail(`expected ${code}`)
}

eachDialect('customer account operations', (dialect) => {
  let f: OpsFixture
  let org: string
  let other: string
  let owner: Ctx
  let admin: Ctx
  let support: Ctx
  const user = async (name: string) => (await findUserByUsername(f.deps.store.db, name))!

  before(async () => {
    f = await opsFixture(dialect)
    org = (await createCustomer(f.master, { parentId: f.masterId, name: 'Account Customer' })).id
    other = (await createCustomer(f.master, { parentId: f.masterId, name: 'Other Customer' })).id
    await createUser(f.master, { orgId: org, username: 'acct-owner', password: 'owner-password', role: 'owner', email: 'old@example.com' })
    await createUser(f.master, { orgId: org, username: 'acct-admin', password: 'admin-password', role: 'admin' })
    await createUser(f.master, { orgId: f.masterId, username: 'helpdesk', password: 'helpdesk-password', role: 'support' })
    owner = await f.as('acct-owner')
    admin = await f.as('acct-admin')
    support = await f.as('helpdesk')
  })
  after(() => f.close())

  it('lists the roles with names and permissions, for an organisation in scope only', async () => {
    const roles = await listRoles(f.master, { orgId: org })
    assert.deepEqual(roles.map((r) => r.id), ['superadmin', 'owner', 'admin', 'support', 'billing', 'member', 'readonly'])
    assert.deepEqual(roles.find((r) => r.id === 'readonly'), { id: 'readonly', name: 'Read-only', permissions: ['org.read'] })
    await refuses(listRoles(owner, { orgId: other }), 'not_found')
  })

  it("answers the customer's username: its owner's login", async () => {
    assert.equal((await getCustomerUsername(admin, { orgId: org })).username, 'acct-owner')
    await refuses(getCustomerUsername(f.master, { orgId: other }), 'not_found')
    await refuses(getCustomerUsername(owner, { orgId: other }), 'not_found')
  })

  it("changes the owner's password (parent admin, or the owner with its current password), ending its credentials", async () => {
    const before = await user('acct-owner')
    await changeCustomerPassword(f.master, { orgId: org, password: 'new-owner-password' })
    const after1 = await user('acct-owner')
    assert.ok(await verifySecret(after1.password_hash, 'new-owner-password'))
    assert.equal(after1.cred_version, before.cred_version + 1)
    await refuses(changeCustomerPassword(f.master, { orgId: org, password: 'short' }), 'invalid_argument', 'password')
    // The customer's own admin may not take over its owner.
    await refuses(changeCustomerPassword(admin, { orgId: org, password: 'admin-takes-over' }), 'forbidden')
    await refuses(changeCustomerPassword(owner, { orgId: org, password: 'owner-again-1' }), 'invalid_argument', 'currentPassword')
    await refuses(changeCustomerPassword(owner, { orgId: org, password: 'owner-again-1', currentPassword: 'wrong-password' }), 'forbidden')
    await changeCustomerPassword(owner, { orgId: org, password: 'owner-again-1', currentPassword: 'new-owner-password' })
    assert.ok(await verifySecret((await user('acct-owner')).password_hash, 'owner-again-1'))
    // Over Basic the call itself proved the password.
    await changeCustomerPassword({ ...owner, actor: { ...owner.actor, via: 'basic' } }, { orgId: org, password: 'owner-password' })
    assert.ok(await verifySecret((await user('acct-owner')).password_hash, 'owner-password'))
  })

  it('stores a support PIN hashed and lets staff above check it, throttled like a password', async () => {
    for (const pin of ['123', '1234567890123', '12a4', ' 1234']) await refuses(changeCustomerPin(owner, { orgId: org, pin }), 'invalid_argument', 'pin')
    await refuses(verifyCustomerPin(support, { orgId: org, pin: '4321' }), 'failed_precondition')
    await refuses(changeCustomerPin(admin, { orgId: org, pin: '4321' }), 'forbidden')
    await changeCustomerPin(owner, { orgId: org, pin: '4321' })
    const row = await f.deps.store.db.selectFrom('customer_pins').selectAll().where('org_id', '=', org).executeTakeFirstOrThrow()
    assert.ok(!row.pin_hash.includes('4321') && (await verifySecret(row.pin_hash, '4321')))
    assert.deepEqual(await verifyCustomerPin(support, { orgId: org, pin: '4321' }), { match: true })
    assert.deepEqual(await verifyCustomerPin(support, { orgId: org, pin: '0000' }), { match: false })
    // From the customer itself, or with a role that is not staff, nobody may check it.
    await refuses(verifyCustomerPin(owner, { orgId: org, pin: '4321' }), 'forbidden')
    await refuses(verifyCustomerPin(await f.as('helpdesk', 'billing'), { orgId: org, pin: '4321' }), 'forbidden')
    for (let i = 1; i < MAX_FAILURES; i++) assert.equal((await verifyCustomerPin(support, { orgId: org, pin: '0000' })).match, false)
    const locked = await refuses(verifyCustomerPin(support, { orgId: org, pin: '4321' }), 'too_many_attempts')
    assert.ok(Number(locked.details?.retryAfterSeconds) >= 1)
    // Another checker is not locked out by this one's guesses.
    assert.deepEqual(await verifyCustomerPin(f.master, { orgId: org, pin: '4321' }), { match: true })
  })

  it('changes the e-mail address at once where mail is not configured', async () => {
    assert.deepEqual(await changeCustomerEmail(f.master, { orgId: org, email: 'now@example.com' }), { current: 'now@example.com', pending: null, confirmationRequired: false })
    assert.equal((await user('acct-owner')).email, 'now@example.com')
    await refuses(changeCustomerEmail(f.master, { orgId: org, email: 'not-an-address' }), 'invalid_argument', 'email')
    await refuses(changeCustomerEmail(admin, { orgId: org, email: 'admin@example.com' }), 'forbidden')
    assert.equal((await user('acct-owner')).email, 'now@example.com')
  })

  it('keeps the old address until the mailed token confirms the new one, where mail is configured', async () => {
    const mailing: Ctx = { ...f.master, mail: { smtpUrl: 'smtp://127.0.0.1:2525', from: 'x@example.com', publicUrl: 'https://panel.example.com' } }
    const r = await changeCustomerEmail(mailing, { orgId: org, email: 'next@example.com' })
    assert.deepEqual(r, { current: 'now@example.com', pending: 'next@example.com', confirmationRequired: true })
    assert.equal((await user('acct-owner')).email, 'now@example.com')
    const m = await f.deps.store.db.selectFrom('mail_outbox').select(['id', 'recipient', 'state']).orderBy('id', 'desc').executeTakeFirstOrThrow()
    assert.equal(m.recipient, 'next@example.com')
    assert.equal(m.state, 'queued')
    const sealed = (await findMailToSend(f.deps.store.db, Number(m.id)))!
    const text = String(f.deps.secrets.open(sealed.body, mailBodyAad(sealed.guid)))
    const token = /token=([0-9a-f-]{36})/.exec(text)![1]!
    const stored = await f.deps.store.db.selectFrom('email_changes').selectAll().execute()
    assert.equal(stored.length, 1)
    assert.notEqual(stored[0]!.token_hash, token)
    await refuses(confirmEmailChange(f.deps, { token: '00000000-0000-4000-8000-000000000000' }), 'invalid_argument', 'token')
    assert.deepEqual(await confirmEmailChange(f.deps, { token }), { current: 'next@example.com', pending: null, confirmationRequired: false })
    assert.equal((await user('acct-owner')).email, 'next@example.com')
    await refuses(confirmEmailChange(f.deps, { token }), 'invalid_argument', 'token')
    // A token past its 24 hours does not work.
    await changeCustomerEmail(mailing, { orgId: org, email: 'late@example.com' })
    const m2 = await f.deps.store.db.selectFrom('mail_outbox').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const s2 = (await findMailToSend(f.deps.store.db, Number(m2.id)))!
    const token2 = /token=([0-9a-f-]{36})/.exec(String(f.deps.secrets.open(s2.body, mailBodyAad(s2.guid))))![1]!
    const later = { ...f.deps, clock: () => Date.now() + 25 * 3600_000 }
    await refuses(confirmEmailChange(later, { token: token2 }), 'invalid_argument', 'token')
    assert.equal((await user('acct-owner')).email, 'next@example.com')
  })

  it('creates keys by type with a generated name, lists them by type, and changes ACLs by id alone', async () => {
    const k = await createApiKey(f.master, { orgId: org, role: 'support' })
    assert.match(k.name, /^support key \d{4}-\d{2}-\d{2}$/)
    await createApiKey(f.master, { orgId: org, role: 'readonly' })
    const supportKeys = await listOrgApiKeys(f.master, { orgId: org, role: 'support' })
    assert.deepEqual(supportKeys.map((x) => x.id), [k.id])
    assert.equal((await listOrgApiKeys(f.master, { orgId: org })).length, 2)
    const acl = await addApiKeyAcl(f.master, { keyId: k.id, address: '192.0.2.10', mask: 24 })
    await refuses(addApiKeyAcl(f.master, { keyId: k.id, address: '192.0.2.10', mask: 33 }), 'invalid_argument', 'mask')
    await refuses(addApiKeyAcl(f.master, { keyId: k.id, address: '192.0.2', mask: 24 }), 'invalid_argument', 'address')
    assert.deepEqual(await updateApiKeyAcl(f.master, { aclId: acl.id, mask: 28 }).then((a) => [a.address, a.mask]), ['192.0.2.10', 28])
    assert.deepEqual(await updateApiKeyAcl(f.master, { aclId: acl.id, address: '198.51.100.1' }).then((a) => [a.address, a.mask]), ['198.51.100.1', 28])
    await updateApiKeyAcl(f.master, { aclId: acl.id, address: '2001:db8::1', mask: 64 })
    await refuses(updateApiKeyAcl(f.master, { aclId: acl.id, address: '192.0.2.1' }), 'invalid_argument', 'mask')
    assert.deepEqual((await listOrgApiKeys(f.master, { orgId: org, role: 'support' }))[0]!.acls, [{ id: acl.id, address: '2001:db8::1', mask: 64 }])
    // Someone who may not change the key finds no entry.
    await refuses(updateApiKeyAcl(owner, { aclId: acl.id, mask: 48 }), 'not_found')
    await refuses(deleteApiKeyAcl(owner, { aclId: acl.id }), 'not_found')
    await deleteApiKeyAcl(f.master, { aclId: acl.id })
    await refuses(deleteApiKeyAcl(f.master, { aclId: acl.id }), 'not_found')
  })
})
