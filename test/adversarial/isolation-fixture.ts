/**
 * The organisations and people of the tenant-isolation matrix. The actor's organisation `own` is
 * a reseller with a customer `child`; its parent `parent` (a reseller under the master) has a
 * second customer `sibling`; another reseller `otherReseller` under the master has a customer
 * `foreign`; `nonexistent` is a well-formed id no organisation has. In `own` there is one user
 * per role, and per role a key of `own` holding that role (made by `own`'s owner: a readonly user may
 * not make keys), so every role can be tried with Basic credentials and with a Bearer key.
 *
 * The README's policy ("Users and roles"): an actor acts on its own organisation and its
 * descendants; an id outside that subtree answers exactly as a nonexistent one does (404); an
 * action its role forbids inside the subtree answers 403.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { RequestOptions, TestServer } from '../helpers/harness.js'
import type { Permission } from '../../src/core/roles.js'

export const ROLES = ['owner', 'superadmin', 'admin', 'support', 'billing', 'member', 'readonly'] as const
export type Role = (typeof ROLES)[number]

/** How a target organisation stands to the actor's. */
export const RELATIONS = ['own', 'child', 'sibling', 'foreign', 'parent', 'nonexistent'] as const
export type Relation = (typeof RELATIONS)[number]

/** The relations inside the actor's subtree; every other one must look like `nonexistent`. */
export const INSIDE: ReadonlySet<Relation> = new Set(['own', 'child'])

export interface Actor {
  role: Role
  username: string
  password: string
  userId: string
  /** A key of `own` holding this role (no IP ACL): send as `Authorization: Bearer …`. */
  key: string
  basic: RequestOptions['auth']
}

export interface Tenancy {
  /** Organisation id by relation (`nonexistent` is a fresh UUID). */
  org: Record<Relation, string>
  /** The master organisation (outside the actor's subtree, above `parent`). */
  master: string
  actors: Record<Role, Actor>
}

/**
 * Builds the tree through the native REST API as the master's admin; `tag` keeps names apart
 * when one database holds several fixtures.
 */
export async function buildTenancy(s: TestServer, tag = randomUUID().slice(0, 8)): Promise<Tenancy> {
  async function post(path: string, body: unknown, auth?: RequestOptions['auth']): Promise<any> {
    const r = await s.req('POST', path, { body, ...(auth === undefined ? {} : { auth }) })
    assert.ok(r.status === 201 || r.status === 200, `POST ${path}: ${r.status} ${r.text}`)
    return r.body
  }
  const customer = async (parent: string, name: string, isReseller: boolean): Promise<string> =>
    (await post(`/orgs/${parent}/customers`, { name: `${name} ${tag}`, isReseller })).id as string

  const master = s.masterId
  const parent = await customer(master, 'Isolation Parent', true)
  const own = await customer(parent, 'Isolation Own', true)
  const child = await customer(own, 'Isolation Child', false)
  const sibling = await customer(parent, 'Isolation Sibling', true)
  const otherReseller = await customer(master, 'Isolation Other Reseller', true)
  const foreign = await customer(otherReseller, 'Isolation Foreign', false)

  const actors = {} as Record<Role, Actor>
  for (const role of ROLES) {
    const username = `iso-${role}-${tag}`
    const password = `${username}-password`
    const user = await post(`/orgs/${own}/members`, { username, password, role })
    const auth: RequestOptions['auth'] = [username, password]
    const key = await post('/api-keys', { name: `${role} key ${tag}`, orgId: own, role }, role === 'superadmin' ? undefined : actors.owner?.basic)
    assert.equal(typeof key.secret, 'string', `the key made for ${role} carries its secret`)
    actors[role] = { role, username, password, userId: user.id as string, key: key.secret, basic: auth }
  }
  return {
    org: { own, child, sibling, foreign, parent, nonexistent: randomUUID() },
    master,
    actors,
  }
}

/** README.md "Users and roles": what each role may, in its organisation and below. */
export const GRANTS: Record<Role, readonly Permission[]> = {
  superadmin: ['org.read', 'org.write', 'org.billing', 'org.delete', 'member.write', 'group.write', 'key.write', 'catalog.write'], // "everything, including granting superadmin"
  owner: ['org.read', 'org.write', 'org.billing', 'org.delete', 'member.write', 'group.write', 'key.write', 'catalog.write'], // "everything but granting superadmin"
  admin: ['org.read', 'org.write', 'org.billing', 'org.delete', 'member.write', 'group.write', 'key.write', 'catalog.write'], // "manage customers, members up to admin, groups, keys"
  support: ['org.read', 'group.write', 'key.write'], // "read; manage groups" (and its own keys)
  billing: ['org.read', 'org.billing', 'key.write'], // "read; edit billing and contact fields" (and its own keys)
  member: ['org.read', 'key.write'], // "read; own API keys and own profile"
  readonly: ['org.read'], // "read only"
}
