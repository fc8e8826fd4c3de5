/**
 * One object of every kind a route addresses, per organisation of the isolation tree, harvested
 * generically from the OpenAPI document: for each collection `/…/{x}` whose parent path takes a
 * POST, the matrix posts a body sampled from the schema as the master's admin and keeps the id
 * the answer carries; a collection it cannot create into is read (`GET`) and its first row kept.
 * Objects are keyed by the path template ending in their parameter (`/orgs/{org_id}/ftp-users/{id}`).
 */
import { startServerOn, type TestServer } from '../helpers/harness.js'
import type { Relation, Tenancy } from './isolation-fixture.js'
import { sample, type Operation } from './isolation-http-openapi.js'

export type Objects = Record<Relation, Map<string, string>>

/** The catalogue service the harvest puts in the catalogue and gives every organisation (the matrix's `{service}`). */
export const SERVICE = 'IsoExchange'

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

/** Collections whose parameter is answered under another field (a contact method link's `methodId` is the catalogue's method). */
const ID_FIELD: Record<string, string> = { '/orgs/{org_id}/contacts/{contactId}/methods/{methodId}': 'id' }

function idOf(body: any, param: string, coll = ''): string | undefined {
  if (!body || typeof body !== 'object') return undefined
  const row = Array.isArray(body) ? body[0] : Array.isArray(body.items) ? body.items[0] : body
  if (!row || typeof row !== 'object') return undefined
  const camel = param.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
  for (const k of coll in ID_FIELD ? [ID_FIELD[coll]!] : [param, camel, 'id', 'ref', 'name']) {
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
  const seeded = await seedObjects(s, t, objects)
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
          const body = parent in seeded.bodies ? seeded.bodies[parent]!(rel) : parent === '/orgs/{org_id}/members' ? { username: uniqueName(rel), password: 'Iso-matrix-password-1', role: 'member' } : (bodyFor(doc, create, rel, t, objects, (n) => (n === 'domain' || n === 'domainName' ? `${uniqueName(rel)}.example.com` : undefined)) ?? {})
          const r = await s.req('POST', path, { body })
          if (r.status < 300) {
            const id = idOf(r.body, param, coll)
            if (id !== undefined) {
              objects[rel].set(coll, id)
              continue
            }
          } else if (!harvestMisses.some((m) => m.startsWith(`${rel} POST ${parent}:`))) harvestMisses.push(`${rel} POST ${parent}: ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? ''}`)
        }
        if (ops.some((o) => o.method === 'GET' && o.path === parent)) {
          const r = await s.req('GET', path)
          if (r.status === 200) {
            const id = idOf(r.body, param, coll)
            if (id !== undefined) objects[rel].set(coll, id)
          }
        }
      }
    }
    made = rels.reduce((n, r) => n + objects[r].size, 0) - before
  }
  await seeded.last()
  return objects
}

/**
 * The objects the generic harvest cannot make from a schema, made the way a provider would:
 * plans and subscriptions along the tree (the master sells a reseller plan to `parent` and
 * `otherReseller`, `parent` one to `own` and `sibling`, `otherReseller` one to `foreign`; each
 * reseller then sells or at least makes a hosting plan), an IP pool with an address given to every
 * organisation, a notice and a site to each, a cloud provider allowed down the tree to each and a
 * cloud account on it, the catalogue's service held by each (provisioned by a worker of a second
 * instance, stopped before the matrix) with a distribution group and a contact in it, and an
 * approver group subscribed to the organisation's cancellations; once everything else is made,
 * the harvested member takes the service, and a job (a recorded request) concerning each, a
 * cancellation request of each and the approval it waits for are kept. `bodies` are request
 * bodies by collection for the generic harvest (contact methods and their notice subscriptions).
 */
