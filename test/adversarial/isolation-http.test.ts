/**
 * Issue 15, item 4 over the HTTP JSON faces (REST, `/orgs`, `/v3/admin`, the console's routes):
 * every operation of `/openapi.json` (and every registered route, which must be documented or
 * excluded with a reason) × {own, child, sibling, foreign, parent, nonexistent} × actors. Outside
 * the actor's subtree the answer must equal the nonexistent id's (status, problem `code`, body
 * keys); inside, reads succeed, a read-only actor's writes are refused with 403, and every write
 * whose permission (NEEDS, from the README's role table) the actor's role lacks is refused and
 * changes nothing; 2xx answers
 * hold no foreign organisation's ids or names; mass assignment changes nothing; foreign and
 * nonexistent ids take the same time (medians). The matrix comes from the route table and the
 * document, so a new route is covered without editing this file.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import type { RouteOptions } from 'fastify'
import { basic, eachDialect, startServer, type Answer, type RequestOptions, type TestServer } from '../helpers/harness.js'
import { FULL, count } from '../helpers/adversarial.js'
import { buildTenancy, GRANTS, INSIDE, RELATIONS, ROLES, type Relation, type Role, type Tenancy } from './isolation-fixture.js'
import { permissionsOf, type Permission } from '../../src/core/roles.js'
import { EXCLUDED, operations, pool, undocumented, type Operation } from './isolation-http-openapi.js'
import { ORG_FIELDS, ORG_PARAMS, SERVICE, bodyFor, harvestMisses, harvestObjects, objectKey, type Objects } from './isolation-http-objects.js'

/** Path templates whose `{id}` names an organisation (besides ORG_PARAMS). */
const ORG_ID_ROUTES = [/^\/orgs\/\{id\}/, /^\/v3\/admin\/customers\/\{id\}/]

/**
 * Parameters that are global by design (the catalogue, servers, registrars…: master-managed or
 * public, not owned by a tenant) or name the caller's own login; keyed by objectKey().
 */
const GLOBAL: Record<string, string> = {
  '/services/{service}': 'the catalogue (master-managed)',
  '/orgs/{org_id}/services/{service}': 'a catalogue service name',
  '/orgs/{org_id}/members/{member_id}/services/{service}': 'a catalogue service name',
  '/services/{service}/packages/{name}': 'the catalogue',
  '/services/{service}/plans/{name}': 'the catalogue',
  '/services/{service}/properties/{name}': 'the catalogue',
  '/locations/{name}': 'hosting locations (master-managed)',
  '/ip-pools/{id}': 'IP pools (master-managed)',
  '/capacity-unit-types/{code}': 'capacity unit types (master-managed)',
  '/orgs/{org_id}/capacity/{kind}': 'a capacity kind (enumeration)',
  '/orgs/{org_id}/capacity/{kind}/{type}': 'a capacity unit type (master-managed)',
  '/resource-names/{name}': 'resource names (master-managed)',
  '/servers/{server_id}': 'servers (master-managed)',
  '/server-groups/{group_id}': 'server groups (master-managed)',
  '/registrars/{name}': 'registrars (master-managed)',
  '/reports/{name}': 'report definitions (master-managed)',
  '/cloud-providers/{provider_id}': 'cloud providers (master-managed)',
  '/avatars/{sha256}': 'content-addressed public avatars',
  '/login/sessions/{session_id}': "the caller's own sessions",
  '/orgs/{org_id}/settings/{name}': 'a setting name (enumeration)',
  '/orgs/{org_id}/approval-providers/groups/{name}': 'an approval group name of the org',
  '/orgs/{org_id}/plans/{plan_id}/resources/{name}': 'a resource name (master-managed)',
  '/orgs/{org_id}/plans/{plan_id}/allowances/{name}': 'a resource name (master-managed)',
  '/orgs/{org_id}/plans/{plan_id}/selections/{name}': 'a resource name (master-managed)',
  '/jobs/{ref}/callback': 'a provisioner callback, authenticated by the job token',
}

/** Writes on the caller's own login, not on a tenant's object (the credentials tests cover them). */
const SELF = /^\/(login|logout|logins\/ui-preferences|email-change|session|identity)(\/|$)/

/** The actors of a run: reduced owner and readonly over Basic and the member's key; full every role × both. */
function actorsOf(t: Tenancy): { label: string; role: string; auth: RequestOptions['auth'] }[] {
  const out: { label: string; role: string; auth: RequestOptions['auth'] }[] = []
  for (const role of ROLES) {
    const a = t.actors[role]
    if (FULL || role === 'owner' || role === 'readonly') out.push({ label: `${role}/basic`, role, auth: a.basic })
    if (FULL || role === 'member') out.push({ label: `${role}/key`, role, auth: a.key })
  }
  return out
}

function isOrgParam(op: Operation, p: string): boolean {
  return ORG_PARAMS.has(p) || (p === 'id' && ORG_ID_ROUTES.some((r) => r.test(op.path)))
}

function relational(op: Operation): boolean {
  if (op.pathParams.some((p) => isOrgParam(op, p) || !(objectKey(op.path, p) in GLOBAL))) return true
  const props = op.bodySchema?.properties ?? {}
  return Object.keys(props).some((k) => ORG_FIELDS.has(k)) || op.requiredQuery.some((q) => ORG_FIELDS.has(q.name))
}

