/**
 * What a connection to the Thrift TCP port may make the server hold before it has
 * authenticated (issue 15, item 5). Each connection's cost is measured where it arises: the
 * bytes the server read from that socket (`socket.bytesRead` on the server's side, at its
 * close), which is what the process had to hold for it. Before the fix, every unauthenticated
 * connection's frame up to `--thrift-max-frame` (1 MiB) was read whole before anything looked
 * at it: 111 connections sending 800 KB frames at once grew `clientele serve` by 39 MB (SQLite)
 * to 55 MB (PostgreSQL) of RSS that stayed after they closed. Now a connection without
 * credentials may send at most 16 KiB (`PREAUTH_BYTES`), and the per-connection read stays
 * under one socket read (64 KiB) whatever it sends; after authenticating, frames up to the
 * limit are read and answered as before.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { connect, type Socket } from 'node:net'
import { ADMIN_PASSWORD, basic, eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { decodeReply, encodeCall, frame, MessageType, T, type Reply } from '../../helpers/thrift-wire.js'
import { PREAUTH_BYTES } from '../../../src/faces/thrift/tcp.js'

const ADMIN = basic('admin', ADMIN_PASSWORD)
const FRAME_MS = 3000
/** One socket read's worth: the most a refused connection can have been read of, per the fix. */
const ONE_READ = 64 * 1024

/** A connection that collects the framed replies it gets and knows when (ms after opening) it was closed. */
function conn(serverPort: number) {
  const sock: Socket = connect(serverPort, '127.0.0.1')
  sock.on('error', () => {})
  const t0 = performance.now()
  let port = 0
  sock.once('connect', () => (port = sock.localPort!))
  let got = Buffer.alloc(0)
  const closed = new Promise<number>((r) => sock.once('close', () => r(performance.now() - t0)))
  sock.on('data', (d: Buffer) => (got = Buffer.concat([got, d])))
  return {
    sock,
    closed,
    /** The client's own port (the server's remotePort for it). */
    port: () => port,
    /** Sends `bytes`, then reads `n` framed replies. */
    async replies(bytes: Buffer, n = 1): Promise<Reply[]> {
      sock.write(bytes)
      const out: Reply[] = []
      let open = true
      void closed.then(() => (open = false))
      while (out.length < n) {
        if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
          const len = got.readInt32BE(0)
          out.push(decodeReply(got.subarray(4, 4 + len)))
          got = got.subarray(4 + len)
          continue
        }
        if (!open) throw new Error(`closed after ${out.length} of ${n} replies`)
        await new Promise((r) => setTimeout(r, 5))
      }
      return out
    },
  }
}

eachDialect('the Thrift TCP port before authentication', (dialect) => {
  let s: TestServer
  /** bytesRead of every server-side socket, once closed, by remote port. */
  const readBy = new Map<number, number>()
  before(async () => {
    s = await startServer(dialect, { thriftTcp: { port: 0, frameMs: FRAME_MS, idleMs: 30_000 } })
    s.app.thriftTcp!.server.on('connection', (sock: Socket) => {
      const port = sock.remotePort!
      sock.once('close', () => readBy.set(port, sock.bytesRead))
    })
  })
  after(() => s.close())

  const serverRead = async (c: { port(): number }): Promise<number> => {
    const port = c.port()
    for (let i = 0; i < 200 && !readBy.has(port); i++) await new Promise((r) => setTimeout(r, 10))
    assert.ok(readBy.has(port), 'the server closed its side')
    return readBy.get(port)!
  }

  test('100 connections without credentials each sending an 800 KB frame (under the 1 MiB limit) at once: each closed at once, the server read under 64 KiB of each', async () => {
    // A call whose 800 KB frame is inside --thrift-max-frame, but no credentials came first.
    const big = frame(Buffer.concat([encodeCall('getUsername', [[1, T.STRING, 'x']]).subarray(0, -1), Buffer.from([T.STRING, 0, 77]), Buffer.from([0, 0x0c, 0x35, 0x00]), Buffer.alloc(800_000), Buffer.from([0])]))
    const cs = Array.from({ length: 100 }, () => conn(s.app.thriftTcp!.port))
    for (const c of cs) c.sock.write(big)
    const closedAfter = await Promise.all(cs.map((c) => c.closed))
    const reads = await Promise.all(cs.map((c) => serverRead(c)))
    const total = reads.reduce((a, b) => a + b, 0)
    for (const ms of closedAfter) assert.ok(ms < FRAME_MS - 500, `closed after ${ms.toFixed(0)} ms, not by the frame deadline`)
    for (const n of reads) assert.ok(n <= ONE_READ, `the server read ${n} bytes of an unauthenticated 800 KB frame`)
    assert.ok(total <= 100 * ONE_READ, `the server read ${total} bytes in all`)
  })

  test('a header claiming more than 16 KiB before authenticating is refused from its length, unread; one claiming less waits for the frame deadline', async () => {
    const claim = (n: number) => {
      const c = conn(s.app.thriftTcp!.port)
      const b = Buffer.alloc(4)
      b.writeInt32BE(n)
      c.sock.write(b)
      return c
    }
    const over = claim(PREAUTH_BYTES)
    const under = claim(PREAUTH_BYTES - 4)
    const overMs = await over.closed
    const underMs = await under.closed
    assert.ok(overMs < FRAME_MS - 500, `a claim of ${PREAUTH_BYTES} bytes closed after ${overMs.toFixed(0)} ms`)
    assert.ok(underMs >= FRAME_MS - 100, `a claim of ${PREAUTH_BYTES - 4} bytes closed after ${underMs.toFixed(0)} ms, by the frame deadline`)
    assert.equal(await serverRead(over), 4)
  })

  test('the longest credentials (4,096 three-byte characters) still reach authenticate and are answered; after authenticating, a 200 KB frame and a pipelined call are read and answered', async () => {
    const longest = conn(s.app.thriftTcp!.port)
    const [refused] = await longest.replies(frame(encodeCall('authenticate', [[1, T.STRING, `Basic ${'€'.repeat(4090)}`]])))
    assert.equal(refused!.type, MessageType.EXCEPTION, 'answered, not cut off')
    assert.match(String(refused!.body[1]), /authentication failed/)
    await longest.closed

    const c = conn(s.app.thriftTcp!.port)
    // authenticate and a call pipelined behind it, in one write.
    const [auth, first] = await c.replies(Buffer.concat([frame(encodeCall('authenticate', [[1, T.STRING, ADMIN]])), frame(encodeCall('listRoles', [[1, T.STRING, s.masterId]], 2))]), 2)
    assert.equal(auth!.type, MessageType.REPLY)
    assert.equal(first!.type, MessageType.REPLY)
    // 200 KB: four unknown 50 KB strings, skipped by the protocol (each under its 64 KiB ceiling).
    const pad = Array.from({ length: 4 }, (_, i) => [100 + i, T.STRING, 'y'.repeat(50_000)] as [number, number, string])
    const [large] = await c.replies(frame(encodeCall('listRoles', [[1, T.STRING, s.masterId], ...pad], 3)))
    assert.equal(large!.type, MessageType.REPLY, 'a frame over 16 KiB is read once authenticated')
    assert.ok(Array.isArray(large!.body[0]) && large!.body[0].length > 0)
    c.sock.destroy()
  })
})
