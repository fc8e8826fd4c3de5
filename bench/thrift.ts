/**
 * Part t of the bench: seed 001's Thrift service over HTTP (`POST /thrift/customer`). The calls
 * are written once with Apache Thrift's own binary protocol (npm `thrift`), the way a generated
 * client writes them, and sent as fixed bodies; the probe decodes nothing but checks the answer
 * holds what it must. `addressesUnderConcurrency` is the check that 50 concurrent clients never
 * get one address twice.
 */
import { createRequire } from 'node:module'
import { api, expectStatus, type Credentials } from './lib.js'

const require = createRequire(import.meta.url)
const thrift = require('thrift') as {
  TBinaryProtocol: new (t: unknown) => Record<string, (...a: unknown[]) => void>
  TBufferedTransport: new (b: undefined, onFlush: (out: Buffer) => void) => unknown
  Thrift: { MessageType: { CALL: number }; Type: { STRING: number } }
}

/** A call of `name` whose arguments are the strings given, as fields 1, 2, … */
export function thriftCall(name: string, ...strings: string[]): Buffer {
  let body: Buffer = Buffer.alloc(0)
  const p = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (out) => (body = out)))
  p.writeMessageBegin!(name, thrift.Thrift.MessageType.CALL, 1)
  p.writeStructBegin!(`${name}_args`)
  strings.forEach((s, i) => {
    p.writeFieldBegin!(`a${i + 1}`, thrift.Thrift.Type.STRING, i + 1)
    p.writeString!(s)
    p.writeFieldEnd!()
  })
  p.writeFieldStop!()
  p.writeStructEnd!()
  p.writeMessageEnd!()
  p.flush!()
  return body
}

/** Sends one call; answers its reply's bytes as latin1 text (for `includes`), refusing a non-200. */
export async function thriftProbe(base: string, headers: Record<string, string>, body: Buffer): Promise<string> {
  const r = await fetch(`${base}/thrift/customer`, { method: 'POST', headers, body })
  const text = Buffer.from(await r.arrayBuffer()).toString('latin1')
  if (r.status !== 200) throw new Error(`POST /thrift/customer answered ${r.status}: ${JSON.stringify(text.slice(0, 200))}`)
  return text
}

/** The address in an addIpAddress reply (field 0, a string), or undefined for an exception. */
function replyString(reply: Buffer): string | undefined {
  // message header: i32 version|type, string name, i32 seqid; then the result struct.
  let at = 4
  at += 4 + reply.readInt32BE(at)
  at += 4
  if (reply[at] !== 11 || reply.readInt16BE(at + 1) !== 0) return undefined
  const n = reply.readInt32BE(at + 3)
  return reply.toString('utf8', at + 7, at + 7 + n)
}

/**
 * 50 clients at once, each giving its own customer `perClient` addresses from one pool through
 * `addIpAddress`; answers what was given, and throws when an address was given twice (by the
 * answers or by the customers' listings).
 */
export async function addressesUnderConcurrency(base: string, cred: Credentials, clients = 50, perClient = 10): Promise<{ given: number; refused: number; seconds: number }> {
  expectStatus('POST /ip-pools', await api(base, 'POST', '/ip-pools', cred.basic, { name: 'bench', cidr: '10.77.0.0/20', gateway: '10.77.0.1' }), 201)
  const orgs: string[] = []
  for (let i = 0; i < clients; i++) {
    const c = await api(base, 'POST', `/orgs/${cred.masterId}/customers`, cred.basic, { name: `Thrift IP ${i}` })
    expectStatus('POST /orgs/{id}/customers', c, 201)
    orgs.push(c.json.id as string)
  }
  const headers = { authorization: cred.basic, 'content-type': 'application/x-thrift' }
  const given: string[] = []
  let refused = 0
  const t0 = performance.now()
  await Promise.all(
    orgs.map(async (org) => {
      for (let i = 0; i < perClient; i++) {
        const r = await fetch(`${base}/thrift/customer`, { method: 'POST', headers, body: thriftCall('addIpAddress', org) })
        const a = replyString(Buffer.from(await r.arrayBuffer()))
        if (r.status === 200 && a !== undefined) given.push(a)
        else refused++
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  const twice = given.length - new Set(given).size
  let listed = 0
  const seen = new Set<string>()
  for (const org of orgs) {
    const l = await api(base, 'GET', `/orgs/${org}/ip-addresses`, cred.basic)
    expectStatus('GET /orgs/{id}/ip-addresses', l, 200)
    const items = (Array.isArray(l.json) ? l.json : l.json.items) as { address: string }[]
    for (const it of items) {
      if (seen.has(it.address)) throw new Error(`t.ip: ${it.address} is held by two customers`)
      seen.add(it.address)
      listed++
    }
  }
  if (twice > 0) throw new Error(`t.ip: ${twice} addresses given twice`)
  if (listed !== given.length) throw new Error(`t.ip: ${given.length} addresses answered but ${listed} held`)
  return { given: given.length, refused, seconds }
}