function shape(a: Answer): string {
  const b = a.body
  const keys = b && typeof b === 'object' && !Array.isArray(b) ? Object.keys(b).sort().join(',') : typeof b
  return `${a.status} ${b?.code ?? ''} [${keys}]`
}

eachDialect('tenant isolation over the HTTP JSON faces', (dialect) => {
  let s: TestServer
  let t: Tenancy
  let doc: any
  let ops: Operation[]
  let objects: Objects
  const routes: RouteOptions[] = []
  const globals = new Map<string, string>()

  before(async () => {
    s = await startServer(dialect, { worker: false, onRoute: (r) => void routes.push(r) })
    t = await buildTenancy(s)
    doc = (await s.req('GET', '/openapi.json')).body
    ops = operations(doc).filter((o) => !EXCLUDED.some((e) => e.match.test(o.path)))
    objects = await harvestObjects(s, doc, ops, t, (key) => key in GLOBAL)
    // A global object of each kind, read as the master's admin.
    for (const key of Object.keys(GLOBAL)) {
      const list = key.slice(0, key.lastIndexOf('/{'))
      if (list.includes('{')) continue
      const r = await s.req('GET', list)
      const row = Array.isArray(r.body) ? r.body[0] : r.body?.items?.[0]
      const param = key.slice(key.lastIndexOf('/{') + 2, -1)
      if (row) globals.set(key, String(row[param] ?? row.name ?? row.id ?? row.code ?? ''))
    }
    // A service an organisation or its user holds is named from the catalogue: the one the harvest gave each.
    for (const key of Object.keys(GLOBAL)) if (key.endsWith('/services/{service}')) globals.set(key, SERVICE)
  })
  after(async () => s?.close())

  /** The URL of `op` for relation `rel`, or the parameters that could not be filled. */
  function urlFor(op: Operation, rel: Relation, subRel: Relation = rel, given: Record<string, string> = {}): { url: string; unmapped: string[] } {
    const unmapped: string[] = []
    let url = op.path.replace(/\{([^}]+)\}/g, (_m, p: string) => {
      if (p in given) return encodeURIComponent(given[p]!)
      // Under /orgs/{org_id}/customers/{customer_org_id}, the reseller is the actor's own org.
      if (p === 'org_id' && op.path.includes('{customer_org_id}')) return t.org.own
      if (isOrgParam(op, p)) return t.org[rel]
      const key = objectKey(op.path, p)
      if (key in GLOBAL) return encodeURIComponent(globals.get(key) ?? 'isomatrix1')
      const v = objects[subRel].get(key)
      if (v !== undefined) return encodeURIComponent(v)
      if (subRel !== 'nonexistent') unmapped.push(p)
      // A fresh id of the kind the organisations' objects have (integers or UUIDs).
      // An address no organisation holds (TEST-NET-1, outside the fixture's pool).
      if (RELATIONS.some((r) => /^\d+\.\d+\.\d+\.\d+$/.test(objects[r].get(key) ?? ''))) return '192.0.2.77'
      if (RELATIONS.some((r) => (objects[r].get(key) ?? '').includes('.'))) return `nonexistent-${randomUUID().slice(0, 8)}.example.com`
      const integer = RELATIONS.some((r) => /^\d+$/.test(objects[r].get(key) ?? '')) || /\{(contactId|methodId|noticeId|subscriptionId|acl_id|plan_id|subscription_id)\}/.test(`{${p}}`)
      return integer ? '987654321' : randomUUID()
    })
    const q = op.requiredQuery.map((x) => `${x.name}=${encodeURIComponent(ORG_FIELDS.has(x.name) ? t.org[rel] : 'isomatrix1')}`)
    if (q.length) url += `?${q.join('&')}`
    return { url, unmapped }
  }

  test('every registered JSON route is in /openapi.json or excluded with a reason', () => {
    assert.ok(ops.length > 100, `the document lists ${ops.length} operations`)
    assert.deepEqual(undocumented(routes, ops), [], 'routes neither documented nor excluded')
  })

  test('every path parameter names the relation’s object or is global by design', () => {
    const never = new Set<string>()
    for (const op of ops) {
      for (const p of op.pathParams) {
        if (isOrgParam(op, p) || objectKey(op.path, p) in GLOBAL) continue
        const key = objectKey(op.path, p)
        if (!RELATIONS.some((r) => objects[r].has(key))) never.add(`${key} (${op.method} ${op.path})`)
      }
    }
    // Printed so the report can say which parameters only get a nonexistent value.
    if (harvestMisses.length) console.log(`[isolation-http] harvest misses:\n  ${harvestMisses.join('\n  ')}`)
    if (never.size) console.log(`[isolation-http] parameters with no harvested object (compared with fresh ids only):\n  ${[...never].join('\n  ')}`)
    for (const n of never) assert.ok(KNOWN_UNHARVESTED.has(n.split(' ')[0]!), `no object for path parameter ${n}: map it in isolation-http-objects.ts`)
    // The list only shrinks: a kind the harvest now makes is compared with real objects, and leaves it.
    for (const k of KNOWN_UNHARVESTED) assert.ok([...never].some((n) => n.startsWith(`${k} `)), `${k} is harvested now: take it out of KNOWN_UNHARVESTED`)
  })

  // Before the matrix: its requests (recorded in the actor's request log) carry the foreign ids it sends.
  test('listings, exports, reports and logs hold no foreign row, as each actor', async () => {
    const markers = foreignMarkers()
    const defects: string[] = []
    const names: string[] = []
    for (const rel of ['sibling', 'foreign', 'parent'] as const) names.push((await s.req('GET', `/orgs/${t.org[rel]}`)).body.name)
    const lists = ops.filter((o) => o.method === 'GET' && o.pathParams.every((p) => isOrgParam(o, p)))
    // Each listing plainly, and with the filters it declares that widen or search it.
    const widen: Record<string, string> = { recursive: 'true', limit: '1000', q: 'Isolation', search: 'Isolation', format: 'csv', status: 'Pending' }
    const tasks: (() => Promise<void>)[] = []
    for (const actor of actorsOf(t)) {
      for (const op of lists) {
        const declared = op.query.filter((q) => q in widen).map((q) => `${q}=${widen[q]}`)
        for (const query of ['', ...(declared.length ? [`?${declared.join('&')}`] : [])]) {
          tasks.push(async () => {
            const { url } = urlFor(op, 'own')
            const a = await s.req('GET', url + (url.includes('?') ? query.replace('?', '&') : query), { auth: actor.auth })
            if (a.status >= 300) return
            leak(a, markers, `GET ${url}${query} as ${actor.label}`, defects)
            for (const n of names) if (a.text.includes(n)) defects.push(`GET ${url}${query} as ${actor.label}: holds foreign name ${n}`)
          })
        }
      }
    }
    await pool(tasks, WIDTH)
    writeFileSync(`/tmp/isolation-http-lists-${dialect}.txt`, defects.join('\n'))
    assert.deepEqual(defects, [])
  })

  test('matrix: outside the subtree answers as nonexistent; inside reads succeed; read-only writes get 403', async () => {
    const actors = actorsOf(t)
    const defects: string[] = []
    const markers = foreignMarkers()
    let cells = 0
    // Cells addressing an object of an organisation: with the relation's real one, or a fresh id in its place.
    let realCells = 0
    let freshCells = 0
    const freshKinds = new Set<string>()
    const tasks: (() => Promise<void>)[] = []
    for (const op of ops) {
      const rel = relational(op)
      for (const actor of actors) tasks.push(async () => {
        let lastUnmapped = false
        const call = async (relation: Relation, subRel: Relation = relation, invalid = false): Promise<Answer> => {
          cells++
          const { url, unmapped } = urlFor(op, relation, subRel)
          lastUnmapped = unmapped.length > 0
          if (subRel !== 'nonexistent' && op.pathParams.some((p) => !isOrgParam(op, p) && !(objectKey(op.path, p) in GLOBAL))) {
            if (lastUnmapped) (freshCells++, freshKinds.add(`${subRel} ${unmapped.join(',')} (${op.path})`))
            else realCells++
          }
          const body = invalid ? {} : bodyFor(doc, op, relation, t, objects)
          return s.req(op.method, url, { auth: actor.auth, ...(body === undefined ? (op.write && op.method !== 'DELETE' ? { body: {} } : {}) : { body }) })
        }
        if (!rel) {
          if (op.write && (SELF.test(op.path) || actor.role !== 'readonly')) return
          const a = await call('own')
          if (a.status >= 500) defects.push(`${op.method} ${op.path} as ${actor.label}: ${a.status}`)
          if (op.write && a.status < 300) defects.push(`${op.method} ${op.path} as ${actor.label}: read-only write succeeded (${a.status})`)
          if (!op.write && a.status < 300) leak(a, markers, `${op.method} ${op.path} as ${actor.label}`, defects)
          return
        }
        const none = await call('nonexistent')
        let mixedNone: Answer | undefined
        let invalidNone: Answer | undefined
        for (const relation of RELATIONS) {
          if (relation === 'nonexistent') continue
          if (INSIDE.has(relation)) {
            if (op.write && actor.role !== 'readonly') continue // permitted writes would change the fixture
            const a = await call(relation)
            if (!op.write) {
              // Inside success is checked where the fixture holds every object the path names.
              const fixtureDependent = lastUnmapped
              if (a.status >= 300 && !fixtureDependent && !INSIDE_READ_REFUSALS[`${op.method} ${op.path}`] && !INSIDE_READ_REFUSALS[`${op.method} ${op.path} ${relation}`]) defects.push(`${op.method} ${op.path} ${relation} as ${actor.label}: inside read refused ${a.status} ${a.body?.code ?? ''}`)
              if (a.status < 300) leak(a, markers, `${op.method} ${op.path} ${relation} as ${actor.label}`, defects)
            } else if ((a.status < 300 && !READ_ONLY_WRITES[`${op.method} ${op.path}`]) || a.status >= 500) {
              defects.push(`${op.method} ${op.path} ${relation} as ${actor.label}: read-only write answered ${a.status}`)
            }
            continue
          }
          const a = await call(relation)
          if (shape(a) !== shape(none)) defects.push(`${op.method} ${op.path} ${relation} as ${actor.label}: ${shape(a)} ≠ nonexistent ${shape(none)}`)
          // A body the op refuses (missing fields): its validation must not tell the ids apart either.
          if (op.bodySchema && actor === actors[0]) {
            invalidNone ??= await call('nonexistent', 'nonexistent', true)
            const bad = await call(relation, relation, true)
            if (shape(bad) !== shape(invalidNone)) defects.push(`${op.method} ${op.path} ${relation}, empty body, as ${actor.label}: ${shape(bad)} ≠ nonexistent ${shape(invalidNone)}`)
          }
          // An object of the outside organisation addressed under the actor's own one.
          if (op.pathParams.some((p) => isOrgParam(op, p)) && op.pathParams.some((p) => !isOrgParam(op, p) && !(objectKey(op.path, p) in GLOBAL))) {
            mixedNone ??= await call('own', 'nonexistent')
            const mixed = await call('own', relation)
            if (shape(mixed) !== shape(mixedNone)) defects.push(`${op.method} ${op.path} own org, ${relation} object as ${actor.label}: ${shape(mixed)} ≠ nonexistent object ${shape(mixedNone)}`)
          }
        }
      })
    }
    await pool(tasks, WIDTH)
    writeFileSync(`/tmp/isolation-http-${dialect}.txt`, defects.join('\n'))
    console.log(`[isolation-http] ${dialect}: ${ops.length} operations × ${actors.length} actors, ${cells} cells (${realCells} addressing a real object, ${freshCells} a fresh id in its place), ${defects.length} mismatches`)
    if (freshKinds.size) console.log(`[isolation-http] ${dialect}: fresh ids in place of an object the relation cannot have:\n  ${[...freshKinds].sort().join('\n  ')}`)
    assert.deepEqual(defects, [])
  })

  test('inside the subtree, a write the role lacks the permission for is refused and changes nothing', async () => {
    // The README's role table is the policy; src/core/roles.ts must say the same.
    for (const role of ROLES) assert.deepEqual([...GRANTS[role]].sort(), permissionsOf(role).sort(), `the README's grants of ${role} ≠ src/core/roles.ts`)
    const defects: string[] = []
    const needs = new Map<string, number>()
    let checked = 0
    const tasks: (() => Promise<void>)[] = []
    for (const op of ops.filter((o) => o.write)) {
      const rel = relational(op)
      const variants: { label: string; body?: unknown }[] = [{ label: '' }]
      // The billing fields alone need org.billing ("billing: edit billing and contact fields").
      if (op.method === 'PATCH' && op.path === '/orgs/{org_id}') variants.push({ label: ' {billing fields}', body: { billingId: 'iso-never-applied', contactName: 'Never Applied' } })
      for (const variant of variants) {
        const need = needOf(op, variant.body)
        if (need.perm === null) continue
        for (const actor of roleWriteActors(t)) {
          if (mayByPolicy(actor.role, need)) continue // its permitted writes would change the fixture
          for (const relation of rel ? ([...INSIDE] as Relation[]) : (['own'] as Relation[])) {
            tasks.push(async () => {
              // A body the op accepts, so that what answers is the permission, not validation.
              const valid = VALID[`${op.method} ${op.path}`]
              const { url } = urlFor(op, relation, relation, valid?.params ?? {})
              const sampled = bodyFor(doc, op, relation, t, objects)
              const body = variant.body ?? (valid?.body ? valid.body(sampled as Record<string, unknown> | undefined, relation) : sampled)
              const seen = observers(op, url, relation)
              const beforeText = await Promise.all(seen.map(async (u) => (await s.req('GET', u)).text))
              const a = valid?.multipart ? await upload(op.method, url, actor.auth) : await s.req(op.method, url, { auth: actor.auth, ...(body === undefined ? (op.method !== 'DELETE' ? { body: {} } : {}) : { body }) })
              const afterText = await Promise.all(seen.map(async (u) => (await s.req('GET', u)).text))
              checked++
              needs.set(need.label, (needs.get(need.label) ?? 0) + 1)
              const where = `${op.method} ${op.path}${variant.label} ${relation} as ${actor.label} (needs ${need.label})`
              const refusal = need.refusal?.[relation] ?? { status: 403, code: 'forbidden' }
              if (a.status !== refusal.status || a.body?.code !== refusal.code) defects.push(`${where}: answered ${a.status} ${a.body?.code ?? ''} ${a.body?.detail ?? ''}, not ${refusal.status} ${refusal.code}`)
              seen.forEach((u, i) => {
                if (beforeText[i] !== afterText[i]) defects.push(`${where}: GET ${u} changed`)
              })
            })
          }
        }
      }
    }
    // One at a time per observed object would be slowest; refused writes change nothing, so any change seen is a defect whoever made it.
    await pool(tasks, WIDTH)
    writeFileSync(`/tmp/isolation-http-role-writes-${dialect}.txt`, defects.join('\n'))
    console.log(`[isolation-http] ${dialect}: ${checked} write × role refusals checked inside the subtree (${[...needs].map(([k, n]) => `${k} ${n}`).join(', ')}), as ${roleWriteActors(t).map((a) => a.label).join(', ')}; ${defects.length} mismatches`)
    assert.ok(checked > 100, `only ${checked} refusals checked`)
    assert.deepEqual(defects, [])
  })

  /** A multipart/form-data upload of one `avatar` file part (not an image: the permission is checked first). */
  async function upload(method: string, url: string, auth: RequestOptions['auth']): Promise<Answer> {
    const form = new FormData()
    form.append('avatar', new Blob([Buffer.from('not a picture')], { type: 'image/png' }), 'avatar.png')
    const authorization = Array.isArray(auth) ? basic(auth[0], auth[1]) : `Bearer ${String(auth)}`
    const res = await fetch(s.base + url, { method, body: form, headers: { authorization } })
    const text = await res.text()
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined } as Answer
  }

  /** What a refused write may have changed, read as the master's admin: the object, its collection, its organisation. */
  function observers(op: Operation, url: string, relation: Relation): string[] {
    const out = new Set<string>()
    const path = url.split('?')[0]!
    if (ops.some((o) => o.method === 'GET' && o.path === op.path)) out.add(path)
    const parent = op.path.slice(0, op.path.lastIndexOf('/'))
    if (ops.some((o) => o.method === 'GET' && o.path === parent)) out.add(path.slice(0, path.lastIndexOf('/')))
    out.add(`/orgs/${t.org[relation]}`)
    return [...out]
  }

  /** The ids and names of organisations (and their objects) outside the actor's subtree. */
  function foreignMarkers(): string[] {
    const out: string[] = []
    for (const rel of ['sibling', 'foreign', 'parent'] as const) {
      // The parent's id is legitimately on own's record (`parentId`): its objects' ids are not.
      if (rel !== 'parent') out.push(t.org[rel])
      for (const [key, v] of objects[rel]) {
        if (v.length < 8) continue
        out.push(v)
        const pub = CATALOGUE_VALUED[key]
        if (pub) publicIn.set(v, pub.routes)
      }
    }
    return out
  }
  /** Foreign markers that are also a global catalogue entry's id, and the reads that list that catalogue. */
  const publicIn = new Map<string, RegExp>()
  function leak(a: Answer, markers: string[], where: string, defects: string[]): void {
    for (const m of markers) if (a.text.includes(m) && !publicIn.get(m)?.test(where)) defects.push(`${where}: answer holds foreign ${m}`)
  }

  test('mass assignment changes nothing the role may not change', async () => {
    const attacks: Record<string, unknown> = {
      parentId: t.org.foreign, status: 'suspended', isReseller: false, role: 'superadmin', usage: 999, version: 999,
      orgId: t.org.foreign, id: randomUUID(), createdAt: '2000-01-01T00:00:00Z', owner: true, permissions: ['catalog.write'],
    }
    const protos = ['__proto__', 'constructor', 'prototype']
    const defects: string[] = []
    const targets = ops.filter((o) => (o.method === 'PATCH' || o.method === 'PUT') && o.bodySchema && /^\/orgs\/\{org_id\}(\/members\/\{member_id\}|\/customers\/\{customer_org_id\}\/subscriptions\/\{subscription_id\}|\/subscriptions\/\{subscription_id\}|\/ftp-users\/\{id\}|\/contacts\/\{contactId\}|\/access_tokens\/\{token_id\})?$/.test(o.path))
    assert.ok(targets.length >= 3, `mass-assignment targets: ${targets.map((o) => o.path).join(', ')}`)
    for (const op of targets) {
      const getter = ops.find((o) => o.method === 'GET' && o.path === op.path)
      for (const actor of actorsOf(t).filter((a) => a.role === 'owner' || a.role === 'readonly')) {
        const { url, unmapped } = urlFor(op, 'child')
        if (unmapped.length) continue
        const read = async () => (getter ? (await s.req('GET', url)).body : (await s.req('GET', `/orgs/${t.org.child}`)).body)
        const allowed = new Set(Object.keys(op.bodySchema.properties ?? {}))
        const base = bodyFor(doc, op, 'child', t, objects) as Record<string, unknown>
        for (const [k, v] of Object.entries(attacks)) {
          if (allowed.has(k)) continue
          const beforeObj = await read()
          const a = await s.req(op.method, url, { auth: actor.auth, body: { ...base, [k]: v } })
          const afterObj = await read()
          if (a.status >= 500) defects.push(`${op.method} ${op.path} +${k} as ${actor.label}: ${a.status}`)
          if (beforeObj && afterObj && k in beforeObj && JSON.stringify(beforeObj[k]) !== JSON.stringify(afterObj[k])) defects.push(`${op.method} ${op.path} +${k} as ${actor.label}: ${k} changed ${JSON.stringify(beforeObj[k])} → ${JSON.stringify(afterObj[k])}`)
        }
        for (const k of protos) {
          const raw = JSON.stringify(base).replace(/^\{/, `{"${k}":{"isReseller":false,"role":"superadmin","parentId":"${t.org.foreign}"}${Object.keys(base).length ? ',' : ''}`)
          const a = await s.req(op.method, url, { auth: actor.auth, raw, headers: { 'content-type': 'application/json' } })
          if (a.status >= 500) defects.push(`${op.method} ${op.path} +${k} as ${actor.label}: ${a.status}`)
          if (({} as any).isReseller !== undefined || ({} as any).role !== undefined) defects.push(`${k} polluted Object.prototype`)
        }
      }
    }
    // The child organisation is still where it was, still what it was.
    const child = (await s.req('GET', `/orgs/${t.org.child}`)).body
    assert.equal(child.parentId ?? t.org.own, t.org.own, 'the child stays under own')
    const me = (await s.req('GET', `/orgs/${t.org.own}/members/${t.actors.readonly.userId}`, { auth: t.actors.owner.basic })).body
    assert.notEqual(me.role, 'superadmin')
    // A customer created with a smuggled parentId lands under the organisation of the URL, or is refused.
    const smuggled = await s.req('POST', `/orgs/${t.org.own}/customers`, { auth: t.actors.owner.basic, body: { name: `smuggled ${randomUUID()}`, isReseller: false, parentId: t.org.foreign } })
    if (smuggled.status < 300) assert.notEqual(smuggled.body.parentId, t.org.foreign)
    assert.deepEqual(defects, [])
  })

  test('a foreign id takes as long as a nonexistent one (medians)', async () => {
    const n = count('ISOLATION_TIMING_SAMPLES', 60, 400)
    const cases: [string, (rel: Relation) => string, unknown?][] = [
      ['GET /orgs/{id}', (r) => `/orgs/${t.org[r]}`],
      ['GET /orgs/{id}/members', (r) => `/orgs/${t.org[r]}/members`],
      ['GET /orgs/{own}/members/{member}', (r) => `/orgs/${t.org.own}/members/${objects[r].get('/orgs/{org_id}/members/{member_id}') ?? randomUUID()}`],
      ['PATCH /orgs/{id}', (r) => `/orgs/${t.org[r]}`, { name: 'never applied' }],
    ]
    const report: string[] = []
    for (const [name, url, body] of cases) {
      const method = name.split(' ')[0]!
      const times: Record<'foreign' | 'nonexistent', number[]> = { foreign: [], nonexistent: [] }
      for (let i = 0; i < n; i++) {
        for (const rel of i % 2 ? (['foreign', 'nonexistent'] as const) : (['nonexistent', 'foreign'] as const)) {
          const t0 = process.hrtime.bigint()
          await s.req(method, url(rel), { auth: t.actors.owner.key, ...(body === undefined ? {} : { body }) })
          times[rel].push(Number(process.hrtime.bigint() - t0) / 1e6)
        }
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
      const [f, z] = [med(times.foreign), med(times.nonexistent)]
      report.push(`${name}: foreign ${f.toFixed(2)} ms, nonexistent ${z.toFixed(2)} ms`)
      // Bound: 2 ms or 50 % of the faster median, whichever is larger — a lookup that reveals
      // existence (a second query, a hash) costs more than that; loopback noise on a shared
      // 2-core machine does not move a median of ≥ 60 samples that far.
      assert.ok(Math.abs(f - z) <= Math.max(2, 0.5 * Math.min(f, z)), `${name}: foreign ${f} ms vs nonexistent ${z} ms`)
    }
    console.log(`[isolation-http] ${dialect} timing (${n} alternating samples each): ${report.join('; ')}`)
  })

  // Last: these writes are permitted, and change the fixture (on `child` wherever the operation
  // addresses an organisation, so that the acting organisation's own users keep working).
  test('inside the subtree, a write the role holds the permission for is not refused for its role', async () => {
    const defects: string[] = []
    const granted = new Map<string, number>()
    let tried = 0
    let succeeded = 0
    const actors = FULL ? roleWriteActors(t) : [...roleWriteActors(t), { label: 'admin/basic', role: 'admin' as Role, auth: t.actors.admin.basic }]
    // Deletions last, so that what they remove is not what a later call needed.
    const writes = ops.filter((o) => o.write).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
    for (const op of writes) {
      const relation: Relation = relational(op) ? 'child' : 'own'
      const variants: { label: string; body?: unknown }[] = [{ label: '' }]
      if (op.method === 'PATCH' && op.path === '/orgs/{org_id}') variants.push({ label: ' {billing fields}', body: { billingId: 'iso-billing', contactName: 'Iso Billing' } })
      for (const variant of variants) {
        const need = needOf(op, variant.body)
        // Not a role's write, a role list rather than a permission (the approver, a provider's
        // staff: their refusal is checked above), a documented refusal in place of success, or
        // the catalogue (the master organisation's alone, whatever the role).
        if (need.perm === null || typeof need.perm !== 'string' || need.refusal?.[relation] || need.perm === 'catalog.write') continue
        for (const actor of actors.filter((a) => mayByPolicy(a.role, need))) {
          const valid = VALID[`${op.method} ${op.path}`]
          const { url } = urlFor(op, relation, relation, valid?.params ?? {})
          const sampled = bodyFor(doc, op, relation, t, objects)
          const body = variant.body ?? (valid?.body ? valid.body(sampled as Record<string, unknown> | undefined, relation) : sampled)
          const a = valid?.multipart ? await upload(op.method, url, actor.auth) : await s.req(op.method, url, { auth: actor.auth, ...(body === undefined ? (op.method !== 'DELETE' ? { body: {} } : {}) : { body }) })
          tried++
          if (a.status < 300) succeeded++
          granted.set(need.label, (granted.get(need.label) ?? 0) + 1)
          // Refused for the role (src/ops/access.ts's words) although the README grants it what the
          // operation needs. Other refusals (the fixture's state, a business rule) are not the role's.
          const detail = String(a.body?.detail ?? a.body?.message ?? '')
          if (a.status === 401 || (a.status === 403 && /\bmay not do this\b/.test(detail))) {
            defects.push(`${op.method} ${op.path}${variant.label} ${relation} as ${actor.label} (holds ${need.label}): ${a.status} ${detail}`)
          }
          if (a.status >= 500) defects.push(`${op.method} ${op.path}${variant.label} ${relation} as ${actor.label}: ${a.status}`)
        }
      }
    }
    console.log(`[isolation-http] ${dialect}: ${tried} permitted writes tried inside (${[...granted].map(([k, n]) => `${k} ${n}`).join(', ')}), ${succeeded} succeeded; ${defects.length} refused for the role`)
    assert.ok(tried > 50 && succeeded > 20, `only ${tried} permitted writes tried, ${succeeded} succeeded`)
    assert.deepEqual(defects, [])
  })
})

