/**
 * One object of every kind a route addresses, per organisation of the isolation tree, harvested
 * generically from the OpenAPI document: for each collection `/…/{x}` whose parent path takes a
 * POST, the matrix posts a body sampled from the schema as the master's admin and keeps the id
 * the answer carries; a collection it cannot create into is read (`GET`) and its first row kept.
 * Objects are keyed by the path template ending in their parameter (`/orgs/{org_id}/ftp-users/{id}`).
 */
import type { TestServer } from '../helpers/harness.js'
import type { Relation, Tenancy } from './isolation-fixture.js'
import { sample, type Operation } from './isolation-http-openapi.js'

export type Objects = Record<Relation, Map<string, string>>

/** Parameters that name the relation's organisation itself. */
export const ORG_PARAMS = new Set(['org_id', 'customer_id', 'customer_org_id'])
/** Body and query fields that name an organisation. */
export const ORG_FIELDS = new Set(['orgId', 'org_id', 'customerId', 'customer_id', 'organisationId', 'organizationId'])

/** Top-level routes that address an object of an organisation, and where that object is kept. */
export const ALIASES: Record<string, string> = {
  '/sites/{id}': '/orgs/{org_id}/sites/{id}',
  '/approvals/{id}': '/orgs/{org_id}/approvals/{id}',
  '/cancellations/{id}': '/orgs/{org_id}/cancellations/{id}',
  '/api-keys/{key_id}': '/orgs/{org_id}/api-keys/{key_id}',
  '/api-keys/{key_id}/acls/{acl_id}': '/orgs/{org_id}/api-keys/{key_id}/acls/{acl_id}',
  '/api-key-acls/{acl_id}': '/orgs/{org_id}/api-keys/{key_id}/acls/{acl_id}',
  '/orgs/{org_id}/groups/{group_id}/members/{user_id}': '/orgs/{org_id}/members/{member_id}',
  '/jobs/{ref}': '/orgs/{org_id}/jobs/{ref}',
}

/** The key an object is kept under: the route's prefix ending at `{param}`, through ALIASES. */
export function objectKey(path: string, param: string): string {
  const at = path.indexOf(`{${param}}`)
  const prefix = path.slice(0, at + param.length + 2)
  return ALIASES[prefix] ?? prefix
}

let serial = 0
/** A fresh alphanumeric name (usernames are unique system-wide). */
export function uniqueName(rel: string): string {
  return `iso${rel}${Date.now().toString(36)}${(serial++).toString(36)}`
}

export function bodyFor(doc: any, op: Operation, rel: Relation, t: Tenancy, objects: Objects | undefined, extra: (name: string) => unknown = () => undefined): unknown {
  if (!op.bodySchema) return undefined
  return sample(doc, op.bodySchema, (name) => {
    const e = extra(name)
    if (e !== undefined) return e
    if (ORG_FIELDS.has(name)) return t.org[rel]
    if (/^(memberId|userId|loginId)$/.test(name)) return objects?.[rel].get('/orgs/{org_id}/members/{member_id}')
    if (/^(username|name|siteName|containerName|login)$/.test(name)) return uniqueName(rel)
    if (name === 'role') return 'member'
    if (name === 'roles') return ['SiteAccess']
    return undefined
  })
}

function idOf(body: any, param: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined
  const row = Array.isArray(body) ? body[0] : Array.isArray(body.items) ? body.items[0] : body
  if (!row || typeof row !== 'object') return undefined
  const camel = param.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
  for (const k of [param, camel, 'id', 'ref', 'name']) {
    const v = row[k]
    if (typeof v === 'string' || typeof v === 'number') return String(v)
  }
  return undefined
}

/** Fills each relation's objects (master's admin, Basic); returns what could not be made. */
/** What the harvest could not make, for the report. */
export const harvestMisses: string[] = []

export async function harvestObjects(s: TestServer, doc: any, ops: Operation[], t: Tenancy, global: (key: string) => boolean): Promise<Objects> {
  const rels: Relation[] = ['own', 'child', 'sibling', 'foreign', 'parent']
  const objects = Object.fromEntries([...rels, 'nonexistent'].map((r) => [r, new Map<string, string>()])) as Objects
  // Collections: a template whose last segment is a parameter, keyed by the path before it.
  const collections = new Set<string>()
  for (const op of ops) {
    for (const p of op.pathParams) {
      if (ORG_PARAMS.has(p) || global(objectKey(op.path, p)) || !op.path.startsWith('/orgs/{org_id}/')) continue
      collections.add(objectKey(op.path, p))
    }
  }
  const fillPath = (tpl: string, rel: Relation): string | undefined => {
    let ok = true
    const out = tpl.replace(/\{([^}]+)\}/g, (_m, p: string) => {
      if (ORG_PARAMS.has(p)) return t.org[rel]
      const v = objects[rel].get(objectKey(tpl, p))
      if (v === undefined) ok = false
      return encodeURIComponent(v ?? '')
    })
    return ok ? out : undefined
  }
  for (const rel of rels) {
    // API keys of the organisation (the top-level /api-keys route takes orgId in its body).
    const key = await s.req('POST', '/api-keys', { body: { name: uniqueName(rel), orgId: t.org[rel], role: 'member' } })
    if (key.status === 201 || key.status === 200) objects[rel].set('/orgs/{org_id}/api-keys/{key_id}', String(key.body.id))
    const aclOp = ops.find((o) => o.method === 'POST' && o.path === '/api-keys/{key_id}/acls')
    const acl = await s.req('POST', `/api-keys/${key.body.id}/acls`, { body: aclOp ? bodyFor(doc, aclOp, rel, t, objects) : {} })
    if (acl.status === 201 || acl.status === 200) objects[rel].set('/orgs/{org_id}/api-keys/{key_id}/acls/{acl_id}', String(acl.body.id))
  }
  // A pass makes what the previous one's objects allow (a contact before its methods); stop when one adds nothing.
  for (let pass = 0, made = -1; made !== 0 && pass < 3; pass++) {
    const before = rels.reduce((n, r) => n + objects[r].size, 0)
    for (const rel of rels) {
      for (const coll of collections) {
        if (objects[rel].has(coll)) continue
        const at = coll.lastIndexOf('/{')
        const parent = coll.slice(0, at)
        const param = coll.slice(at + 2, -1)
        const path = fillPath(parent, rel)
        if (path === undefined) continue
        const create = ops.find((o) => o.method === 'POST' && o.path === parent)
        if (create) {
          // A member is made from a new login (the fixture's way); other bodies come from the schema.
          const body = parent === '/orgs/{org_id}/members' ? { username: uniqueName(rel), password: 'Iso-matrix-password-1', role: 'member' } : (bodyFor(doc, create, rel, t, objects, (n) => (n === 'domain' || n === 'domainName' ? `${uniqueName(rel)}.example.com` : undefined)) ?? {})
          const r = await s.req('POST', path, { body })
          if (r.status < 300) {
            const id = idOf(r.body, param)
            if (id !== undefined) {
              objects[rel].set(coll, id)
              continue
            }
          } else if (!harvestMisses.some((m) => m.startsWith(`${rel} POST ${parent}:`))) harvestMisses.push(`${rel} POST ${parent}: ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? ''}`)
        }
        if (ops.some((o) => o.method === 'GET' && o.path === parent)) {
          const r = await s.req('GET', path)
          if (r.status === 200) {
            const id = idOf(r.body, param)
            if (id !== undefined) objects[rel].set(coll, id)
          }
        }
      }
    }
    made = rels.reduce((n, r) => n + objects[r].size, 0) - before
  }
  return objects
}
