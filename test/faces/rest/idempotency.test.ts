/**
 * Idempotency-Key on POST over real HTTP: replays, mismatches, keys in flight, per-user keys,
 * replays across two server processes sharing the database, what is never stored, and a retry
 * of a call whose process died after its work committed and before its answer was recorded.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { ADMIN_PASSWORD, eachDialect, startServer, startServerOn, type Answer, type TestServer } from '../../helpers/harness.js'
import { claimIdempotencyKey, decodeJournalValue, encodeJournalValue, requestFingerprint } from '../../../src/ops/idempotency.js'
import { contextOf, type ExecParams, type WriteJournal } from '../../../src/ops/context.js'
import { createCustomer } from '../../../src/ops/orgs/create-customer.js'
import { createApiKey } from '../../../src/ops/keys/keys.js'
import { actorOf } from '../../helpers/ops.js'

eachDialect('REST Idempotency-Key', (dialect) => {
  let s: TestServer
  let s2: TestServer
  let adminId: string
  before(async () => {
    s = await startServer(dialect)
    s2 = await startServerOn(s.location)
    adminId = (await s.req('GET', '/identity')).body.user.id
  })
  after(async () => {
    await s2.close()
    await s.close()
  })

  const customers = () => `/orgs/${s.masterId}/customers`

  function post(server: TestServer, key: string, body: unknown, auth?: [string, string]): Promise<Answer> {
    return server.req('POST', customers(), { body, headers: { 'idempotency-key': key }, ...(auth ? { auth } : {}) })
  }

  /** How many live customers of the master organisation carry `name`. */
  async function countNamed(name: string): Promise<number> {
    const r = await s.req('GET', `${customers()}?limit=1000`)
    assert.equal(r.status, 200, r.text)
    return r.body.items.filter((o: { name: string }) => o.name === name).length
  }

  describe('replay', () => {
    it('the same key and body replays the first answer and creates one customer', async () => {
      const body = { name: 'Idem One', description: 'first', city: 'Oslo' }
      const a = await post(s, 'k-one', body)
      assert.equal(a.status, 201, a.text)
      assert.equal(a.headers.get('idempotent-replayed'), null)
      // Same fields in another order: the same request.
      const b = await post(s, 'k-one', { city: 'Oslo', description: 'first', name: 'Idem One' })
      assert.equal(b.status, 201, b.text)
      assert.equal(b.headers.get('idempotent-replayed'), 'true')
      assert.equal(b.body.id, a.body.id)
      assert.equal(b.text, a.text)
      assert.match(b.headers.get('content-type') ?? '', /^application\/json/)
      const c = await post(s, 'k-one', body)
      assert.equal(c.body.id, a.body.id)
      assert.equal(await countNamed('Idem One'), 1)
    })

    it('replays an error answer too (the request is not run again)', async () => {
      assert.equal((await s.req('POST', customers(), { body: { name: 'Idem Taken' } })).status, 201)
      const a = await post(s, 'k-taken', { name: 'Idem Taken' })
      assert.equal(a.status, 409, a.text)
      assert.equal(a.body.code, 'already_exists')
      const b = await post(s, 'k-taken', { name: 'Idem Taken' })
      assert.equal(b.status, 409)
      assert.equal(b.headers.get('idempotent-replayed'), 'true')
      assert.equal(b.text, a.text)
      assert.match(b.headers.get('content-type') ?? '', /^application\/problem\+json/)
    })

    it('replays across two server processes sharing the database', async () => {
      const a = await post(s, 'k-shared-db', { name: 'Idem Across' })
      assert.equal(a.status, 201, a.text)
      const b = await post(s2, 'k-shared-db', { name: 'Idem Across' })
      assert.equal(b.status, 201, b.text)
      assert.equal(b.headers.get('idempotent-replayed'), 'true')
      assert.equal(b.body.id, a.body.id)
      const c = await post(s2, 'k-shared-db', { name: 'Idem Across', city: 'Bergen' })
      assert.equal(c.status, 422, c.text)
      assert.equal(await countNamed('Idem Across'), 1)
    })

    it('concurrent requests with one key create one customer; the others replay or wait (409)', async () => {
      const body = { name: 'Idem Race' }
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(i % 2 ? s2 : s, 'k-race', body)))
      const created = answers.filter((x) => x.status === 201)
      const busy = answers.filter((x) => x.status === 409)
      assert.equal(created.length + busy.length, answers.length, answers.map((x) => `${x.status} ${x.text}`).join('\n'))
      assert.ok(created.length >= 1)
      assert.equal(new Set(created.map((x) => x.body.id)).size, 1)
      for (const x of busy) assert.equal(x.body.code, 'conflict')
      assert.equal(await countNamed('Idem Race'), 1)
      const after = await post(s, 'k-race', body)
      assert.equal(after.status, 201)
      assert.equal(after.body.id, created[0]!.body.id)
    })

    it('a request without a key is not deduplicated', async () => {
      await s.req('POST', customers(), { body: { name: 'Idem None A' } })
      await s.req('POST', customers(), { body: { name: 'Idem None B' } })
      assert.equal(await countNamed('Idem None A'), 1)
      assert.equal(await countNamed('Idem None B'), 1)
    })
  })

  describe('refusals', () => {
    it('the same key with a different body answers 422 and creates nothing', async () => {
      const a = await post(s, 'k-mismatch', { name: 'Idem Mismatch' })
      assert.equal(a.status, 201)
      const b = await post(s, 'k-mismatch', { name: 'Idem Mismatch Other' })
      assert.equal(b.status, 422, b.text)
      assert.equal(b.body.code, 'idempotency_mismatch')
      assert.equal(b.headers.get('idempotent-replayed'), null)
      assert.equal(await countNamed('Idem Mismatch Other'), 0)
    })

    it('the same key on another route answers 422', async () => {
      const a = await post(s, 'k-route', { name: 'Idem Route' })
      assert.equal(a.status, 201)
      const b = await s.req('POST', `/orgs/${a.body.id}/groups`, { body: { name: 'Idem Route' }, headers: { 'idempotency-key': 'k-route' } })
      assert.equal(b.status, 422, b.text)
      assert.equal((await s.req('GET', `/orgs/${a.body.id}/groups`)).body.total, 0)
    })

    it('a key still in flight answers 409 conflict and runs nothing', async () => {
      const body = { name: 'Idem In Flight' }
      await s.deps.store.write((trx) =>
        trx
          .insertInto('idempotency_keys')
          .values({
            owner: adminId,
            key: 'k-in-flight',
            request_hash: requestFingerprint(s.deps.secrets, 'POST', customers(), body),
            state: 'in_flight',
            status_code: null,
            body: null,
            headers: null,
            created_at: new Date().toISOString(),
          })
          .execute(),
      )
      const r = await post(s, 'k-in-flight', body)
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.code, 'conflict')
      assert.equal((await post(s2, 'k-in-flight', body)).status, 409)
      assert.equal(await countNamed('Idem In Flight'), 0)
      // A different request with the key in flight is still a mismatch.
      assert.equal((await post(s, 'k-in-flight', { name: 'Other' })).status, 422)
    })

    it('a key left in flight by a dead process is released after a while', async () => {
      const body = { name: 'Idem Abandoned' }
      await s.deps.store.write((trx) =>
        trx
          .insertInto('idempotency_keys')
          .values({
            owner: adminId,
            key: 'k-abandoned',
            request_hash: requestFingerprint(s.deps.secrets, 'POST', customers(), body),
            state: 'in_flight',
            status_code: null,
            body: null,
            headers: null,
            created_at: new Date(Date.now() - 10 * 60_000).toISOString(),
          })
          .execute(),
      )
      const r = await post(s, 'k-abandoned', body)
      assert.equal(r.status, 201, r.text)
      const again = await post(s, 'k-abandoned', body)
      assert.equal(again.body.id, r.body.id)
      assert.equal(await countNamed('Idem Abandoned'), 1)
    })

    it("keeps only a keyed digest of a body, never one that can be checked against a guessed password", async () => {
      const body = { username: `idem_pw_${dialect}`, password: 'correct horse battery staple', role: 'member' }
      const r = await s.req('POST', `/orgs/${s.masterId}/members`, { body, headers: { 'idempotency-key': 'k-password' } })
      assert.equal(r.status, 201, r.text)
      const row = await s.deps.store.db.selectFrom('idempotency_keys').select('request_hash').where('key', '=', 'k-password').executeTakeFirstOrThrow()
      const text = `POST /orgs/${s.masterId}/members\n${JSON.stringify({ password: body.password, role: body.role, username: body.username })}`
      assert.notEqual(row.request_hash, createHash('sha256').update(text).digest('hex'))
      assert.equal(row.request_hash, s.deps.secrets.mac(text))
      assert.ok(!JSON.stringify(await s.deps.store.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'k-password').execute()).includes('horse'))
    })

    it('refuses a malformed key with 400', async () => {
      for (const key of ['x'.repeat(256), 'has space', 'tab\there']) {
        const r = await post(s, key, { name: 'Idem Bad Key' })
        assert.equal(r.status, 400, `${JSON.stringify(key)}: ${r.text}`)
        assert.equal(r.body.code, 'invalid_argument')
      }
      assert.equal(await countNamed('Idem Bad Key'), 0)
    })
  })

  describe('ownership', () => {
    it('different users may use the same key independently', async () => {
      const u = await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username: 'idem-admin', password: 'idem-admin-password', role: 'admin' } })
      assert.equal(u.status, 201, u.text)
      const other = ['idem-admin', 'idem-admin-password'] as [string, string]
      const a = await post(s, 'k-per-user', { name: 'Idem Mine' }, ['admin', ADMIN_PASSWORD])
      const b = await post(s, 'k-per-user', { name: 'Idem Theirs' }, other)
      assert.equal(a.status, 201, a.text)
      assert.equal(b.status, 201, b.text)
      assert.equal(b.headers.get('idempotent-replayed'), null)
      assert.notEqual(a.body.id, b.body.id)
      // Each replays its own answer.
      assert.equal((await post(s, 'k-per-user', { name: 'Idem Theirs' }, other)).body.id, b.body.id)
      assert.equal((await post(s, 'k-per-user', { name: 'Idem Mine' })).body.id, a.body.id)
      assert.equal(await countNamed('Idem Mine'), 1)
      assert.equal(await countNamed('Idem Theirs'), 1)
    })

    it('the same user on another credential (API key) shares its keys', async () => {
      const k = await s.req('POST', '/api-keys', { body: { name: 'idem' } })
      const a = await post(s, 'k-same-user', { name: 'Idem Same User' })
      const b = await s.req('POST', customers(), { auth: k.body.secret, body: { name: 'Idem Same User' }, headers: { 'idempotency-key': 'k-same-user' } })
      assert.equal(b.status, 201)
      assert.equal(b.body.id, a.body.id)
      assert.equal(await countNamed('Idem Same User'), 1)
    })
  })

  describe('a process that died between the work and its answer', () => {
    /**
     * Leaves `key` as a process killed after its work committed leaves it: claimed, the work
     * done under the claim's journal (the operation run as the route runs it), no answer
     * recorded, and the claim no longer renewed (its lease lapsed).
     */
    async function diedAfterWork<R>(key: string, path: string, body: unknown, run: (exec: ExecParams) => Promise<R>): Promise<{ result: R; exec: ExecParams }> {
      const claim = await claimIdempotencyKey(s.deps, adminId, key, requestFingerprint(s.deps.secrets, 'POST', path, body))
      assert.ok(claim.journal, 'the key was claimed')
      const exec: ExecParams = { journal: claim.journal }
      const result = await run(exec)
      const lapsed = new Date(Date.now() - 60_000).toISOString()
      await s.deps.store.write((trx) => trx.updateTable('idempotency_keys').set({ created_at: lapsed }).where('key', '=', key).execute())
      return { result, exec }
    }

    it('the retry resumes it: the first run\'s object and request are answered, nothing is made twice', async () => {
      const body = { name: 'Idem Died After Work', city: 'Bergen' }
      const admin = await actorOf(s.deps, 'admin')
      const { result: org, exec } = await diedAfterWork('k-died', customers(), body, (exec) =>
        createCustomer(contextOf(s.deps, admin, exec), { ...body, parentId: s.masterId }),
      )
      const row = await s.deps.store.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'k-died').executeTakeFirstOrThrow()
      assert.equal(row.state, 'in_flight')
      assert.ok(row.journal, 'the write was journaled in its own transaction')
      assert.ok(!row.journal.includes('Bergen'), 'the journal is sealed')
      const creates = async () => (await s.deps.store.db.selectFrom('requests').select(['guid', 'status']).where('operation', '=', 'customer.create').execute()).map((x) => `${x.guid} ${x.status}`).sort()
      const recorded = await creates()
      assert.ok(recorded.includes(`${exec.guid} succeeded`))
      // Another process takes the lapsed claim over: one organisation, answered as the first run's.
      const r = await post(s2, 'k-died', body)
      assert.equal(r.status, 201, r.text)
      assert.equal(r.body.id, org.id)
      assert.equal(r.headers.get('location'), `/orgs/${org.id}`)
      assert.equal(r.headers.get('etag'), `"${org.version}"`)
      assert.equal(r.headers.get('x-job-guid'), exec.guid, "the answer names the first run's request")
      assert.equal(await countNamed('Idem Died After Work'), 1)
      assert.deepEqual(await creates(), recorded, 'no request recorded but the first run\'s')
      // Now answered and recorded: a further retry is a plain replay.
      const again = await post(s, 'k-died', body)
      assert.equal(again.headers.get('idempotent-replayed'), 'true')
      assert.equal(again.text, r.text)
      const done = await s.deps.store.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'k-died').executeTakeFirstOrThrow()
      assert.equal(done.state, 'done')
      assert.equal(done.journal, null)
    })

    it('a new API key whose answer was lost is not made again, and its lost secret is never shown: 409, recorded', async () => {
      const body = { name: 'idem-died-key' }
      const admin = await actorOf(s.deps, 'admin')
      const { result: key } = await diedAfterWork('k-died-key', '/api-keys', body, (exec) => createApiKey(contextOf(s.deps, admin, exec), body))
      const random = key.secret.slice(-16)
      const row = await s.deps.store.db.selectFrom('idempotency_keys').select('journal').where('key', '=', 'k-died-key').executeTakeFirstOrThrow()
      assert.ok(row.journal && !row.journal.includes(random), 'the journal holds the secret sealed, never in clear')
      const r = await s2.req('POST', '/api-keys', { body, headers: { 'idempotency-key': 'k-died-key' } })
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.code, 'conflict')
      assert.match(r.body.detail, /carried out/)
      assert.ok(!r.text.includes('secret') && !r.text.includes(random))
      const again = await s.req('POST', '/api-keys', { body, headers: { 'idempotency-key': 'k-died-key' } })
      assert.equal(again.status, 409)
      assert.equal(again.headers.get('idempotent-replayed'), 'true')
      const keys = await s.req('GET', '/api-keys')
      assert.equal(keys.status, 200, keys.text)
      assert.equal(keys.body.items.filter((k: { name: string }) => k.name === 'idem-died-key').length, 1)
      // The key the dead run made works with the secret it made.
      assert.equal((await s.req('GET', '/identity', { auth: key.secret })).status, 200)
    })

    it('a resumed call that asks for another write than the one journaled in its place is not resumed', async () => {
      const admin = await actorOf(s.deps, 'admin')
      const journal: WriteJournal = {
        owner: adminId,
        key: 'k-other-path',
        entries: { 'customer.create#0': { v: { id: 'not-made-here' }, g: '00000000-0000-7000-8000-000000000000', s: 'another-site' } },
        counts: {},
        resumed: false,
        undone: false,
      }
      await assert.rejects(createCustomer(contextOf(s.deps, admin, { journal }), { name: 'Idem Other Path', parentId: s.masterId }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'conflict')
        assert.match(e.message, /carried out/)
        return true
      })
      assert.equal(await countNamed('Idem Other Path'), 0)
    })

    it('a binary body (an XML document, a Thrift message) is fingerprinted as its bytes, not walked key by key', () => {
      // Walked as an object, a Buffer was its indices sorted as text: 1.2 s of CPU for a 1 MiB keyed document.
      const bytes = Buffer.from('ab')
      assert.notEqual(requestFingerprint(s.deps.secrets, 'POST', '/x', bytes), requestFingerprint(s.deps.secrets, 'POST', '/x', { 0: 97, 1: 98 }))
      assert.equal(requestFingerprint(s.deps.secrets, 'POST', '/x', bytes), requestFingerprint(s.deps.secrets, 'POST', '/x', Buffer.from('ab')))
      assert.notEqual(requestFingerprint(s.deps.secrets, 'POST', '/x', bytes), requestFingerprint(s.deps.secrets, 'POST', '/x', Buffer.from('ac')))
    })

    it("a journal keeps a write's result exactly, or declines what is not plain data", () => {
      const value = { a: [1, -0, NaN, Infinity, undefined, null], d: new Date('2026-12-07T00:00:00.000Z'), b: Buffer.from('bytes'), n: 2n ** 70n, s: 'x', t: true, o: { nested: { u: undefined } } }
      const kept = encodeJournalValue(value)
      assert.ok(kept)
      assert.deepEqual(decodeJournalValue(JSON.parse(JSON.stringify(kept.v))), value)
      assert.equal(encodeJournalValue(new Map()), undefined)
      assert.equal(encodeJournalValue({ at: new (class Point {})() }), undefined)
      assert.equal(encodeJournalValue(() => 1), undefined)
    })
  })

  describe('what is not stored', () => {
    it('a request refused by validation (400) is not stored: a corrected retry with the key succeeds', async () => {
      const bad = await post(s, 'k-invalid', { nome: 'Idem Typo' })
      assert.equal(bad.status, 400, bad.text)
      const good = await post(s, 'k-invalid', { name: 'Idem Corrected' })
      assert.equal(good.status, 201, good.text)
      assert.equal(good.headers.get('idempotent-replayed'), null)
      assert.equal(await countNamed('Idem Corrected'), 1)
    })

    it('a request the operation finds invalid (400) is not stored either', async () => {
      const bad = await post(s, 'k-invalid-op', { name: 'Idem Big', externalMetadata: { blob: 'x'.repeat(17 * 1024) } })
      assert.equal(bad.status, 400, bad.text)
      assert.equal(bad.body.code, 'invalid_argument')
      const good = await post(s, 'k-invalid-op', { name: 'Idem Big', externalMetadata: { blob: 'small' } })
      assert.equal(good.status, 201, good.text)
      assert.equal(await countNamed('Idem Big'), 1)
    })

    it('malformed JSON is not stored', async () => {
      const bad = await s.req('POST', customers(), { raw: '{"name": ', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-malformed' } })
      assert.equal(bad.status, 400, bad.text)
      assert.equal((await post(s, 'k-malformed', { name: 'Idem Malformed Fixed' })).status, 201)
    })

    it("an API key's secret is never kept in clear nor shown again by a replay", async () => {
      const a = await s.req('POST', '/api-keys', { body: { name: 'idem-key' }, headers: { 'idempotency-key': 'k-api-key' } })
      assert.equal(a.status, 201, a.text)
      const secret = a.body.secret as string
      const random = secret.slice(a.body.prefix.length + 1)
      const rows = await s.deps.store.db.selectFrom('idempotency_keys').select(['body']).execute()
      assert.ok(rows.every((r) => !(r.body ?? '').includes(random)), 'the idempotency store holds the secret in clear')
      // Not recorded, the retry runs again: a new key with its own secret, shown once.
      const b = await s.req('POST', '/api-keys', { body: { name: 'idem-key' }, headers: { 'idempotency-key': 'k-api-key' } })
      assert.equal(b.status, 201, b.text)
      assert.ok(!b.text.includes(random), 'a replay shows the secret again')
      assert.notEqual(b.body.id, a.body.id)
      assert.equal((await s.req('GET', '/identity', { auth: secret })).status, 200)
      assert.equal((await s.req('GET', '/identity', { auth: b.body.secret })).status, 200)
    })
  })
})

eachDialect('idempotent replays carry the first answer\'s headers', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('replays Location and ETag with the body', async () => {
    const o = { body: { name: 'Replay Headers' }, headers: { 'idempotency-key': 'hdr-1' } }
    const a = await s.req('POST', `/orgs/${s.masterId}/customers`, o)
    const b = await s.req('POST', `/orgs/${s.masterId}/customers`, o)
    assert.equal(a.status, 201)
    assert.equal(b.status, 201)
    assert.equal(b.headers.get('idempotent-replayed'), 'true')
    assert.equal(b.headers.get('location'), a.headers.get('location'))
    assert.equal(b.headers.get('etag'), a.headers.get('etag'))
    assert.equal(b.headers.get('content-type'), a.headers.get('content-type'))
    assert.deepEqual(b.body, a.body)
  })
})