/** Requests in flight at once (cells are independent; a 2-core machine is busy at 6). */
const WIDTH = count('ISOLATION_WIDTH', 6, 6)

/** Parameters the harvest cannot make an object for, with why; compared with fresh ids only. */
const KNOWN_UNHARVESTED = new Set<string>([])

/**
 * Objects of an organisation whose id is a global catalogue entry's, which any authenticated
 * actor may read: no foreign marker in the catalogue's own reads (`routes`, matched against
 * `METHOD /path`), a marker everywhere else (the route still scopes the object).
 */
const CATALOGUE_VALUED: Record<string, { routes: RegExp; why: string }> = {
  '/orgs/{org_id}/cloud-providers/{provider_id}': {
    routes: /^GET \/cloud-providers(\/|\?| |$)/,
    why: "an allowance names a provider of the master's catalogue, which GET /cloud-providers lists to every actor (cloud_provider.list); any other answer (an organisation's allowed providers…) holding it leaks",
  },
}

/** Operations with a write's method that change nothing (so a read-only actor may call them), with why. */
const READ_ONLY_WRITES: Record<string, string> = {
  'PUT /orgs/{org_id}/subscriptions/{subscription_id}/calculate-resource-usage': "seed 003's PUT; Clientele measures nothing, so it answers the usage as last reported (getSubscription)",
}

