/**
 * The README's policy for the RPC faces' writes, one declared table per face: the permission
 * each mutating XML-RPC method, XML action API document (entity × SET/DELETE) and Thrift
 * function needs inside the actor's subtree ("Users and roles", and each face's README for its
 * calls), with the README's exceptions next to their entries, and the REST reads (as the
 * master's admin) that show whether a refused call changed anything. isolation-rpc.test.ts
 * requires a role lacking the permission to get the face's forbidden outcome (or the documented
 * not-found) and nothing to change; a call with no entry, or an entry naming no call, fails it.
 */
import type { Permission } from '../../src/core/roles.js'
import { GRANTS, type Relation, type Role } from './isolation-fixture.js'

export { GRANTS }

/** The REST reads of what a call may change: `{org}` is the relation's organisation, `{own}` the actor's. */
export type Observer = string

export interface Need {
  /** The permission the call needs, or the roles that may make it (no permission names them), or null: no role's write (skipped, with why). */
  perm: Permission | readonly Role[] | null
  why: string
  /** The README's refusal where it is not the face's forbidden: the object must look nonexistent. */
  refusal?: 'not_found'
  /** What the call needs when the actor acts as the user the object belongs to (its own key, its own profile). */
  self?: Need
  /** What a refused call must leave as it was (besides `/orgs/{org}`, always read). */
  observe: readonly Observer[]
  /** The organisation's owner still signs in with its password afterwards. */
  signsIn?: true
}

export function mayByPolicy(role: Role, need: Need): boolean {
  if (need.perm === null) return true
  return typeof need.perm === 'string' ? GRANTS[role].includes(need.perm) : need.perm.includes(role)
}

export const needLabel = (n: Need): string => (n.perm === null ? 'none' : typeof n.perm === 'string' ? n.perm : `roles ${n.perm.join('/')}`)

const ORG_WRITE = 'README "Users and roles": editing an organisation and its objects is admin and above (not support: "manage groups", billing: "billing and contact fields", member: "own API keys and own profile")'
const ANOTHER_USERS_KEY = 'README "Authentication": "A user with member.write also manages the keys of the users in its subtree"; without it another user\'s key is not the actor\'s to see (not_found, src/ops/keys getKeyForChange), as the matrix\'s inside judgement has it'
const OWN_KEY: Need = { perm: 'key.write', why: 'README "Users and roles": a member manages its "own API keys"; readonly: "read only"', observe: ['/orgs/{org}/api-keys'] }
const ACCOUNT = 'README "A customer\'s account": changes the customer owner\'s login, which "member.write" manages (src/ops/account requireAccountManager)'

/** XML-RPC (src/faces/xmlrpc/README.md "Methods"), by method name; `… {billing fields}` is updateModelProperties given only address, city and country. */
export const XMLRPC_NEEDS: Record<string, Need> = {
  'cloud_api_customer.create': { perm: 'org.write', why: `customer.create: admin "manage customers"; ${ORG_WRITE}`, observe: ['/orgs/{org}/customers'] },
  'cloud_api_customer.setStatus': { perm: 'org.write', why: 'org.update of the lifecycle status (README "Organisations": only a strict ancestor; "Users and roles": managing customers)', observe: [] },
  'cloud_api_customer.updateModelProperties': { perm: 'org.write', why: `org.update with name and description: ${ORG_WRITE}`, observe: [] },
  'cloud_api_customer.updateModelProperties {billing fields}': { perm: 'org.billing', why: 'org.update of address, city and country alone: README "Users and roles": billing may "edit billing and contact fields" (README "Organisations" lists them)', observe: [] },
  'cloud_api_customer.delete': { perm: 'org.delete', why: 'org.delete (README "Organisations": Deleting; "Users and roles": manage customers)', observe: ['/orgs/{own}/customers'] },
  'cloud_api_customer.addCapacityAvailable': { perm: 'org.write', why: 'capacity.add: README "Capacity": "org.write in the subtree"', observe: ['/orgs/{org}/capacity'] },
  'cloud_api_customer.addCapacityConsumed': { perm: 'org.write', why: 'capacity.add: README "Capacity": "org.write in the subtree"', observe: ['/orgs/{org}/capacity'] },
  'cloud_api_customer.removeCapacityAvailable': { perm: 'org.write', why: 'capacity.remove: README "Capacity": "org.write in the subtree"', observe: ['/orgs/{org}/capacity'] },
  'cloud_api_customer.removeCapacityConsumed': { perm: 'org.write', why: 'capacity.remove: README "Capacity": "org.write in the subtree"', observe: ['/orgs/{org}/capacity'] },
  'cloud_api_customer.addCloudUserGroup': { perm: 'group.write', why: 'group.attach: README "Users and roles": support "manage groups" (cloud user groups are the organisation\'s groups)', observe: ['/orgs/{org}/groups'] },
  'cloud_api_customer.removeCloudUserGroup': { perm: 'group.write', why: 'group.delete: README "Users and roles": support "manage groups"', observe: ['/orgs/{org}/groups'] },
  'cloud_api_customer.registerDomain': { perm: 'org.write', why: `domain.register: the organisation's domain registry (README "Domains and registrars"); ${ORG_WRITE}`, observe: ['/orgs/{org}/domains'] },
  'cloud_api_customer.unregisterDomain': { perm: 'org.write', why: `domain.unregister; ${ORG_WRITE}`, observe: ['/orgs/{org}/domains'] },
}

