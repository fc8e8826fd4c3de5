/**
 * The Thrift face's part of the isolation matrix: its functions are those the generated
 * `Customer` processor serves (src/faces/thrift/gen), their arguments those `idl/customer.thrift`
 * declares; an argument naming an organisation or one of its objects (by its typedef) is filled
 * from the relation under test, the rest with valid values. A function or an argument type this
 * file cannot fill fails the matrix naming it, so a new function is covered or refused, never
 * skipped.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect, type Socket } from 'node:net'
import { randomUUID } from 'node:crypto'
import { basic, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js'
import { T, MessageType, decodeReply, encodeCall, frame, type Arg, type Reply, type Struct } from '../helpers/thrift-wire.js'
import type { Relation } from './isolation-fixture.js'
import { normalise, type Outcome } from './isolation-rpc-oracle.js'

const require = createRequire(import.meta.url)

export interface IdlArg {
  id: number
  type: string
  name: string
}
export interface IdlFunction {
  name: string
  args: IdlArg[]
}

/** The IDL's typedefs and `service Customer`'s functions, restricted to what the processor serves. */
export function thriftFunctions(): { typedefs: Map<string, string>; functions: IdlFunction[] } {
  const idl = readFileSync(new URL('../../idl/customer.thrift', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
  const typedefs = new Map<string, string>()
  for (const m of idl.matchAll(/typedef\s+([\w<>, ]+?)\s+(\w+)\s*$/gm)) typedefs.set(m[2]!, m[1]!.trim())
  const service = /service\s+Customer\s*\{([\s\S]*?)\n\}/.exec(idl)
  assert.ok(service, 'idl/customer.thrift declares service Customer')
  const declared = new Map<string, IdlFunction>()
  for (const m of service[1]!.matchAll(/([\w<>, ]+?)\s+(\w+)\s*\(([\s\S]*?)\)\s*throws/g)) {
    const args = [...m[3]!.matchAll(/(\d+):\s*((?:map|list|set)<[^>]*>|\w+)\s+(\w+)/g)].map((a) => ({ id: Number(a[1]), type: a[2]!, name: a[3]! }))
    declared.set(m[2]!, { name: m[2]!, args })
  }
  const Processor = (require('../../src/faces/thrift/gen/Customer.js') as { Processor: { prototype: object } }).Processor
  const served = Object.getOwnPropertyNames(Processor.prototype).filter((n) => n.startsWith('process_')).map((n) => n.slice('process_'.length))
  const missing = served.filter((n) => !declared.has(n))
  assert.deepEqual(missing, [], `functions the processor serves but the IDL parse did not find: ${missing.join(', ')}`)
  return { typedefs, functions: served.sort().map((n) => declared.get(n)!) }
}

/** An organisation's objects, by the typedef that names them. */
export type OrgObjects = Record<string, string | number>

/** The typedefs that name an organisation or one of its objects. */
export const OBJECT_TYPES = ['CustomerId', 'APIKeyId', 'APIKeyACLId', 'FTPUserId', 'CustomerNoticeId', 'CustomerContactId', 'CustomerContactMethodId', 'CustomerContactMethodNoticeId'] as const

/** A function that removes the object it names: inside the subtree it gets a fresh one per call. */
export const destroys = (fn: string): boolean => /^(revoke|delete|destroy|free)/.test(fn)
/** Reads, by the IDL's naming (the README's read functions are `get*`, `list*`, `current*`). */
export const mutatesThrift = (fn: string): boolean => !/^(get|list|current)/.test(fn)

let uniq = 0

/** The wire type (and element type) of an IDL type. */
function wireType(type: string, typedefs: Map<string, string>): number {
  const base = typedefs.get(type) ?? type
  if (base.startsWith('list<')) return T.LIST
  if (base.startsWith('map<')) return T.MAP
  const t = ({ string: T.STRING, i64: T.I64, i32: T.I32, i16: T.I16, bool: T.BOOL } as Record<string, number>)[base]
  if (t === undefined) throw new Error(`type ${type} not mapped`)
  return t
}

const I64 = (n: number | bigint): unknown => {
  const Int64 = require('node-int64') as new (n: number) => unknown
  return new Int64(Number(n))
}

/**
 * The arguments of `fn` for the relation's objects `objs`; `who` is the actor's password when
 * the call changes the password of a user who is that actor (so that it keeps signing in).
 */
export function thriftArgs(fn: IdlFunction, typedefs: Map<string, string>, objs: OrgObjects, keepPassword?: string): { args: Arg[]; named: string[] } {
  const args: Arg[] = []
  const named: string[] = []
  for (const a of fn.args) {
    const wt = wireType(a.type, typedefs)
    let v: unknown
    if ((OBJECT_TYPES as readonly string[]).includes(a.type)) {
      const o = objs[a.type]
      if (o === undefined) throw new Error(`${fn.name}(${a.name}: ${a.type}): no object of that type for the relation`)
      named.push(String(o))
      v = wt === T.I64 ? I64(o as number) : o
    } else if (a.type === 'IPAddress' && fn.name === 'freeIpAddress') {
      v = objs.IPAddress
      named.push(String(v))
    } else v = valueFor(fn.name, a, keepPassword)
    if (v === undefined) continue
    if (wt === T.I64 && typeof v === 'number') v = I64(v)
    if (wt === T.LIST) v = [(typedefs.get(a.type) ?? a.type) === 'list<Setting>' ? T.STRUCT : T.STRING, v]
    args.push([a.id, wt, v])
  }
  return { args, named }
}

/** Valid values for the arguments that name no organisation; undefined leaves one unset. */
function valueFor(fn: string, a: IdlArg, keepPassword?: string): unknown {
  const by: Record<string, unknown> = {
    SiteName: 'isosite', Hostname: 'isosite.example.com', ContainerName: 'isoweb', ContainerTypeId: 'php', OSId: 'debian-12',
    ContainerDiskSpace: 1024, ContainerSize: 'small', 'list<EnvironmentName>': ['production'], 'list<SiteAlias>': [], bool: false,
    APIKeyType: 'readonly', CIDRMask: 32, EmailAddress: `iso-${++uniq}@example.com`, SettingList: [],
    CustomerName: 'Iso FTP', CustomerUsername: `isoftp${Date.now().toString(36)}${++uniq}`, FTPUserType: 'full', SiteId: undefined, EnvironmentId: undefined,
    UnixTime: 0, ContactMethodId: 1, ContactNoticeTypeId: 1, 'map<string, string>': { address: `iso-${++uniq}@example.com` },
  }
  if (a.type === 'IPAddress') return fn === 'addIpAddress' ? undefined : '192.0.2.77'
  if (a.type in by) return by[a.type]
  if (a.type === 'string') {
    const s: Record<string, unknown> = { reason: 'isolation matrix', password: keepPassword ?? `Iso-pass-${randomUUID()}`, pin: '4821', name: 'Iso contact', relativeRoot: '/' }
    if (a.name in s) return s[a.name]
  }
  throw new Error(`${fn}(${a.id}: ${a.type} ${a.name}): the matrix does not know a valid value for this argument`)
}

/** A reply as an Outcome: `ok`, `InvalidArguments.code` (with field and message) or the application exception. */
export function thriftOutcome(r: Reply, raw: Buffer, ids: readonly string[]): Outcome {
  const text = raw.toString('latin1')
  if (r.type === MessageType.EXCEPTION) return { kind: `app:${r.body[2]}`, shape: `app:${r.body[2]}:${normalise(String(r.body[1]), ids)}`, raw: text }
  const e = r.body[1] as Struct | undefined
  if (e !== undefined) return { kind: String(e[3]), shape: `${e[3]}:${e[2]}:${normalise(String(e[1]), ids)}`, raw: text }
  return { kind: 'ok', shape: 'ok', raw: text }
}

/** A Thrift caller: over HTTP (`POST /thrift/customer`) or one authenticated TCP connection. */
export interface ThriftCaller {
  call(fn: string, args: Arg[]): Promise<{ reply: Reply; raw: Buffer }>
  close(): void
}

export function httpCaller(s: TestServer, authorization: string): ThriftCaller {
  return {
    async call(fn, args) {
      const r = await fetch(`${s.base}/thrift/customer`, { method: 'POST', headers: { 'content-type': 'application/x-thrift', authorization }, body: encodeCall(fn, args) })
      const raw = Buffer.from(await r.arrayBuffer())
      assert.ok(r.status === 200, `Thrift HTTP ${fn}: HTTP ${r.status}`)
      return { reply: decodeReply(raw), raw }
    },
    close() {},
  }
}

export async function tcpCaller(port: number, authorization: string): Promise<ThriftCaller> {
  const sock: Socket = connect(port, '127.0.0.1')
  let got = Buffer.alloc(0)
  let closed = false
  const waiters: (() => void)[] = []
  sock.on('data', (d) => {
    got = Buffer.concat([got, d])
    waiters.splice(0).forEach((w) => w())
  })
  sock.on('error', () => {})
  sock.on('close', () => {
    closed = true
    waiters.splice(0).forEach((w) => w())
  })
  let seq = 0
  const call = async (fn: string, args: Arg[]): Promise<{ reply: Reply; raw: Buffer }> => {
    sock.write(frame(encodeCall(fn, args, ++seq)))
    for (;;) {
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
        const n = got.readInt32BE(0)
        const raw = Buffer.from(got.subarray(4, 4 + n))
        got = got.subarray(4 + n)
        return { reply: decodeReply(raw), raw }
      }
      if (closed) throw new Error(`Thrift TCP ${fn}: closed before a reply`)
      await new Promise<void>((r) => waiters.push(r))
    }
  }
  const auth = await call('authenticate', [[1, T.STRING, authorization]])
  assert.equal(auth.reply.type, MessageType.REPLY, 'Session.authenticate succeeds')
  return { call, close: () => sock.destroy() }
}

export const ADMIN_AUTH = basic('admin', ADMIN_PASSWORD)

/** Calls as the master's admin and answers the success value (failing on any error). */
export async function adminCall(c: ThriftCaller, fn: string, args: Arg[]): Promise<unknown> {
  const { reply } = await c.call(fn, args)
  assert.equal(reply.type, MessageType.REPLY, `${fn}: ${JSON.stringify(reply.body)}`)
  assert.equal(reply.body[1], undefined, `${fn} as admin: ${JSON.stringify(reply.body[1])}`)
  return reply.body[0]
}

/**
 * Makes the objects `need` names (and what they hang on) for `org`, as `c` (the master's admin for
 * organisations outside the actor's subtree, the actor's owner inside it: a key made by a user
 * above the actor's organisation is, by the README, not the actor's to manage); addresses and
 * notices come from above (`admin`): an organisation is given addresses by its parent.
 */
export async function makeObjects(s: TestServer, c: ThriftCaller, admin: ThriftCaller, org: string, need: readonly string[] = [...OBJECT_TYPES, 'IPAddress']): Promise<OrgObjects> {
  const o: OrgObjects = { CustomerId: org }
  const want = new Set(need)
  if (want.has('APIKeyACLId')) want.add('APIKeyId')
  if (want.has('CustomerContactMethodNoticeId')) want.add('CustomerContactMethodId')
  if (want.has('CustomerContactMethodId')) want.add('CustomerContactId')
  if (want.has('APIKeyId')) o.APIKeyId = String(((await adminCall(c, 'createKey', [[1, T.STRING, org], [2, T.STRING, 'readonly']])) as Struct)[1])
  if (want.has('APIKeyACLId')) o.APIKeyACLId = Number(await adminCall(c, 'createKeyACL', [[1, T.STRING, o.APIKeyId], [2, T.STRING, '192.0.2.10'], [3, T.I16, 32]]))
  if (want.has('FTPUserId')) {
    o.FTPUserId = String(
      await adminCall(c, 'createFTPUser', [
        [1, T.STRING, org], [2, T.STRING, 'Iso FTP'], [3, T.STRING, `isoftp${++uniq}${randomUUID().slice(0, 6)}`], [4, T.STRING, `Ftp-pass-${randomUUID()}`],
        [5, T.STRING, '/'], [6, T.STRING, 'full'],
      ]),
    )
  }
  if (want.has('CustomerContactId')) o.CustomerContactId = Number(await adminCall(c, 'createContact', [[1, T.STRING, org], [2, T.STRING, 'Iso contact']]))
  if (want.has('CustomerContactMethodId')) o.CustomerContactMethodId = Number(await adminCall(c, 'createContactMethod', [[1, T.I64, I64(o.CustomerContactId as number)], [2, T.I32, 1], [3, T.MAP, { address: `iso-${++uniq}@example.com` }]]))
  if (want.has('CustomerContactMethodNoticeId')) o.CustomerContactMethodNoticeId = Number(await adminCall(c, 'createContactMethodNotice', [[1, T.I64, I64(o.CustomerContactMethodId as number)], [2, T.I32, 1], [3, T.MAP, {}]]))
  if (want.has('IPAddress')) o.IPAddress = String(await adminCall(admin, 'addIpAddress', [[1, T.STRING, org]]))
  if (want.has('CustomerNoticeId')) {
    const n = await s.req('POST', '/notices', { body: { orgId: org, noticeTypeId: 1, subject: 'Iso notice', body: 'Isolation matrix' } })
    assert.equal(n.status, 201, `POST /notices: ${n.text}`)
    o.CustomerNoticeId = Number(n.body.id)
  }
  return o
}

/** Objects no organisation has: a fresh UUID, integers past any made. */
export function nonexistentObjects(org: string): OrgObjects {
  const big = 2_000_000_000 + Math.floor(Math.random() * 1000)
  return {
    CustomerId: org, APIKeyId: randomUUID(), APIKeyACLId: big, FTPUserId: randomUUID(), CustomerNoticeId: big,
    CustomerContactId: big, CustomerContactMethodId: big, CustomerContactMethodNoticeId: big, IPAddress: '198.51.100.250',
  }
}

export const RELATION_ORDER: readonly Relation[] = ['nonexistent', 'sibling', 'foreign', 'parent', 'own', 'child']