/** Inside reads that refuse for a reason other than scope, with the reason. */
const INSIDE_READ_REFUSALS: Record<string, string> = {
  'GET /orgs/{org_id}/approvals': 'needs org.write (those who manage approval providers), checked before scope',
  'GET /orgs/{org_id}/approval-providers': 'needs org.write, checked before scope',
  'GET /orgs/{org_id}/members/{member_id}/approvals': 'needs org.write, checked before scope',
  'GET /orgs/{org_id}/members/{member_id}/sso': 'mints a login link: needs member.write',
  'GET /orgs/{org_id}/username': "the owner's username: the fixture's child has no owner (404 'the customer has no owner')",
  'GET /orgs/{org_id}/customers/{customer_org_id}/subscriptions own': 'an organisation is not its own customer',
  'GET /orgs/{org_id}/customers/{customer_org_id}/subscriptions/{subscription_id} own': 'an organisation is not its own customer',
  'GET /approvals/{id}': "a response is read by its approver or by org.write on the request's organisation (approval.get); the fixture's approver is an admin of its own",
  'GET /api-keys/{key_id}/acls': "a key's ACLs are read through the key's maker (the fixture's keys are the master admin's)",
}

/**
 * The actors of the inside-write refusals: reduced the roles with fewest rights over Basic (and
 * the member's key, as the matrix has it), so CI tries a refusal of every permission but
 * `org.billing`'s; full every role × both credentials.
 */
