/**
 * The Thrift face from Node, at the wire: what HTTP answers around a call (401 with a
 * TApplicationException, 400 for what is not a message, 413 over the limit), the read memo's
 * seqid and freshness, unknown and hostile method names, and the TCP port's connection rules
 * (authenticate first, credentials checked on every call, idle and trickling connections
 * closed), and `Idempotency-Key` over HTTP (a binary answer replayed byte for byte; a call whose
 * process died after its work resumed). The Python interop test (test/interop/thrift.test.ts)
 * drives every function.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { connect, type Socket } from 'node:net'
import { basic, eachDialect, startServer, ADMIN_PASSWORD, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { decodeReply, encodeCall, frame, MessageType, T, type Reply } from '../../helpers/thrift-wire.js'
import { actorOf } from '../../helpers/ops.js'
import { claimIdempotencyKey, requestFingerprint } from '../../../src/ops/idempotency.js'
import { contextOf } from '../../../src/ops/context.js'
import { createContact } from '../../../src/ops/notices/contacts.js'

const ADMIN = basic('admin', ADMIN_PASSWORD)

async function post(s: TestServer, body: Buffer, authorization: string | null = ADMIN, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; replayed: boolean }> {
  const r = await fetch(`${s.base}/thrift/customer`, { method: 'POST', headers: { 'content-type': 'application/x-thrift', ...(authorization ? { authorization } : {}), ...headers }, body })
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()), replayed: r.headers.get('idempotent-replayed') === 'true' }
}

/** A TCP connection that collects what the server sends and knows when it closed. */
function tcp(port: number) {
  const sock: Socket = connect(port, '127.0.0.1')
  let got = Buffer.alloc(0)
  const waiters: (() => void)[] = []
  let closed = false
  sock.on('data', (d) => {
    got = Buffer.concat([got, d])
    waiters.splice(0).forEach((w) => w())
  })
  sock.on('error', () => {})
  sock.on('close', () => {
    closed = true
    waiters.splice(0).forEach((w) => w())
  })
  const wait = () => new Promise<void>((r) => waiters.push(r))
  return {
    sock,
    get closed() {
      return closed
    },
    /** Sends one call and reads its framed reply. */
    async call(body: Buffer): Promise<Reply> {
      sock.write(frame(body))
      for (;;) {
        if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
          const n = got.readInt32BE(0)
          const one = got.subarray(4, 4 + n)
          got = got.subarray(4 + n)
          return decodeReply(one)
        }
        if (closed) throw new Error('closed before a reply')
        await wait()
      }
    },
    async untilClosed(ms: number): Promise<number> {
      const t0 = Date.now()
      while (!closed) {
        if (Date.now() - t0 > ms) throw new Error(`still open after ${ms} ms`)
        await Promise.race([wait(), new Promise((r) => setTimeout(r, 50))])
      }
      return Date.now() - t0
    },
  }
}

