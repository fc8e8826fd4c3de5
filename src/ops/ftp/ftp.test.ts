/**
 * Customer-controlled FTP users at the operations layer, on both databases: each field rule and
 * refusal (a refused change changes nothing), relative-root confinement and normalising,
 * username uniqueness across customers and under concurrent creates, the stored password hash,
 * and tenant isolation between resellers.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { DomainError, type ErrorCode } from '../../core/errors.js'
import { verifySecret } from '../../core/passwords.js'
import { normaliseRelativeRoot } from '../../core/ftp.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { createFtpUser } from './create-ftp-user.js'
import { updateFtpUser } from './update-ftp-user.js'
import { deleteFtpUser } from './delete-ftp-user.js'
import { getFtpUser } from './get-ftp-user.js'
import { listFtpUsers } from './list-ftp-users.js'

async function refuses(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof DomainError, String(e))
    assert.equal(e.code, code, e.message)
    if (field) assert.equal(e.details?.field, field, e.message)
    return
  }
  assert.fail(`expected ${code}`)
}

it('normalises relative roots and refuses every way out of the customer\'s space', () => {
  const ok: [string, string][] = [
    ['', '/'], ['.', '/'], ['/', '/'], ['./', '/'], ['a/..', '/'],
    ['a/./b', 'a/b'], ['a//b/', 'a/b'], ['./www', 'www'], ['a/b/../c', 'a/c'], ['sites/é ü', 'sites/é ü'], ['..foo', '..foo'],
  ]
  for (const [raw, want] of ok) assert.equal(normaliseRelativeRoot(raw), want, raw)
  const bad = ['../x', '..', 'a/../../b', './../b', '/etc', '//etc', '/a/b', 'a\\b', '..\\x', 'a\u0000b', 'a\tb', 'a\nb', 'a\u007fb', 'a\u0085b', `${'x'.repeat(256)}/y`, 'x'.repeat(1025)]
  for (const raw of bad) {
    assert.throws(() => normaliseRelativeRoot(raw), (e: unknown) => e instanceof DomainError && e.code === 'invalid_argument' && e.details?.field === 'relativeRoot', JSON.stringify(raw))
  }
})

eachDialect('FTP user operations', (dialect) => {
  let f: OpsFixture
  let org: string
  let other: string
  const base = (username: string) => ({ orgId: org, name: 'Web deploy', username, password: 'ftp-password-1', relativeRoot: 'www', type: 'full' as const })

  before(async () => {
    f = await opsFixture(dialect)
    org = (await createCustomer(f.master, { parentId: f.masterId, name: 'FTP Customer' })).id
    other = (await createCustomer(f.master, { parentId: f.masterId, name: 'Other FTP Customer' })).id
  })
  after(() => f.close())

  it('creates, gets, lists, updates and deletes an FTP user; the password is hashed and never answered', async () => {
    const u = await createFtpUser(f.master, { ...base(`Deploy_${dialect}`), relativeRoot: 'sites/./shop/', siteName: 'shop.example', environmentName: 'staging' })
    assert.deepEqual(
      [u.orgId, u.name, u.username, u.relativeRoot, u.type, u.siteName, u.environmentName],
      [org, 'Web deploy', `Deploy_${dialect}`, 'sites/shop', 'full', 'shop.example', 'staging'],
    )
    assert.ok(!('password' in u) && !('passwordHash' in u) && !JSON.stringify(u).includes('ftp-password-1'))
    const row = await f.deps.store.db.selectFrom('ftp_users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow()
    assert.ok(!JSON.stringify(row).includes('ftp-password-1'), 'no clear password in the row')
    assert.match(row.password_hash, /^\$argon2id\$/)
    assert.ok(await verifySecret(row.password_hash, 'ftp-password-1'))

    assert.deepEqual(await getFtpUser(f.master, { orgId: org, id: u.id }), u)
    const plain = await createFtpUser(f.master, { ...base(`plain_${dialect}`), type: 'readonly' })
    assert.deepEqual([plain.siteName, plain.environmentName, plain.relativeRoot], [null, null, 'www'])
    assert.deepEqual((await listFtpUsers(f.master, { orgId: org })).items.map((x) => x.username), [`Deploy_${dialect}`, `plain_${dialect}`])
    assert.deepEqual((await listFtpUsers(f.master, { orgId: org, siteName: 'shop.example' })).items.map((x) => x.id), [u.id])
    assert.deepEqual((await listFtpUsers(f.master, { orgId: org, environmentName: 'production' })).items, [])

    const changed = await updateFtpUser(f.master, { orgId: org, id: u.id, relativeRoot: '/', type: 'readonly', siteName: null, password: 'another-password' })
    assert.deepEqual([changed.relativeRoot, changed.type, changed.siteName, changed.environmentName, changed.name], ['/', 'readonly', null, 'staging', 'Web deploy'])
    const row2 = await f.deps.store.db.selectFrom('ftp_users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow()
    assert.ok(await verifySecret(row2.password_hash, 'another-password'))
    assert.ok(!(await verifySecret(row2.password_hash, 'ftp-password-1')))
    assert.ok(!JSON.stringify(row2).includes('another-password'))

    await deleteFtpUser(f.master, { orgId: org, id: u.id })
    await refuses(getFtpUser(f.master, { orgId: org, id: u.id }), 'not_found')
    await refuses(deleteFtpUser(f.master, { orgId: org, id: u.id }), 'not_found')
    await deleteFtpUser(f.master, { orgId: org, id: plain.id })
  })

  it('refuses bad fields and roots on create and update, changing nothing', async () => {
    const u = await createFtpUser(f.master, base(`keep_${dialect}`))
    const badCreates: [Record<string, unknown>, string][] = [
      [{ relativeRoot: '../x' }, 'relativeRoot'],
      [{ relativeRoot: '/etc' }, 'relativeRoot'],
      [{ relativeRoot: 'a/../../b' }, 'relativeRoot'],
      [{ relativeRoot: 'a\\b' }, 'relativeRoot'],
      [{ relativeRoot: 'a\u0000b' }, 'relativeRoot'],
      [{ relativeRoot: 'a\nb' }, 'relativeRoot'],
      [{ password: 'short' }, 'password'],
      [{ username: '' }, 'username'],
      [{ username: 'has space' }, 'username'],
      [{ username: '-leading' }, 'username'],
      [{ username: 'x'.repeat(65) }, 'username'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ type: 'admin' }, 'type'],
      [{ siteName: '' }, 'siteName'],
      [{ environmentName: 'x'.repeat(254) }, 'environmentName'],
      [{ extra: 1 }, ''],
    ]
    for (const [change, field] of badCreates) {
      await refuses(createFtpUser(f.master, { ...base(`new_${dialect}`), ...change } as never), 'invalid_argument', field || undefined)
    }
    for (const [change, field] of badCreates) {
      await refuses(updateFtpUser(f.master, { orgId: org, id: u.id, ...change } as never), 'invalid_argument', field || undefined)
    }
    assert.deepEqual((await listFtpUsers(f.master, { orgId: org })).items, [u], 'nothing was made or changed')
    await deleteFtpUser(f.master, { orgId: org, id: u.id })
  })

  it('usernames are unique across the system whatever their case, also under two concurrent creates', async () => {
    const a = await createFtpUser(f.master, base(`Shared_${dialect}`))
    await refuses(createFtpUser(f.master, { ...base(`shared_${dialect}`.toUpperCase()), orgId: other }), 'already_exists')
    const b = await createFtpUser(f.master, { ...base(`second_${dialect}`), orgId: other })
    await refuses(updateFtpUser(f.master, { orgId: other, id: b.id, username: `SHARED_${dialect}`, name: 'Renamed' }), 'already_exists')
    assert.deepEqual(await getFtpUser(f.master, { orgId: other, id: b.id }), b, 'a refused update changes nothing')
    // Its own name in another case is no clash.
    assert.equal((await updateFtpUser(f.master, { orgId: org, id: a.id, username: `SHARED_${dialect}` })).username, `SHARED_${dialect}`)

    const name = `race_${dialect}`
    const results = await Promise.allSettled([createFtpUser(f.master, base(name)), createFtpUser(f.master, { ...base(name.toUpperCase()), orgId: other })])
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)))
    assert.ok(lost[0]!.reason instanceof DomainError && lost[0]!.reason.code === 'already_exists', String(lost[0]!.reason))
    const rows = await f.deps.store.db.selectFrom('ftp_users').select('id').where('username_key', '=', name).execute()
    assert.equal(rows.length, 1)
  })

  it('readers may read, only org.write may change, and another reseller\'s customer and its FTP users are not found', async () => {
    const u = await createFtpUser(f.master, base(`guarded_${dialect}`))
    await createUser(f.master, { orgId: org, username: `ftpreader_${dialect}`, password: 'reader-password', role: 'readonly' })
    const reader = await f.as(`ftpreader_${dialect}`)
    assert.equal((await getFtpUser(reader, { orgId: org, id: u.id })).id, u.id)
    assert.ok((await listFtpUsers(reader, { orgId: org })).items.some((x) => x.id === u.id))
    await refuses(createFtpUser(reader, base(`byreader_${dialect}`)), 'forbidden')
    await refuses(updateFtpUser(reader, { orgId: org, id: u.id, type: 'readonly' }), 'forbidden')
    await refuses(deleteFtpUser(reader, { orgId: org, id: u.id }), 'forbidden')

    const resA = (await createCustomer(f.master, { parentId: f.masterId, name: 'FTP Reseller A', isReseller: true })).id
    const resB = (await createCustomer(f.master, { parentId: f.masterId, name: 'FTP Reseller B', isReseller: true })).id
    const custB = (await createCustomer(f.master, { parentId: resB, name: 'FTP Customer of B' })).id
    const theirs = await createFtpUser(f.master, { ...base(`theirs_${dialect}`), orgId: custB })
    await createUser(f.master, { orgId: resA, username: `ftpadmin_a_${dialect}`, password: 'admin-a-password', role: 'admin' })
    const adminA = await f.as(`ftpadmin_a_${dialect}`)
    await refuses(listFtpUsers(adminA, { orgId: custB }), 'not_found')
    await refuses(getFtpUser(adminA, { orgId: custB, id: theirs.id }), 'not_found')
    await refuses(updateFtpUser(adminA, { orgId: custB, id: theirs.id, password: 'hijacked-pass' }), 'not_found')
    await refuses(deleteFtpUser(adminA, { orgId: custB, id: theirs.id }), 'not_found')
    await refuses(createFtpUser(adminA, { ...base(`intruder_${dialect}`), orgId: custB }), 'not_found')
    // An FTP user is found only under its own customer.
    await refuses(getFtpUser(f.master, { orgId: org, id: theirs.id }), 'not_found')
    await refuses(deleteFtpUser(f.master, { orgId: org, id: theirs.id }), 'not_found')
    assert.deepEqual(await getFtpUser(f.master, { orgId: custB, id: theirs.id }), theirs)
    // Named by its id alone (as seed 001 names it): found within the actor's subtree only.
    await refuses(getFtpUser(adminA, { id: theirs.id }), 'not_found')
    await refuses(updateFtpUser(adminA, { id: theirs.id, password: 'hijacked-pass' }), 'not_found')
    await refuses(deleteFtpUser(adminA, { id: theirs.id }), 'not_found')
    await refuses(updateFtpUser(reader, { id: u.id, type: 'readonly' }), 'forbidden')
    assert.deepEqual(await getFtpUser(reader, { id: u.id }), u)
    assert.equal((await updateFtpUser(f.master, { id: theirs.id, name: 'By id' })).name, 'By id')
    await deleteFtpUser(f.master, { id: theirs.id })
    await refuses(getFtpUser(f.master, { id: theirs.id }), 'not_found')
  })
})