function roleWriteActors(t: Tenancy): { label: string; role: Role; auth: RequestOptions['auth'] }[] {
  const out: { label: string; role: Role; auth: RequestOptions['auth'] }[] = []
  for (const role of ROLES) {
    const a = t.actors[role]
    if (FULL || role === 'member' || role === 'support' || role === 'billing') out.push({ label: `${role}/basic`, role, auth: a.basic })
    if (FULL) out.push({ label: `${role}/key`, role, auth: a.key })
  }
  return out
}

interface Need {
  /** The permission the write needs, the roles that may (no Permission names them), or null: not a role's write (skipped, with why). */
  perm: Permission | readonly Role[] | null
  label: string
  why: string
  /** A refusal the README documents other than 403 `forbidden`, by relation. */
  refusal?: Partial<Record<Relation, { status: number; code: string; why: string }>>
}

function mayByPolicy(role: Role, need: Need): boolean {
  if (need.perm === null) return true
  return typeof need.perm === 'string' ? GRANTS[role].includes(need.perm) : need.perm.includes(role)
}

const KEY_ABOVE = { status: 404, code: 'not_found', why: 'README "Authentication": a user with member.write manages the keys of the users in its subtree, "never a key whose user sits above it, even one made for its own organisation" (the fixture\'s keys are the master admin\'s)' }
const NO_OWNER = { status: 404, code: 'not_found', why: "the fixture's child has no owner, whose account these change (404 'the customer has no owner', as GET /orgs/{id}/username)" }