async function seedObjects(s: TestServer, t: Tenancy, objects: Objects): Promise<{ bodies: Record<string, (rel: Relation) => unknown>; last: () => Promise<void> }> {
  const post = async (path: string, body: unknown): Promise<any> => {
    const r = await s.req('POST', path, { body })
    if (r.status >= 300) {
      harvestMisses.push(`seed POST ${path}: ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? ''}`)
      return undefined
    }
    return r.body
  }
  const parentOf = (await Promise.all((['own', 'child', 'sibling', 'foreign', 'parent'] as const).map(async (rel) => [rel, (await s.req('GET', `/orgs/${t.org[rel]}`)).body?.parentId as string] as const))).reduce<Record<string, string>>((m, [rel, p]) => ((m[rel] = p), m), {})
  // First (its worker runs while the rest is made): a customer service held by each organisation
  // (the catalogue's only service, which the matrix takes as its `{service}`); a distribution
  // group and a contact are made in it below. A worker of a second instance on the database
  // provisions the services (the matrix itself runs none), so that the organisations' users may
  // take them; it stops before the matrix starts.
  const catalog = await s.req('PUT', '/catalog', { body: { services: [{ name: SERVICE, displayName: 'Iso Exchange' }], locations: [{ name: 'iso.Local', services: [SERVICE] }] } })
  if (catalog.status !== 200) harvestMisses.push(`seed PUT /catalog: ${catalog.status} ${catalog.body?.code ?? ''} ${catalog.body?.detail ?? ''}`)
  for (const rel of ['parent', 'own', 'child', 'sibling', 'foreign'] as const) {
    const held = await s.req('PUT', `/orgs/${t.org[rel]}/services/${SERVICE}`, { body: { location: 'iso.Local' } })
    if (held.status >= 300) harvestMisses.push(`seed PUT /orgs/${rel}/services/${SERVICE}: ${held.status} ${held.body?.code ?? ''} ${held.body?.detail ?? ''}`)
  }
  const worker = startServerOn(s.location, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000, concurrency: 8 } })
  worker.catch(() => undefined) // awaited below, where a failure to start fails the harvest

  const plan = async (org: string, name: string, resources: { name: string; total: number }[]): Promise<string | undefined> => {
    const p = await post(`/orgs/${org}/plans`, { name: `${name} ${uniqueName('plan')}`, resources })
    return p?.id === undefined ? undefined : String(p.id)
  }
  const subscribe = async (rel: Relation, planId: string | undefined): Promise<void> => {
    if (planId === undefined) return
    const sub = await post(`/orgs/${parentOf[rel]}/customers/${t.org[rel]}/subscriptions`, { planId: Number(planId) })
    if (sub?.id === undefined) return
    objects[rel].set('/orgs/{org_id}/subscriptions/{subscription_id}', String(sub.id))
    objects[rel].set('/orgs/{org_id}/customers/{customer_org_id}/subscriptions/{subscription_id}', String(sub.id))
  }
  const PLAN = '/orgs/{org_id}/plans/{plan_id}'
  // The master's reseller plan, held by `parent` and by `foreign`'s reseller.
  const quota = await plan(t.master, 'Iso quota', [{ name: 'customers', total: 20 }, { name: 'websites', total: 100 }])
  await subscribe('parent', quota)
  const otherReseller = parentOf.foreign!
  if (quota !== undefined) await post(`/orgs/${t.master}/customers/${otherReseller}/subscriptions`, { planId: Number(quota) })
  // `parent` sells a reseller plan to `own` and `sibling`; `otherReseller` one to `foreign`.
  const resell = await plan(t.org.parent, 'Iso resell', [{ name: 'customers', total: 10 }, { name: 'websites', total: 10 }])
  if (resell !== undefined) objects.parent.set(PLAN, resell)
  await subscribe('own', resell)
  await subscribe('sibling', resell)
  await subscribe('foreign', await plan(otherReseller, 'Iso resell', [{ name: 'customers', total: 10 }, { name: 'websites', total: 10 }]))
  // Each reseller among them makes a hosting plan; `own` sells its own to `child`.
  for (const rel of ['own', 'sibling', 'foreign'] as const) {
    const id = await plan(t.org[rel], 'Iso hosting', [{ name: 'websites', total: 1 }])
    if (id !== undefined) objects[rel].set(PLAN, id)
  }
  await subscribe('child', objects.own.get(PLAN))

  // IP addresses: a pool of the master's, one address given to each organisation.
  const pool = `isopool${uniqueName('')}`
  const octet = () => 1 + Math.floor(Math.random() * 250)
  if (await post('/ip-pools', { name: pool, cidr: `10.${octet()}.${octet()}.0/24` })) {
    for (const rel of ['own', 'child', 'sibling', 'foreign', 'parent'] as const) {
      const a = await post(`/orgs/${t.org[rel]}/ip-addresses`, { pool })
      if (a?.address !== undefined) objects[rel].set('/orgs/{org_id}/ip-addresses/{address}', String(a.address))
    }
  }

  // A notice to each organisation, of the first notice type.
  const types = (await s.req('GET', '/contact-notice-types')).body?.items ?? []
  const noticeTypeId = types[0]?.id
  for (const rel of ['own', 'child', 'sibling', 'foreign', 'parent'] as const) {
    const n = await post('/notices', { orgId: t.org[rel], noticeTypeId, subject: `iso ${rel}`, body: 'isolation matrix notice' })
    if (n?.id !== undefined) objects[rel].set('/orgs/{org_id}/notices/{noticeId}', String(n.id))
  }

  // A site of each organisation (the wizard queues its parts; the matrix runs no worker).
  for (const rel of ['own', 'child', 'sibling', 'foreign', 'parent'] as const) {
    const name = uniqueName(rel)
    const site = await post(`/orgs/${t.org[rel]}/sites`, { siteName: name, siteHostname: `${name}.example.com`, containerName: 'web', containerType: 'php', containerOSId: 'debian-12', containerDiskSpace: 10240, containerSize: 'small', environmentNames: ['production'] })
    if (site?.siteId !== undefined) objects[rel].set('/orgs/{org_id}/sites/{id}', String(site.siteId))
  }

  // Cloud providers of the master's catalogue, one per organisation, allowed down the tree to it
  // alone (so no outside organisation shares it: `parent`'s is allowed to `parent` only), and a
  // cloud account of each organisation on its provider.
  const chains: Record<Exclude<Relation, 'nonexistent'>, string[]> = {
    parent: [t.org.parent],
    own: [t.org.parent, t.org.own],
    child: [t.org.parent, t.org.own, t.org.child],
    sibling: [t.org.parent, t.org.sibling],
    foreign: [otherReseller, t.org.foreign],
  }
  for (const [rel, chain] of Object.entries(chains) as [Exclude<Relation, 'nonexistent'>, string[]][]) {
    const provider = await post('/cloud-providers', { name: `Iso cloud ${uniqueName(rel)}` })
    if (provider?.id === undefined) continue
    let allowed = true
    for (const org of chain) allowed = allowed && (await post(`/orgs/${org}/cloud-providers`, { providerId: provider.id })) !== undefined
    if (!allowed) continue
    objects[rel].set('/orgs/{org_id}/cloud-providers/{provider_id}', String(provider.id))
    const account = await post(`/orgs/${t.org[rel]}/cloud-accounts`, { providerId: provider.id, name: uniqueName(rel) })
    if (account?.id !== undefined) objects[rel].set('/orgs/{org_id}/cloud-accounts/{account_id}', String(account.id))
  }

  // The services provisioned, with the worker stopped, a distribution group and a contact in each.
  try {
    for (const rel of ['parent', 'own', 'child', 'sibling', 'foreign'] as const) {
      const path = `/orgs/${t.org[rel]}/services/${SERVICE}`
      let status: string | undefined
      for (const t0 = Date.now(); Date.now() - t0 < 15_000; await new Promise((res) => setTimeout(res, 25))) {
        status = (await s.req('GET', path)).body?.status
        if (status === 'Provisioned') break
      }
      if (status !== 'Provisioned') harvestMisses.push(`seed ${path}: still ${status} after 15 s of a worker`)
    }
  } finally {
    await (await worker).close()
  }
  for (const rel of ['parent', 'own', 'child', 'sibling', 'foreign'] as const) {
    const base = `/orgs/${t.org[rel]}/services/${SERVICE}`
    const group = await post(`${base}/distribution-groups`, { displayName: `Iso group ${rel}`, email: `${uniqueName(rel)}@example.com` })
    if (group?.id !== undefined) objects[rel].set('/orgs/{org_id}/services/{service}/distribution-groups/{group_id}', String(group.id))
    const contact = await post(`${base}/contacts`, { displayName: `Iso contact ${rel}`, syncObjectId: uniqueName(rel) })
    if (contact?.id !== undefined) objects[rel].set('/orgs/{org_id}/services/{service}/contacts/{contact_id}', String(contact.id))
  }

  // An approver (an admin user) in each organisation and a workflow group of it subscribed to the
  // customer's cancellations, so the cancellation made last waits for an approval.
  for (const rel of ['parent', 'own', 'child', 'sibling', 'foreign'] as const) {
    const username = uniqueName(`${rel}approver`)
    if (!(await post(`/orgs/${t.org[rel]}/members`, { username, password: 'Iso-matrix-password-1', role: 'admin' }))) continue
    const r = await s.req('PUT', `/orgs/${t.org[rel]}/approval-providers`, {
      body: { groups: [{ name: 'iso approvers', description: 'isolation matrix', configuration: { membersToApprove: 1, timeoutDays: 0, reminderDays: 0 }, members: [username], subscriptions: { customers: [{ name: 'Cancel', access: 'Object' }] } }] },
    })
    if (r.status >= 300) harvestMisses.push(`seed PUT /orgs/${rel}/approval-providers: ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? ''}`)
  }

  const bodies: Record<string, (rel: Relation) => unknown> = {
    '/orgs/{org_id}/contacts/{contactId}/methods': () => ({ method: 'email', address: 'iso-contact@example.com' }),
    '/orgs/{org_id}/contacts/{contactId}/methods/{methodId}/notices': () => ({ noticeTypeId }),
  }
  const last = async (): Promise<void> => {
    for (const rel of ['own', 'child', 'sibling', 'foreign', 'parent'] as const) {
      // The harvested member takes the organisation's service (a user service).
      const member = objects[rel].get('/orgs/{org_id}/members/{member_id}')
      if (member !== undefined) {
        const us = await s.req('PUT', `/orgs/${t.org[rel]}/members/${member}/services/${SERVICE}`, { body: {} })
        if (us.status >= 300) harvestMisses.push(`seed PUT /orgs/${rel}/members/{member}/services/${SERVICE}: ${us.status} ${us.body?.code ?? ''} ${us.body?.detail ?? ''}`)
      }
      // A request concerning the organisation (its creation, its subscription…), as the master reads them.
      const jobs = (await s.req('GET', `/jobs?orgId=${t.org[rel]}&limit=1000`)).body?.items ?? []
      const job = jobs.find((j: any) => j.target === `org:${t.org[rel]}`)
      if (job) objects[rel].set('/orgs/{org_id}/jobs/{ref}', String(job.guid))
      else harvestMisses.push(`seed: no request concerning ${rel}`)
      const c = await post(`/orgs/${t.org[rel]}/cancellations`, { reason: 'isolation matrix' })
      if (c?.id !== undefined) objects[rel].set('/orgs/{org_id}/cancellations/{id}', String(c.id))
      // The approval the cancellation waits for: its response's GUID is what /approvals/{id} takes.
      const approval = (await s.req('GET', `/orgs/${t.org[rel]}/approvals?status=Pending`)).body?.items?.[0]
      const guid = approval?.subscriptions?.[0]?.id
      if (typeof guid === 'string') objects[rel].set('/orgs/{org_id}/approvals/{id}', guid)
      else harvestMisses.push(`seed: no pending approval of ${rel}'s cancellation`)
    }
  }
  return { bodies, last }
}