eachDialect('the Thrift face at the wire', (dialect) => {
  let s: TestServer
  let org: string
  const p = people(() => s)
  before(async () => {
    s = await startServer(dialect, { thriftTcp: { port: 0, idleMs: 600, frameMs: 400 } })
    org = await p.customer('Wire Co')
    await p.user(org, 'wire-owner', 'owner')
  })
  after(() => s.close())

  test('a call answers its reply with the caller\'s seqid; without or with wrong credentials it is 401 with a TApplicationException, and nothing runs', async () => {
    const ok = await post(s, encodeCall('getUsername', [[1, T.STRING, org]], 41))
    assert.equal(ok.status, 200)
    const r = decodeReply(ok.bytes)
    assert.deepEqual([r.name, r.type, r.seqid, r.body[0]], ['getUsername', MessageType.REPLY, 41, 'wire-owner'])

    for (const auth of [null, basic('admin', 'wrong-password')]) {
      const no = await post(s, encodeCall('setSettings', [[1, T.STRING, org], [2, T.LIST, [T.STRUCT, [[[1, T.STRING, 'k'], [2, T.STRING, 'v']]]]]]), auth)
      assert.equal(no.status, 401)
      const x = decodeReply(no.bytes)
      assert.equal(x.type, MessageType.EXCEPTION)
      assert.match(String(x.body[1]), /credentials|authenticat|password/i)
    }
    const settings = decodeReply((await post(s, encodeCall('getSettings', [[1, T.STRING, org]]))).bytes)
    assert.deepEqual(settings.body[0], [], 'the refused setSettings wrote nothing')
  })

  test('InvalidArguments carries the message, the field and the code; an unknown customer is not_found', async () => {
    const bad = decodeReply((await post(s, encodeCall('freeIpAddress', [[1, T.STRING, org], [2, T.STRING, '999.1.1.1']]))).bytes)
    assert.equal(bad.type, MessageType.REPLY)
    const e = bad.body[1] as Record<number, string>
    assert.equal(e[3], 'invalid_argument')
    assert.equal(e[2], 'address')
    const missing = decodeReply((await post(s, encodeCall('getUsername', [[1, T.STRING, '01a24d69-0000-7000-8000-000000000000']]))).bytes)
    assert.equal((missing.body[1] as Record<number, string>)[3], 'not_found')
  })

  test('the read memo answers the same read with each caller\'s seqid, and a write is seen at once', async () => {
    const set = (v: string) => encodeCall('setSettings', [[1, T.STRING, org], [2, T.LIST, [T.STRUCT, [[[1, T.STRING, 'colour'], [2, T.STRING, v]]]]]])
    assert.equal(decodeReply((await post(s, set('red'))).bytes).type, MessageType.REPLY)
    const first = decodeReply((await post(s, encodeCall('getSettings', [[1, T.STRING, org]], 7))).bytes)
    const again = decodeReply((await post(s, encodeCall('getSettings', [[1, T.STRING, org]], 8))).bytes)
    assert.equal(first.seqid, 7)
    assert.equal(again.seqid, 8)
    assert.deepEqual(again.body, first.body)
    await post(s, set('blue'))
    const after = decodeReply((await post(s, encodeCall('getSettings', [[1, T.STRING, org]], 9))).bytes)
    assert.deepEqual((after.body[0] as Record<number, string>[]).map((x) => x[2]), ['blue'])
    // Another caller never gets the admin's kept answer: the owner sees its own (same settings, its own right to).
    const own = decodeReply((await post(s, encodeCall('getSettings', [[1, T.STRING, org]], 10), basic('wire-owner', 'wire-owner-password'))).bytes)
    assert.equal(own.seqid, 10)
  })

  test('over HTTP, Idempotency-Key replays the binary answer byte for byte and makes one object; a call whose process died after its work is resumed', async () => {
    const contacts = async (name: string) => (await s.deps.store.db.selectFrom('contacts').select('id').where('name', '=', name).execute()).map((c) => Number(c.id))
    const call = encodeCall('createContact', [[1, T.STRING, org], [2, T.STRING, 'Idem Thrift']], 5)
    const first = await post(s, call, ADMIN, { 'idempotency-key': 'thrift-k1' })
    assert.equal(first.status, 200)
    const id = decodeReply(first.bytes).body[0]
    assert.equal(typeof id, 'number')
    const again = await post(s, call, ADMIN, { 'idempotency-key': 'thrift-k1' })
    assert.ok(again.replayed)
    assert.ok(again.bytes.equals(first.bytes), 'the replay is the first answer, byte for byte (NULs and all)')
    assert.deepEqual(await contacts('Idem Thrift'), [id])
    // Another call under the key: a mismatch, answered in HTTP (the call never ran).
    assert.equal((await post(s, encodeCall('createContact', [[1, T.STRING, org], [2, T.STRING, 'Other']], 5), ADMIN, { 'idempotency-key': 'thrift-k1' })).status, 422)
    assert.deepEqual(await contacts('Other'), [])

    // Killed after the create committed and before the answer was recorded: the retry resumes.
    const resumed = encodeCall('createContact', [[1, T.STRING, org], [2, T.STRING, 'Idem Thrift Died']], 6)
    const admin = await actorOf(s.deps, 'admin')
    const claim = await claimIdempotencyKey(s.deps, admin.userId, 'thrift-k2', requestFingerprint(s.deps.secrets, 'POST', '/thrift/customer', resumed))
    const made = await createContact(contextOf(s.deps, admin, { journal: claim.journal! }), { orgId: org, name: 'Idem Thrift Died' })
    await s.deps.store.write((trx) => trx.updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 60_000).toISOString() }).where('key', '=', 'thrift-k2').execute())
    const retry = await post(s, resumed, ADMIN, { 'idempotency-key': 'thrift-k2' })
    assert.equal(retry.status, 200)
    assert.equal(retry.replayed, false)
    assert.equal(decodeReply(retry.bytes).body[0], made.id)
    assert.deepEqual(await contacts('Idem Thrift Died'), [made.id])
  })

  test('unknown and hostile method names answer UNKNOWN_METHOD; what is not a message answers 400; too large answers 413', async () => {
    for (const name of ['noSuchCall', '__proto__', 'constructor', 'toString', '_handler']) {
      const r = decodeReply((await post(s, encodeCall(name, [[1, T.STRING, org]]))).bytes)
      assert.equal(r.type, MessageType.EXCEPTION, name)
      assert.equal(r.body[2], 1 /* UNKNOWN_METHOD */, name)
    }
    const loose = Buffer.alloc(12) // no version header: a non-strict message
    loose.writeInt32BE(3, 0)
    assert.equal((await post(s, Buffer.concat([loose.subarray(0, 4), Buffer.from('get'), Buffer.from([1, 0, 0, 0, 1, 0])]))).status, 400)
    assert.equal((await post(s, Buffer.from('not thrift at all'))).status, 400)
    const huge = encodeCall('getUsername', [[1, T.STRING, 'x']])
    huge.writeInt32BE(0x7fffffff, 8 + 'getUsername'.length + 4 + 3) // the string claims 2 GiB
    assert.equal((await post(s, huge)).status, 400)
    assert.equal((await post(s, Buffer.alloc(1024 * 1024 + 1))).status, 413)
  })

  test('TCP: a call before authenticate is refused and closes; wrong credentials close; a revoked key stops the next call', async () => {
    const port = s.app.thriftTcp!.port
    const early = tcp(port)
    const refused = await early.call(encodeCall('getUsername', [[1, T.STRING, org]]))
    assert.equal(refused.type, MessageType.EXCEPTION)
    assert.match(String(refused.body[1]), /authenticate/)
    await early.untilClosed(2000)

    const wrong = tcp(port)
    const no = await wrong.call(encodeCall('authenticate', [[1, T.STRING, basic('admin', 'nope')]]))
    assert.equal(no.type, MessageType.EXCEPTION)
    await wrong.untilClosed(2000)

    const key = await s.req('POST', `/orgs/${org}/api-keys`, { body: { role: 'admin' } })
    assert.equal(key.status, 201, key.text)
    const c = tcp(port)
    assert.equal((await c.call(encodeCall('authenticate', [[1, T.STRING, `Bearer ${key.body.secret}`]]))).type, MessageType.REPLY)
    assert.equal((await c.call(encodeCall('getUsername', [[1, T.STRING, org]]))).body[0], 'wire-owner')
    assert.equal((await s.req('DELETE', `/api-keys/${key.body.id}`)).status, 204)
    const after = await c.call(encodeCall('getUsername', [[1, T.STRING, org]]))
    assert.equal(after.type, MessageType.EXCEPTION)
    await c.untilClosed(2000)
  })

  test('TCP: an idle connection and a trickling frame are closed; another client is unaffected', async () => {
    const port = s.app.thriftTcp!.port
    const good = tcp(port)
    assert.equal((await good.call(encodeCall('authenticate', [[1, T.STRING, ADMIN]]))).type, MessageType.REPLY)
    const idle = tcp(port)
    const trickle = tcp(port)
    const body = frame(encodeCall('getUsername', [[1, T.STRING, org]]))
    let i = 0
    const drip = setInterval(() => {
      if (i < body.length - 1 && !trickle.closed) trickle.sock.write(body.subarray(i, ++i))
    }, 100)
    const answers: unknown[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < 500) {
      answers.push((await good.call(encodeCall('getUsername', [[1, T.STRING, org]]))).body[0])
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok((await trickle.untilClosed(3000)) >= 0)
    clearInterval(drip)
    assert.ok(i < body.length - 1, 'the trickle was cut before its frame completed')
    await idle.untilClosed(3000)
    assert.ok(answers.length >= 3)
    assert.ok(answers.every((a) => a === 'wire-owner'))
  })
})