/**
 * The permission a write operation needs, by path pattern and method (first match wins), from
 * README.md's "Users and roles" and the sections it points to.
 */
const NEEDS: { method?: RegExp; path: RegExp; need: Omit<Need, 'label'> & { label?: string } }[] = [
  // Not a role's write.
  { path: SELF, need: { perm: null, why: "the caller's own login, session and preferences (the credentials tests cover them)" } },
  { path: /^\/(login\/password-recovery|email-change\/confirm)(\/|$)/, need: { perm: null, why: 'public, authenticated by a mailed token' } },
  { path: /^\/jobs\/\{ref\}\/callback$/, need: { perm: null, why: 'a provisioner callback, authenticated by the job token' } },
  { method: /^PUT$/, path: /\/calculate-resource-usage$/, need: { perm: null, why: READ_ONLY_WRITES['PUT /orgs/{org_id}/subscriptions/{subscription_id}/calculate-resource-usage']! } },
  { method: /^POST$/, path: /^\/reports\/\{name\}\/run$/, need: { perm: null, why: 'a read with POST: README "Reports": a definition is "anyone\'s to run: a run sees only" the caller\'s subtree; "Runs are read-only"' } },
  { method: /^POST$/, path: /^\/approvals\/\{id\}\/decision$/, need: { perm: [], label: 'the approver', why: 'README "Approvals": approval.decide is "the approver only" (anyone else: not_found, src/ops/approvals/README.md)', refusal: { own: { status: 404, code: 'not_found', why: 'not the approver: not_found' }, child: { status: 404, code: 'not_found', why: 'not the approver: not_found' } } } },
  { method: /^POST$/, path: /^\/orgs\/\{org_id\}\/pin\/verify$/, need: { perm: ['superadmin', 'owner', 'admin', 'support'], label: "a provider's staff", why: 'README "A customer\'s account": pin/verify "lets a provider\'s staff check one"' } },
  // Keys (and seed 003's access tokens, which are keys): a member manages "own API keys"; another user's key needs member.write.
  { path: /^\/(api-keys\/\{key_id\}|api-key-acls\/\{acl_id\}|orgs\/\{org_id\}\/access_tokens\/\{token_id\})/, need: { perm: 'member.write', why: 'README "Authentication": another user\'s key is managed "with member.write"', refusal: { own: KEY_ABOVE, child: KEY_ABOVE } } },
  { path: /^\/(api-keys|orgs\/\{org_id\}\/(api-keys|access_tokens))(\/|$)/, need: { perm: 'key.write', why: 'README "Users and roles": keys (a member: "own API keys"; readonly: "no keys")' } },
  // Members and the customer's account (its owner's login).
  { path: /^\/orgs\/\{org_id\}\/(password|email-change)$/, need: { perm: 'member.write', why: 'README "A customer\'s account": changes the owner\'s login (member.write)', refusal: { child: NO_OWNER } } },
  { path: /^\/orgs\/\{org_id\}\/pin$/, need: { perm: 'member.write', why: 'README "A customer\'s account": the customer\'s support PIN, set by whoever manages its account (member.write)' } },
  { method: /^PATCH$/, path: /^\/orgs\/\{org_id\}\/members\/\{member_id\}$/, need: { perm: 'member.write', why: 'README "Users and roles": another member (a member edits only "own profile"; the fixture\'s member is another user)' } },
  { path: /^(\/orgs\/\{org_id\}\/(members|owner)|\/logins$)/, need: { perm: 'member.write', why: 'README "Users and roles": "manage … members" (admin and above); user services: "member.write"' } },
  { path: /^\/orgs\/\{org_id\}\/groups(\/|$)/, need: { perm: 'group.write', why: 'README "Users and roles": support "manage groups"' } },
  // The catalogue (master-managed).
  { path: /^\/(catalog|services|locations|ip-pools|capacity-unit-types|resource-names|servers|server-groups|registrars|reports|cloud-providers)(\/|$)/, need: { perm: 'catalog.write', why: 'the catalogue: the master organisation with catalog.write' } },
  // Deleting an organisation.
  { method: /^DELETE$/, path: /^\/(orgs\/\{org_id\}|v3\/admin\/customers\/\{id\})$/, need: { perm: 'org.delete', why: 'README "Organisations": deleting' } },
  // Everything else changes the organisation or its objects.
  { path: /./, need: { perm: 'org.write', why: 'README "Users and roles": editing an organisation and its objects (not support, billing, member or readonly)' } },
]

