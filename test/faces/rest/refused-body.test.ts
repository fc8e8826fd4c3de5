/**
 * A body refused before it is read (too large, wrong credentials) still gets its answer when the
 * client sends it whole without `Expect: 100-continue` (as fetch and most libraries do): a body
 * of a declared length up to 16 MiB is read to its end and thrown away, and the connection stays
 * usable for the next request; a larger one is answered and the connection closed. Before, the
 * server closed with the body unread, the kernel reset the connection, and the client saw EPIPE
 * or ECONNRESET instead of the 413 (found by the adversarial XML bombs).
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, it } from 'node:test'
import { ADMIN_PASSWORD, basic, eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

interface Exchange {
  statuses: string[]
  closedBy: 'server' | 'client'
  error?: string
}

/** Writes `requests` back to back on one connection, each whole; answers the status codes read in order, and who closed. */
function exchange(base: string, requests: Buffer[], expected: number): Promise<Exchange> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname)
    let text = ''
    // Answers follow one another on the wire with no line break between them.
    const statuses = () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]!)
    s.on('data', (d) => {
      text += d.toString('latin1')
      if (statuses().length >= expected) {
        resolve({ statuses: statuses(), closedBy: 'client' })
        s.destroy()
      }
    })
    s.on('error', (e) => resolve({ statuses: statuses(), closedBy: 'server', error: (e as NodeJS.ErrnoException).code }))
    s.on('close', () => resolve({ statuses: statuses(), closedBy: 'server' }))
    for (const r of requests) s.write(r)
  })
}

const post = (path: string, size: number, auth: string) =>
  Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`),
    Buffer.alloc(size, 'a'),
  ])
const get = (path: string) => Buffer.from(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`)

eachDialect('a refused body still gets its answer', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(async () => {
    await s?.close()
  })
  const admin = () => basic('admin', ADMIN_PASSWORD)

  it('a 5 MiB body over the 1 MiB limit, sent whole: 413, then the next request on the same connection is answered', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await exchange(s.base, [post(`/orgs/${s.masterId}/customers`, 5 * 1024 * 1024, admin()), get('/healthz')], 2)
      assert.deepEqual(r.statuses, ['413', '200'], JSON.stringify(r))
    }
  })

  it('a body sent with wrong credentials: 401, and the connection stays usable', async () => {
    const r = await exchange(s.base, [post(`/orgs/${s.masterId}/customers`, 512 * 1024, basic('admin', 'wrong')), get('/healthz')], 2)
    assert.deepEqual(r.statuses, ['401', '200'], JSON.stringify(r))
  })

  it('a body declared larger than 16 MiB is not read: the answer comes and the connection closes', async () => {
    const big = Buffer.from(`POST /orgs/${s.masterId}/customers HTTP/1.1\r\nhost: x\r\nauthorization: ${admin()}\r\ncontent-type: application/json\r\ncontent-length: ${64 * 1024 * 1024}\r\n\r\n{`)
    const r = await exchange(s.base, [big, get('/healthz')], 2)
    assert.deepEqual(r.statuses, ['413'], JSON.stringify(r))
    assert.equal(r.closedBy, 'server')
  })
})
