/**
 * Seed 003's UI preferences and avatars held to Enhance's published OpenAPI document
 * (test/fixtures/enhance/), on both databases: every answer is validated against the
 * document's schema for its status, and what a user notices is asserted beside it —
 * preferences belong to one login and round-trip; an avatar comes back byte for byte with its
 * content type and is named by `avatarPath` / `ownerAvatarPath`; a file that is not a whole
 * PNG or JPEG (GIF, SVG, HTML named .png, a PNG with HTML behind it, too large, extra fields)
 * is 400 and changes nothing; a readonly member may not set its organisation's avatar; another
 * tenant's organisation is 404.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { ADMIN_PASSWORD, basic, eachDialect, startServer, type Answer, type RequestOptions, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { conformanceCaller, conformanceErrors, ENHANCE, exampleBody } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'

const NOBODY = '00000000-0000-4000-8000-000000000000'
const PREFS = '/logins/ui-preferences'

/** CRC-32 (ISO 3309), for the PNG chunks this test makes. */
function crc32(bytes: Uint8Array): number {
  let c = ~0
  for (const b of bytes) {
    c ^= b
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** A real RGB PNG of `width`×`height` pixels of one colour, with `padding` bytes of comment. */
function png(width: number, height: number, rgb: [number, number, number], padding = 0): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => rgb[i % 3]!)])
  const idat = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))
  const text = padding > 0 ? [chunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(padding, 0x61)]))] : []
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...text, chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}

/**
 * A real baseline JPEG: 8×8 pixels of mid grey — one block whose only coefficient is a DC
 * difference of 0, coded with one-symbol Huffman tables.
 */
function jpeg(): Buffer {
  const seg = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data]
  const oneSymbolTable = (tc: number) => [tc, 1, ...Array(15).fill(0), 0x00]
  return Buffer.from([
    0xff, 0xd8,
    ...seg(0xdb, [0x00, ...Array(64).fill(1)]),
    ...seg(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    ...seg(0xc4, oneSymbolTable(0x00)),
    ...seg(0xc4, oneSymbolTable(0x10)),
    ...seg(0xda, [1, 1, 0x00, 0, 63, 0]),
    0x3f,
    0xff, 0xd9,
  ])
}

const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b])])
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>')
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>')

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