/** The permission `op` needs with `body` (the billing fields alone: org.billing). */
function needOf(op: Operation, body?: unknown): Need {
  if (op.method === 'PATCH' && op.path === '/orgs/{org_id}' && body && typeof body === 'object' && Object.keys(body).length > 0 && Object.keys(body).every((k) => BILLING_FIELDS.has(k))) {
    return { perm: 'org.billing', label: 'org.billing', why: 'README "Users and roles": billing may "edit billing and contact fields"' }
  }
  const hit = NEEDS.find((n) => n.path.test(op.path) && (n.method === undefined || n.method.test(op.method)))!
  return { ...hit.need, label: hit.need.label ?? String(hit.need.perm) }
}

/**
 * Path values and bodies that the operation accepts where the sampled ones are refused by
 * validation (which answers before the permission is checked), keyed by `METHOD path`.
 */
const VALID: Record<string, { params?: Record<string, string>; body?: (sampled: Record<string, unknown> | undefined, rel: Relation) => unknown; multipart?: true }> = {
  'POST /orgs/{org_id}/capacity/{kind}': { params: { kind: 'available' } },
  'DELETE /orgs/{org_id}/capacity/{kind}/{type}': { params: { kind: 'available' } },
  'PUT /orgs/{org_id}/plans/{plan_id}/resources/{name}': { params: { name: 'websites' }, body: (b) => ({ ...b, name: 'websites' }) },
  'DELETE /resource-names/{name}': { params: { name: 'isomatrix1' } },
  'POST /orgs/{org_id}/provisioning': { body: (b) => ({ ...b, status: 'Provisioned' }) },
  'POST /orgs/{org_id}/members/{member_id}/services/{service}/distribution-groups': { body: (_b, rel) => ({ groups: [{ displayName: `Iso group ${rel}`, selected: true }] }) },
  'POST /orgs/{org_id}/sites': { body: (_b, rel) => ({ siteName: `isosite${rel}`, siteHostname: `isosite${rel}.example.com`, containerName: 'web', containerType: 'php', containerOSId: 'debian-12', containerDiskSpace: 10240, containerSize: 'small', environmentNames: ['production'] }) },
  'PUT /orgs/{org_id}/pin': { body: () => ({ pin: '246813' }) },
  'PUT /orgs/{org_id}/avatar': { multipart: true },
}

/** The billing and contact fields of an organisation (README "Organisations"; update-org's BILLING_FIELDS). */
const BILLING_FIELDS = new Set(['billingId', 'contactName', 'contactEmail', 'address', 'city', 'country'])
