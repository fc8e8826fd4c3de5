/**
 * The XML-RPC face's part of the isolation matrix: the methods are the face's registry
 * (`METHODS` in src/faces/xmlrpc/methods.ts) with their declared parameters; a parameter naming
 * an organisation (or its group) is filled from the relation, the rest with valid values, and a
 * parameter this file does not know fails the matrix naming it.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { TestServer } from '../helpers/harness.js'
import { METHODS, type ParamSpec } from '../../src/faces/xmlrpc/methods.js'
import { normalise, type Outcome } from './isolation-rpc-oracle.js'

export interface XmlRpcMethod {
  name: string
  params: ParamSpec[]
  mutates: boolean
}

export const xmlrpcMethods = (): XmlRpcMethod[] =>
  Object.entries(METHODS)
    .map(([name, m]) => ({ name, params: m.params, mutates: m.mutates }))
    .sort((a, b) => a.name.localeCompare(b.name))

/** What a relation's organisation offers the methods: its id and one of its groups. */
export interface XmlRpcObjects {
  org: string
  group: string
  /** A domain registered to the organisation (named by unregisterDomain). */
  domain: string
}

/** Parameters naming an organisation or its object, by name. */
const ORG_PARAMS: Record<string, keyof XmlRpcObjects> = { customerguid: 'org', rootobjectguid: 'org', resourcegroupguid: 'org', cloudusergroupguid: 'group' }

/** A method that removes what it names: inside the subtree it gets a fresh one per call. */
export const xmlrpcDestroys = (name: string): boolean => /\.(delete|removeCloudUserGroup|unregisterDomain)$/.test(name)

let uniq = 0

/** The positional parameters of `m` for the relation's objects; `named` the ids among them. */
export function xmlrpcParams(m: XmlRpcMethod, o: XmlRpcObjects): { params: (string | number)[]; named: string[] } {
  const params: (string | number)[] = []
  const named: string[] = []
  for (const p of m.params) {
    const k = p.name === 'domain' && /unregister/i.test(m.name) ? 'domain' : ORG_PARAMS[p.name]
    if (k !== undefined) {
      params.push(o[k])
      named.push(o[k])
      continue
    }
    const values: Record<string, string | number> = {
      name: `Iso ${Date.now().toString(36)}${++uniq}`, status: 'ACTIVE', description: 'isolation matrix', address: 'Iso street 1', city: 'Isotown', country: 'BE',
      amount: 1, capacityunittype: 'CU', username: 'iso', password: `Iso-registrar-${randomUUID()}`, domain: `iso${++uniq}.example.com`, retentionpolicyguid: randomUUID(),
    }
    if (!(p.name in values)) throw new Error(`${m.name}(${p.name}: ${p.type}): the matrix does not know a valid value for this parameter`)
    params.push(values[p.name]!)
  }
  return { params, named }
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function methodCall(name: string, params: (string | number)[]): string {
  const v = (x: string | number) => (typeof x === 'number' ? `<int>${x}</int>` : `<string>${esc(x)}</string>`)
  return `<?xml version="1.0"?><methodCall><methodName>${name}</methodName><params>${params.map((p) => `<param><value>${v(p)}</value></param>`).join('')}</params></methodCall>`
}

export async function xmlrpcCall(s: TestServer, authorization: string, name: string, params: (string | number)[]): Promise<string> {
  const r = await fetch(`${s.base}/appserver/xmlrpc`, { method: 'POST', headers: { 'content-type': 'text/xml', authorization }, body: methodCall(name, params) })
  const text = await r.text()
  assert.equal(r.status, 200, `XML-RPC ${name}: HTTP ${r.status} ${text}`)
  return text
}

/** A methodResponse as an Outcome: `ok`, or the fault's code with its string. */
export function xmlrpcOutcome(text: string, ids: readonly string[]): Outcome {
  if (!text.includes('<fault>')) return { kind: 'ok', shape: 'ok', raw: text }
  const code = /<name>faultCode<\/name>\s*<value>\s*<(?:int|i4)>(-?\d+)</.exec(text)?.[1] ?? '?'
  const str = /<name>faultString<\/name>\s*<value>(?:<string>)?([\s\S]*?)(?:<\/string>)?<\/value>/.exec(text)?.[1] ?? '?'
  return { kind: code, shape: `${code}:${normalise(str, ids)}`, raw: text }
}

/** Makes a group of `org` through REST as the master's admin. */
export async function makeGroup(s: TestServer, org: string): Promise<string> {
  const g = await s.req('POST', `/orgs/${org}/groups`, { body: { name: `iso-group-${++uniq}-${randomUUID().slice(0, 6)}` } })
  assert.equal(g.status, 201, `POST /orgs/${org}/groups: ${g.text}`)
  return g.body.id as string
}

/** A fresh customer under `parent` (a relation `child` for methods that delete it). */
export async function makeCustomer(s: TestServer, parent: string): Promise<string> {
  const c = await s.req('POST', `/orgs/${parent}/customers`, { body: { name: `Iso fresh ${++uniq} ${randomUUID().slice(0, 6)}`, isReseller: false } })
  assert.equal(c.status, 201, c.text)
  return c.body.id as string
}

/** Registers a fresh domain to `org` through XML-RPC as `authorization` (the master's admin). */
export async function makeDomain(s: TestServer, authorization: string, org: string): Promise<string> {
  const domain = `iso-${++uniq}-${randomUUID().slice(0, 6)}.example.com`
  const text = await xmlrpcCall(s, authorization, 'cloud_api_customer.registerDomain', [org, 'iso', 'iso-registrar-password', domain])
  assert.ok(!text.includes('<fault>'), `registerDomain ${domain}: ${text}`)
  return domain
}