eachDialect("seed 003's UI preferences and avatars against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  const checked = new Set<string>()
  const call = conformanceCaller(() => s, checked)

  /** Asserts that an answer of an operation another test file covers is within the document too. */
  function within(method: string, template: string, r: Answer): Answer {
    assert.deepEqual(conformanceErrors(method, template, r.status, r.body, r.text), [], `${method} ${template}`)
    return r
  }

  type Auth = RequestOptions['auth']
  /** The Authorization header `auth` stands for (harness.ts's convention: undefined is the admin). */
  function authHeader(auth: Auth): Record<string, string> {
    if (auth === null) return {}
    if (auth === undefined) return { authorization: basic('admin', ADMIN_PASSWORD) }
    return { authorization: Array.isArray(auth) ? basic(auth[0], auth[1]) : `Bearer ${auth}` }
  }

  /**
   * Sends a multipart/form-data upload (Node's FormData) to `PUT path`, an operation of the
   * document at `template`, and asserts the status and that the answer is within the document.
   */
  async function upload(template: string, path: string, parts: [string, Blob | string, string?][], expect: number, auth?: Auth): Promise<Answer> {
    const form = new FormData()
    for (const [name, value, filename] of parts) {
      if (typeof value === 'string') form.append(name, value)
      else form.append(name, value, filename ?? 'avatar')
    }
    const res = await fetch(s.base + path, { method: 'PUT', body: form, headers: authHeader(auth) })
    const text = await res.text()
    const body = text ? (JSON.parse(text) as unknown) : undefined
    assert.equal(res.status, expect, `PUT ${path} answered ${res.status}, expected ${expect}: ${text.slice(0, 300)}`)
    assert.deepEqual(conformanceErrors('PUT', template, res.status, body, text), [], `PUT ${path} answered outside the document`)
    checked.add(ENHANCE.paths[template].put.operationId)
    return { status: res.status, headers: res.headers, body, text }
  }
  const file = (bytes: Uint8Array, type: string, name = 'avatar.png'): [string, Blob, string] => ['avatar', new Blob([bytes], { type }), name]

  const { customer, user, as } = people(() => s)

  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(() => s.close())

  it('UI preferences: set once, read, changed, per login, within bounds', async () => {
    const g1 = (await s.req('POST', '/server-groups', { body: { name: 'Prefs EU' } })).body.id as string
    const g2 = (await s.req('POST', '/server-groups', { body: { name: 'Prefs US' } })).body.id as string
    const adminId = within('GET', '/login', await s.req('GET', '/login')).body.id as string

    await call('GET', PREFS, PREFS, {}, 404)
    await call('PATCH', PREFS, PREFS, { body: { spineOpen: true } }, 404)
    const full = exampleBody('POST', PREFS, { all: true, values: { serverGroups: [g1, g2] } }) as Record<string, unknown>
    for (const k of Object.keys(ENHANCE.components.schemas.NewUiPreferences.properties)) assert.ok(k in full, `the generated body lacks ${k}`)
    await call('POST', PREFS, PREFS, { body: full }, 201)
    await call('POST', PREFS, PREFS, { body: { ...full, websiteView: 'grid' } }, 409)
    const got = await call('GET', PREFS, PREFS, {}, 200)
    assert.deepEqual(
      [got.body.loginId, got.body.fileManagerView, got.body.websiteView, got.body.spineOpen, got.body.fileManagerEditorFullscreen, got.body.serverGroups, got.body.onboardingCardDismissed],
      [adminId, 'list', 'list', true, true, [g1, g2], false],
    )

    await call('PATCH', PREFS, PREFS, { body: { websiteView: 'grid', onboardingCardDismissed: true, serverGroups: [g2] } }, 200)
    await call('PATCH', PREFS, PREFS, { body: exampleBody('PATCH', PREFS, { all: true, values: { serverGroups: [], websiteView: 'grid', spineOpen: false } }) }, 200)
    const changed = await call('GET', PREFS, PREFS, {}, 200)
    assert.deepEqual([changed.body.websiteView, changed.body.spineOpen, changed.body.serverGroups, changed.body.onboardingCardDismissed], ['grid', false, [], true])

    // Bad input is 400 and changes nothing.
    const before = JSON.stringify((await s.req('GET', PREFS)).body)
    await call('PATCH', PREFS, PREFS, { body: { websiteView: 'tiles' } }, 400, 'invalid')
    await call('PATCH', PREFS, PREFS, { body: { serverGroups: [NOBODY] } }, 400)
    await call('PATCH', PREFS, PREFS, { body: { serverGroups: [g1, g1] } }, 400)
    await call('PATCH', PREFS, PREFS, { body: { serverGroups: Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`) } }, 400)
    await call('PATCH', PREFS, PREFS, { body: { spineOpen: 'yes' } }, 400, 'invalid')
    await call('PATCH', PREFS, PREFS, { body: { spineOpen: true, theme: 'dark' } }, 400)
    assert.equal(JSON.stringify((await s.req('GET', PREFS)).body), before)
    await call('GET', PREFS, PREFS, { auth: null }, 401)

    // Another login has none of the admin's, sets its own (by session cookie), and leaves the admin's alone.
    const org = await customer('Prefs Customer')
    const annId = await user(org, 'prefs-ann', 'member')
    const login = await s.req('POST', '/login/sessions', { auth: null, body: { email: 'prefs-ann', password: 'prefs-ann-password' } })
    assert.equal(login.status, 200, login.text)
    const cookie = { auth: null, headers: { cookie: /id0=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0] } }
    await call('GET', PREFS, PREFS, cookie, 404)
    await call('POST', PREFS, PREFS, { ...cookie, body: { fileManagerView: 'grid', websiteView: 'grid', spineOpen: false, fileManagerEditorFullscreen: false, serverGroups: [NOBODY] } }, 400)
    await call('POST', PREFS, PREFS, { ...cookie, body: { fileManagerView: 'grid', websiteView: 'grid', spineOpen: false, fileManagerEditorFullscreen: false, serverGroups: [g1] } }, 201)
    const ann = await call('GET', PREFS, PREFS, cookie, 200)
    assert.deepEqual([ann.body.loginId, ann.body.fileManagerView, ann.body.serverGroups], [annId, 'grid', [g1]])
    assert.equal(JSON.stringify((await s.req('GET', PREFS)).body), before)

    // A server group deleted since it was named is left out of the answer.
    assert.equal((await s.req('DELETE', `/server-groups/${g1}`)).status, 204)
    assert.deepEqual((await s.req('GET', PREFS, cookie)).body.serverGroups, [])
  })

  it("a login's avatar: uploaded, answered as avatarPath, served back byte for byte, replaced, removed", async () => {
    const org = await customer('Avatar Customer')
    await user(org, 'avatar-carol', 'owner')
    const bobId = await user(org, 'avatar-bob', 'readonly')
    const first = png(3, 2, [200, 30, 30])
    assert.equal(within('GET', '/login', await s.req('GET', '/login')).body.avatarPath, undefined)

    await upload('/login/avatar', '/login/avatar', [file(first, 'image/png')], 200)
    const me = within('GET', '/login', await s.req('GET', '/login'))
    assert.equal(me.body.avatarPath, `/avatars/${sha256(first)}`)
    const served = await fetch(s.base + me.body.avatarPath, { headers: authHeader(as('avatar-bob').auth) })
    assert.equal(served.status, 200)
    assert.equal(served.headers.get('content-type'), 'image/png')
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff')
    const etag = served.headers.get('etag')!
    assert.equal(etag, `"${sha256(first)}"`)
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(first), 'the avatar comes back byte for byte')
    const again = await fetch(s.base + me.body.avatarPath, { headers: { ...authHeader(undefined), 'if-none-match': etag } })
    assert.equal(again.status, 304)
    assert.equal((await fetch(s.base + me.body.avatarPath)).status, 401)
    assert.equal((await s.req('GET', `/avatars/${'0'.repeat(64)}`)).status, 404)
    // Members and logins of the admin's organisation answer it too; another login has none.
    const asMember = within('GET', '/orgs/{org_id}/members/{member_id}', await s.req('GET', `/orgs/${s.masterId}/members/${me.body.id}`))
    assert.equal(asMember.body.avatarPath, me.body.avatarPath)
    const listed = within('GET', '/orgs/{org_id}/logins', await s.req('GET', `/orgs/${s.masterId}/logins`))
    assert.equal(listed.body.items.find((l: { id: string }) => l.id === me.body.id).avatarPath, me.body.avatarPath)
    assert.equal(within('GET', '/login', await s.req('GET', '/login', as('avatar-bob'))).body.avatarPath, undefined)

    // Refused, 400, and nothing changes: not PNG or JPEG, disguised, past the size, other fields.
    const refusals: [string, [string, Blob | string, string?][], RegExp][] = [
      ['a GIF', [file(GIF, 'image/gif', 'a.gif')], /neither a PNG nor a JPEG/],
      ['an SVG', [file(SVG, 'image/svg+xml', 'a.svg')], /neither a PNG nor a JPEG/],
      ['HTML named .png', [file(HTML, 'image/png', 'a.png')], /neither a PNG nor a JPEG/],
      ['a PNG signature with HTML behind it', [file(Buffer.concat([first.subarray(0, 33), HTML]), 'image/png')], /not a whole one/],
      ['a whole PNG with HTML after its end', [file(Buffer.concat([first, HTML]), 'image/png')], /not a whole one/],
      ['a PNG wider than 4096 pixels', [file(png(5000, 1, [0, 0, 0]), 'image/png')], /5000×1 pixels/],
      ['a PNG past 256 KiB', [file(png(1, 1, [0, 0, 0], 256 * 1024), 'image/png')], /larger than 256 KiB/],
      ['an empty file', [file(Buffer.alloc(0), 'image/png')], /empty/],
      ['another field name', [['picture', new Blob([first], { type: 'image/png' }), 'a.png']], /field avatar only/],
      ['a text field beside the file', [file(first, 'image/png'), ['note', 'hello']], /avatar only|one part only/],
      ['two files', [file(first, 'image/png'), file(first, 'image/png')], /one part only|one file only/],
      ['no field at all', [], /avatar is required|malformed/],
    ]
    for (const [what, parts, why] of refusals) {
      const r = await upload('/login/avatar', '/login/avatar', parts, 400)
      assert.equal(r.body.code, 'invalid_argument', what)
      assert.match(r.body.detail, why, what)
      assert.equal((await s.req('GET', '/login')).body.avatarPath, me.body.avatarPath, `${what} changed the avatar`)
    }
    const json = await s.req('PUT', '/login/avatar', { body: { avatar: 'x' } })
    assert.equal(json.status, 400, json.text)
    assert.equal((await upload('/login/avatar', '/login/avatar', [file(first, 'image/png')], 401, null)).status, 401)

    // A JPEG replaces it (the declared type is not what decides: the bytes are).
    const second = jpeg()
    await upload('/login/avatar', '/login/avatar', [file(second, 'application/octet-stream', 'me.jpg')], 200)
    const replaced = (await s.req('GET', '/login')).body.avatarPath as string
    assert.equal(replaced, `/avatars/${sha256(second)}`)
    const jpg = await fetch(s.base + replaced, { headers: authHeader(undefined) })
    assert.equal(jpg.headers.get('content-type'), 'image/jpeg')
    assert.ok(Buffer.from(await jpg.arrayBuffer()).equals(second))
    assert.equal((await s.req('GET', me.body.avatarPath)).status, 404, 'the replaced picture is no longer served')

    // The readonly login sets its own; removing the admin's leaves Bob's.
    await upload('/login/avatar', '/login/avatar', [file(first, 'image/png')], 200, as('avatar-bob').auth)
    await call('DELETE', '/login/avatar', '/login/avatar', {}, 204)
    await call('DELETE', '/login/avatar', '/login/avatar', {}, 204)
    await call('DELETE', '/login/avatar', '/login/avatar', { auth: null }, 401)
    assert.equal((await s.req('GET', '/login')).body.avatarPath, undefined)
    assert.equal((await s.req('GET', replaced)).status, 404)
    const bob = within('GET', '/orgs/{org_id}/members/{member_id}', await s.req('GET', `/orgs/${org}/members/${bobId}`))
    assert.equal(bob.body.avatarPath, `/avatars/${sha256(first)}`)
    // Deleting the user takes its avatar with it.
    assert.equal((await s.req('DELETE', `/orgs/${org}/members/${bobId}`)).status, 204)
    assert.equal((await s.req('GET', `/avatars/${sha256(first)}`)).status, 404)
  })

  it("an organisation's avatar: whoever may edit it sets it, answered as ownerAvatarPath; readers 403, other tenants 404", async () => {
    const c = await customer('Org Avatar Customer')
    const d = await customer('Org Avatar Other')
    await user(c, 'org-avatar-owner', 'owner')
    await user(c, 'org-avatar-reader', 'readonly')
    const pic = png(2, 2, [10, 120, 240])
    const path = `/avatars/${sha256(pic)}`

    await upload('/orgs/{org_id}/avatar', `/orgs/${c}/avatar`, [file(pic, 'image/png')], 403, as('org-avatar-reader').auth)
    await upload('/orgs/{org_id}/avatar', `/orgs/${d}/avatar`, [file(pic, 'image/png')], 404, as('org-avatar-owner').auth)
    await upload('/orgs/{org_id}/avatar', `/orgs/${NOBODY}/avatar`, [file(pic, 'image/png')], 404)
    const v0 = (await s.req('GET', `/orgs/${c}`)).body.version as number
    await upload('/orgs/{org_id}/avatar', `/orgs/${c}/avatar`, [file(GIF, 'image/gif', 'a.gif')], 400)
    assert.equal((await s.req('GET', `/orgs/${c}`)).body.version, v0, 'a refused file changes nothing')

    await upload('/orgs/{org_id}/avatar', `/orgs/${c}/avatar`, [file(pic, 'image/png')], 200, as('org-avatar-owner').auth)
    const got = within('GET', '/orgs/{org_id}', await s.req('GET', `/orgs/${c}`))
    assert.equal(got.body.ownerAvatarPath, path)
    const listed = within('GET', '/orgs/{org_id}/customers', await s.req('GET', `/orgs/${s.masterId}/customers`))
    assert.equal(listed.body.items.find((o: { id: string }) => o.id === c).ownerAvatarPath, path)
    assert.equal(listed.body.items.find((o: { id: string }) => o.id === d).ownerAvatarPath, undefined)
    const served = await fetch(s.base + path, { headers: authHeader(as('org-avatar-reader').auth) })
    assert.equal(served.headers.get('content-type'), 'image/png')
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(pic))

    await call('DELETE', '/orgs/{org_id}/avatar', `/orgs/${c}/avatar`, as('org-avatar-reader'), 403)
    await call('DELETE', '/orgs/{org_id}/avatar', `/orgs/${d}/avatar`, as('org-avatar-owner'), 404)
    await call('DELETE', '/orgs/{org_id}/avatar', `/orgs/${NOBODY}/avatar`, {}, 404)
    assert.equal((await s.req('GET', `/orgs/${c}`)).body.ownerAvatarPath, path)
    await call('DELETE', '/orgs/{org_id}/avatar', `/orgs/${c}/avatar`, {}, 204)
    assert.equal(within('GET', '/orgs/{org_id}', await s.req('GET', `/orgs/${c}`)).body.ownerAvatarPath, undefined)
    assert.equal((await s.req('GET', path)).status, 404)
    await call('DELETE', '/orgs/{org_id}/avatar', `/orgs/${c}/avatar`, {}, 204)
  })

  it('covered every UI preference and avatar operation of the document', () => {
    assert.deepEqual([...checked].sort(), [...COVERED['enhance-login-extras.test.ts']].sort())
  })
})