/** The XML action API (src/faces/xmlapi/README.md "Entities"), by the matrix's document label. */
export const XMLAPI_NEEDS: Record<string, Need> = {
  'customer SET by id': { perm: 'org.write', why: `org.update of <description>: ${ORG_WRITE}`, observe: [] },
  'customer SET billing fields': { perm: 'org.billing', why: 'org.update of <contactname> and <city> alone: README "Users and roles": billing may "edit billing and contact fields"', observe: [] },
  'customer SET user': {
    perm: 'member.write',
    why: 'user.update of another user (the organisation\'s owner): README "Users and roles": "manage … members" is admin and above; a member edits only its "own profile"',
    observe: ['/orgs/{org}/members'],
    self: { perm: ['superadmin', 'owner', 'admin', 'support', 'billing', 'member'], why: 'README "Users and roles": a member edits its "own profile" (so every role above it); readonly: "read only"', observe: ['/orgs/{org}/members'] },
  },
  'customer DELETE by id': { perm: 'org.delete', why: 'org.delete (README "Organisations": Deleting)', observe: ['/orgs/{own}/customers'] },
}

/** Thrift (idl/README.md, src/faces/thrift/README.md), by function name. */
export const THRIFT_NEEDS: Record<string, Need> = {
  CP_Wizard: { perm: 'org.write', why: `site.wizard (README "A customer's account, cancellations and sites"); ${ORG_WRITE}`, observe: ['/orgs/{org}/sites'] },
  requestCancellation: { perm: 'org.write', why: `cancellation.request; ${ORG_WRITE}`, observe: ['/orgs/{org}/cancellations'] },
  createKey: { ...OWN_KEY, why: `apikey.create: ${OWN_KEY.why}` },
  revokeKey: { perm: 'member.write', refusal: 'not_found', why: ANOTHER_USERS_KEY, self: OWN_KEY, observe: ['/orgs/{org}/api-keys'] },
  createKeyACL: { perm: 'member.write', refusal: 'not_found', why: ANOTHER_USERS_KEY, self: OWN_KEY, observe: ['/orgs/{org}/api-keys'] },
  updateKeyACL: { perm: 'member.write', refusal: 'not_found', why: ANOTHER_USERS_KEY, self: OWN_KEY, observe: ['/orgs/{org}/api-keys'] },
  deleteKeyACL: { perm: 'member.write', refusal: 'not_found', why: ANOTHER_USERS_KEY, self: OWN_KEY, observe: ['/orgs/{org}/api-keys'] },
  changePassword: { perm: 'member.write', why: ACCOUNT, observe: ['/orgs/{org}/members'], signsIn: true },
  changePIN: { perm: 'member.write', why: `${ACCOUNT} (the support PIN is never answered: the organisation and its members are read)`, observe: ['/orgs/{org}/members'] },
  changeEmail: { perm: 'member.write', why: ACCOUNT, observe: ['/orgs/{org}/members'] },
  setSettings: { perm: 'org.write', why: `setting.set; ${ORG_WRITE}`, observe: ['/orgs/{org}/settings'] },
  addIpAddress: { perm: 'org.write', why: `ip.add: README "IP addresses": a parent gives its customers addresses; ${ORG_WRITE}`, observe: ['/orgs/{org}/ip-addresses'] },
  freeIpAddress: { perm: 'org.write', why: `ip.free: README "IP addresses"; ${ORG_WRITE}`, observe: ['/orgs/{org}/ip-addresses'] },
  createFTPUser: { perm: 'org.write', why: 'ftp_user.create: README "Settings and FTP users": "changing needs org.write"', observe: ['/orgs/{org}/ftp-users'] },
  updateFTPUser: { perm: 'org.write', why: 'ftp_user.update: README "Settings and FTP users": "changing needs org.write"', observe: ['/orgs/{org}/ftp-users'] },
  destroyFTPUser: { perm: 'org.write', why: 'ftp_user.delete: README "Settings and FTP users": "changing needs org.write"', observe: ['/orgs/{org}/ftp-users'] },
  acknowledgeNotice: { perm: null, why: 'README "Notices and contacts": "Customers list what they see and acknowledge it" — a reader\'s call (notice.acknowledge checks no write permission)', observe: [] },
  createContact: { perm: 'org.write', why: `contact.create; ${ORG_WRITE}`, observe: ['/orgs/{org}/contacts'] },
  destroyContact: { perm: 'org.write', why: `contact.delete; ${ORG_WRITE}`, observe: ['/orgs/{org}/contacts'] },
  createContactMethod: { perm: 'org.write', why: `contact.addMethod; ${ORG_WRITE}`, observe: ['/orgs/{org}/contacts'] },
  destroyContactMethod: { perm: 'org.write', why: `contact.removeMethod; ${ORG_WRITE}`, observe: ['/orgs/{org}/contacts'] },
  createContactMethodNotice: { perm: 'org.write', why: `contact.subscribe; ${ORG_WRITE}`, observe: ['/orgs/{org}/contacts'] },
  destroyContactMethodNotice: { perm: 'org.write', why: `contact.unsubscribe; ${ORG_WRITE}`, observe: ['/orgs/{org}/contacts'] },
}

/** The need of an entry for an actor: its `self` form where the object is the actor's own. */
export function needFor(n: Need, self: boolean): Need {
  return self && n.self ? n.self : n
}

/** The REST paths of `observe` (plus the organisation's own record) for a relation's organisation. */
export function observerPaths(n: Need, org: string, own: string): string[] {
  return [...new Set([`/orgs/${org}`, ...n.observe.map((o) => o.replace('{org}', org).replace('{own}', own))])]
}

export type { Relation }
