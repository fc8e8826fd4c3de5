/**
 * A customer's settings and FTP users over native REST, on both databases: the routes in the
 * OpenAPI document, merge and bounds of settings, FTP users' lifecycle with their refusals
 * (problem+json naming the field; nothing changes), root confinement, username uniqueness
 * (also under concurrent creates), the password never answered nor stored in clear, roles, and
 * another reseller's customer answered 404.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

eachDialect('settings and FTP users over REST', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let org: string
  let other: string
  const ftp = (username: string, extra: object = {}) => ({ name: 'Deploy', username, password: 'ftp-password-1', relativeRoot: 'www', type: 'full', ...extra })

  before(async () => {
    s = await startServer(dialect)
    org = await p.customer('REST Settings Customer')
    other = await p.customer('REST Other Customer')
  })
  after(() => s.close())

  it('documents the routes in the OpenAPI document, with no password in the FTP user', async () => {
    const doc = (await s.req('GET', '/openapi.json', { auth: null })).body
    const want: [string, string[]][] = [
      ['/orgs/{org_id}/settings', ['get', 'put']],
      ['/orgs/{org_id}/settings/{name}', ['delete']],
      ['/orgs/{org_id}/ftp-users', ['get', 'post']],
      ['/orgs/{org_id}/ftp-users/{id}', ['get', 'patch', 'delete']],
    ]
    for (const [path, methods] of want) for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m} ${path}`)
    const schema = JSON.stringify(doc.components?.schemas ?? {})
    assert.ok(schema.includes('relativeRoot'))
    const ftpUser = doc.components.schemas.FtpUser ?? Object.values(doc.components.schemas).find((x: any) => x.properties?.relativeRoot && x.properties?.createdAt)
    assert.ok(ftpUser && !('password' in ftpUser.properties))
  })

  it('settings: PUT merges and answers the whole list, DELETE removes one, bad input is 400 and changes nothing', async () => {
    assert.deepEqual((await s.req('GET', `/orgs/${org}/settings`)).body, { items: [], total: 0 })
    const put = await s.req('PUT', `/orgs/${org}/settings`, { body: { settings: [{ name: 'theme', value: 'dark' }, { name: 'lang', value: 'en' }] } })
    assert.equal(put.status, 200, put.text)
    assert.deepEqual(put.body.items.map((x: any) => [x.name, x.value]), [['lang', 'en'], ['theme', 'dark']])
    const again = await s.req('PUT', `/orgs/${org}/settings`, { body: { settings: [{ name: 'lang', value: 'fr' }] } })
    assert.deepEqual(again.body.items.map((x: any) => [x.name, x.value]), [['lang', 'fr'], ['theme', 'dark']])

    for (const settings of [[{ name: 'bad name', value: '' }], [{ name: 'x'.repeat(65), value: '' }], [{ name: 'ok', value: 'v'.repeat(4001) }], [{ name: 'd', value: '1' }, { name: 'd', value: '2' }]]) {
      const r = await s.req('PUT', `/orgs/${org}/settings`, { body: { settings } })
      assert.equal(r.status, 400, r.text)
      assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/)
    }
    const many = Array.from({ length: 199 }, (_, i) => ({ name: `k${i}`, value: '' }))
    const tooMany = await s.req('PUT', `/orgs/${org}/settings`, { body: { settings: many } })
    assert.equal(tooMany.status, 409, tooMany.text)
    assert.deepEqual((await s.req('GET', `/orgs/${org}/settings`)).body.items.map((x: any) => [x.name, x.value]), [['lang', 'fr'], ['theme', 'dark']])

    assert.equal((await s.req('DELETE', `/orgs/${org}/settings/lang`)).status, 204)
    assert.equal((await s.req('DELETE', `/orgs/${org}/settings/lang`)).status, 404)
    assert.deepEqual((await s.req('GET', `/orgs/${org}/settings`)).body.items.map((x: any) => x.name), ['theme'])
  })

  it('FTP users: create (201, no password), get, list, patch, delete; the row holds only a hash', async () => {
    const c = await s.req('POST', `/orgs/${org}/ftp-users`, { body: ftp(`RestFtp_${dialect}`, { relativeRoot: 'a/./b', siteName: 'shop', environmentName: 'prod' }) })
    assert.equal(c.status, 201, c.text)
    assert.equal(c.body.relativeRoot, 'a/b')
    assert.equal(c.headers.get('location'), `/orgs/${org}/ftp-users/${c.body.id}`)
    assert.ok(!c.text.includes('ftp-password-1') && !('password' in c.body) && !('passwordHash' in c.body))
    const id = c.body.id as string
    const row = await s.deps.store.db.selectFrom('ftp_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    assert.ok(!JSON.stringify(row).includes('ftp-password-1'))
    assert.match(row.password_hash, /^\$argon2id\$/)

    const got = await s.req('GET', `/orgs/${org}/ftp-users/${id}`)
    assert.deepEqual(got.body, c.body)
    const list = await s.req('GET', `/orgs/${org}/ftp-users?siteName=shop`)
    assert.deepEqual(list.body.items.map((x: any) => x.id), [id])
    assert.ok(!list.text.includes('argon2'))
    const patched = await s.req('PATCH', `/orgs/${org}/ftp-users/${id}`, { body: { relativeRoot: '', type: 'readonly', siteName: null, password: 'new-ftp-password' } })
    assert.equal(patched.status, 200, patched.text)
    assert.deepEqual([patched.body.relativeRoot, patched.body.type, patched.body.siteName, patched.body.environmentName], ['/', 'readonly', null, 'prod'])
    assert.ok(!patched.text.includes('new-ftp-password'))
    assert.equal((await s.req('DELETE', `/orgs/${org}/ftp-users/${id}`)).status, 204)
    assert.equal((await s.req('GET', `/orgs/${org}/ftp-users/${id}`)).status, 404)
  })

  it('FTP users: bad roots and fields are 400 naming the field, and change nothing', async () => {
    const keep = await s.req('POST', `/orgs/${org}/ftp-users`, { body: ftp(`keep_${dialect}`) })
    assert.equal(keep.status, 201, keep.text)
    const bad: [object, string][] = [
      [{ relativeRoot: '../x' }, 'relativeRoot'],
      [{ relativeRoot: '/etc' }, 'relativeRoot'],
      [{ relativeRoot: 'a/../../b' }, 'relativeRoot'],
      [{ relativeRoot: 'a\\b' }, 'relativeRoot'],
      [{ relativeRoot: 'a\tb' }, 'relativeRoot'],
      // The REST face refuses NUL in any string before the operation sees it (without naming the field).
      [{ relativeRoot: 'a\u0000b' }, 'NUL'],
      [{ password: 'short' }, 'password'],
      [{ username: 'no spaces' }, 'username'],
      [{ type: 'root' }, 'type'],
      [{ name: '' }, 'name'],
    ]
    for (const [change, field] of bad) {
      const c = await s.req('POST', `/orgs/${org}/ftp-users`, { body: ftp(`new_${dialect}`, change) })
      assert.equal(c.status, 400, `${JSON.stringify(change)}: ${c.text}`)
      assert.match(JSON.stringify(c.body), new RegExp(field), c.text)
      const u = await s.req('PATCH', `/orgs/${org}/ftp-users/${keep.body.id}`, { body: change })
      assert.equal(u.status, 400, `${JSON.stringify(change)}: ${u.text}`)
    }
    const list = await s.req('GET', `/orgs/${org}/ftp-users`)
    assert.deepEqual(list.body.items, [keep.body])
  })

  it('FTP usernames are unique across customers whatever their case, also when two creates race (409)', async () => {
    const a = await s.req('POST', `/orgs/${org}/ftp-users`, { body: ftp(`Unique_${dialect}`) })
    assert.equal(a.status, 201, a.text)
    const b = await s.req('POST', `/orgs/${other}/ftp-users`, { body: ftp(`UNIQUE_${dialect}`.toUpperCase()) })
    assert.equal(b.status, 409, b.text)
    const name = `restrace_${dialect}`
    const both = await Promise.all([
      s.req('POST', `/orgs/${org}/ftp-users`, { body: ftp(name) }),
      s.req('POST', `/orgs/${other}/ftp-users`, { body: ftp(name.toUpperCase()) }),
    ])
    assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], both.map((r) => r.text).join(' | '))
  })

  it('a readonly user reads but may not write (403); another reseller\'s customer is 404 for everything', async () => {
    await p.user(org, `rest_ro_${dialect}`, 'readonly')
    const ro = p.as(`rest_ro_${dialect}`)
    assert.equal((await s.req('GET', `/orgs/${org}/settings`, ro)).status, 200)
    assert.equal((await s.req('GET', `/orgs/${org}/ftp-users`, ro)).status, 200)
    assert.equal((await s.req('PUT', `/orgs/${org}/settings`, { ...ro, body: { settings: [{ name: 'x', value: 'y' }] } })).status, 403)
    assert.equal((await s.req('POST', `/orgs/${org}/ftp-users`, { ...ro, body: ftp(`ro_${dialect}`) })).status, 403)

    const resA = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'REST Reseller A', isReseller: true } })
    const resB = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'REST Reseller B', isReseller: true } })
    assert.equal(resA.status, 201, resA.text)
    const custB = await s.req('POST', `/orgs/${resB.body.id}/customers`, { body: { name: 'REST Customer of B' } })
    assert.equal(custB.status, 201, custB.text)
    const theirs = await s.req('POST', `/orgs/${custB.body.id}/ftp-users`, { body: ftp(`theirs_${dialect}`) })
    assert.equal(theirs.status, 201, theirs.text)
    await s.req('PUT', `/orgs/${custB.body.id}/settings`, { body: { settings: [{ name: 'k', value: 'v' }] } })
    await p.user(resA.body.id, `rest_admin_a_${dialect}`, 'admin')
    const a = p.as(`rest_admin_a_${dialect}`)
    const cb = custB.body.id
    const tries: [string, string, object?][] = [
      ['GET', `/orgs/${cb}/settings`],
      ['PUT', `/orgs/${cb}/settings`, { settings: [{ name: 'k', value: 'stolen' }] }],
      ['DELETE', `/orgs/${cb}/settings/k`],
      ['GET', `/orgs/${cb}/ftp-users`],
      ['POST', `/orgs/${cb}/ftp-users`, ftp(`intruder_${dialect}`)],
      ['GET', `/orgs/${cb}/ftp-users/${theirs.body.id}`],
      ['PATCH', `/orgs/${cb}/ftp-users/${theirs.body.id}`, { password: 'hijacked-password' }],
      ['DELETE', `/orgs/${cb}/ftp-users/${theirs.body.id}`],
      // Its own customer's path with another customer's FTP user id: still not found.
      ['GET', `/orgs/${org}/ftp-users/${theirs.body.id}`],
    ]
    for (const [m, path, body] of tries) {
      const r = await s.req(m, path, body ? { ...a, body } : a)
      assert.equal(r.status, 404, `${m} ${path}: ${r.text}`)
    }
    assert.deepEqual((await s.req('GET', `/orgs/${cb}/ftp-users/${theirs.body.id}`)).body, theirs.body)
    assert.deepEqual((await s.req('GET', `/orgs/${cb}/settings`)).body.items.map((x: any) => x.value), ['v'])
  })
})
