/**
 * A user's password options, account expiry and additional properties, a customer's properties
 * and its provisioning status, as seed 004's XML action API reads and answers them:
 *
 * ```xml
 * <user> … <password><password>…</password><changeatnextlogon>true</changeatnextlogon><expires>NEVER</expires></password>
 *          <accountexpires>2031-02-28</accountexpires>
 *          <additionalproperties><property><name>department</name><value>Heroes</value></property></additionalproperties> </user>
 * <customer> … <status>Provisioned</status>
 *          <customerproperties><property><name>Region</name><value>EU</value></property></customerproperties> </customer>
 * ```
 *
 * GET answers what SET takes back: a user's `<password>` without the password itself, expiry
 * days as `YYYY-MM-DD` or `NEVER`. On an existing user, options equal to the stored ones are not
 * sent (so a GET answer set back changes nothing, even where passwords may no longer be set never
 * to expire). Property maps merge: a name given gets its value, an empty `<value>` removes it.
 */
import type { XmlElement } from '../xml/reader.js'
import type { Organization } from '../../core/org.js'
import type { User } from '../../core/users.js'
import { mergeProperties, parseAccountExpiry, parsePasswordExpiry, passwordsMustExpire, type PropertyMap } from '../../core/account.js'
import { getUser } from '../../ops/users/get-user.js'
import { getOrg } from '../../ops/orgs/get-org.js'
import { updateOrg } from '../../ops/orgs/update-org.js'
import { setCustomerProvisioning } from '../../ops/orgs/set-customer-provisioning.js'
import { at, type Call, type Step } from './call.js'
import { E, XmlApiError, type Entity } from './errors.js'
import { bool, checkTags, kids, one, parseBool, parseStatus, val, type Node } from './document.js'

// ---------------------------------------------------------------------------------------------
// name → value maps

/**
 * `<x><property><name>…</name><value>…</value></property>…</x>` as a change to a map (an empty
 * or absent `<value>` removes the name), checked as the core checks it (names, lengths: error 19)
 * before anything runs. A name given twice is error 19.
 */
export async function readPropertyChange(el: XmlElement, where: Entity): Promise<PropertyMap> {
  checkTags(el, { property: 'ok' })
  const change: PropertyMap = {}
  for (const p of kids(el, 'property')) {
    checkTags(p, { name: 'ok', value: 'ok', fullname: 'readonly', hidden: 'readonly' })
    const name = val(p, 'name')
    if (name === undefined) throw new XmlApiError(E.InvalidProperty, `a <property> of <${el.name}> needs a <name>`)
    if (Object.hasOwn(change, name)) throw new XmlApiError(E.InvalidProperty, `property '${name.slice(0, 64)}' is given twice in <${el.name}>`)
    const v = one(p, 'value')
    change[name] = v ? v.text.trim() : ''
  }
  await at(where, async () => mergeProperties({}, change, 'property'))
  return change
}

/** A map as the seed answers properties: `{ property: [{ name, value }…] }`, names in order. */
export function propertiesAnswer(map: PropertyMap): Node {
  return { property: Object.entries(map).map(([name, value]) => ({ name, value })) }
}

// ---------------------------------------------------------------------------------------------
// users

/** The tags of `<password>` in a user. */
const PASSWORD_TAGS = { password: 'ok', changeatnextlogon: 'ok', expires: 'ok' } as const

/** What a user's SET asks for its password and account: all optional. */
export interface AccountChange {
  password?: string
  changePasswordAtNextLogon?: boolean
  passwordExpiresAt?: string | null
  accountExpiresAt?: string | null
}

/** A day-or-NEVER value checked by the core's reader, its error located at the user (37 or 36). */
async function day(read: (v: string) => string | null, v: string): Promise<string | null> {
  return at('user', async () => read(v))
}

/**
 * Reads a user's `<password>` (a value, or `<password>`, `<changeatnextlogon>` and `<expires>`
 * children; without an inner `<password>` only the options change) and `<accountexpires>`. On
 * an existing user, options equal to its stored ones are left out (a GET answer set back changes
 * nothing). Errors before anything runs: a bad boolean 32, a malformed password expiry 37, a
 * malformed account expiry 36, a new `NEVER` where `org` (known: the customer exists) does not
 * allow passwords never to expire 35.
 */
export async function readAccountChange(el: XmlElement, org: Organization | undefined, existing: User | undefined): Promise<AccountChange> {
  let out: AccountChange = {}
  const pw = one(el, 'password')
  if (pw) {
    if (pw.children.length > 0) {
      checkTags(pw, PASSWORD_TAGS)
      const inner = one(pw, 'password')
      if (inner && inner.children.length > 0) throw new XmlApiError(E.InvalidXmlFormat, '<password> in <password> takes a value, not elements')
      // Passwords are taken as written, spaces included.
      if (inner && inner.text !== '') out.password = inner.text
      const change = val(pw, 'changeatnextlogon')
      if (change !== undefined) out.changePasswordAtNextLogon = parseBool(change, 'changeatnextlogon')
      const expires = val(pw, 'expires')
      if (expires !== undefined) out.passwordExpiresAt = await day(parsePasswordExpiry, expires)
    } else if (pw.text !== '') out.password = pw.text
  }
  const account = val(el, 'accountexpires')
  if (account !== undefined) out.accountExpiresAt = await day(parseAccountExpiry, account)
  if (existing) out = changedOptions(existing, out)
  if (out.passwordExpiresAt === null && org && !org.passwordNeverExpiresAllowed) {
    await at('user', async () => {
      throw passwordsMustExpire()
    })
  }
  return out
}

/** `change` without the options `u` already has (the password itself is always kept). */
function changedOptions(u: User, change: AccountChange): AccountChange {
  const out: AccountChange = { ...change }
  if (out.changePasswordAtNextLogon === u.changePasswordAtNextLogon) delete out.changePasswordAtNextLogon
  if (out.passwordExpiresAt !== undefined && out.passwordExpiresAt === u.passwordExpiresAt) delete out.passwordExpiresAt
  if (out.accountExpiresAt !== undefined && out.accountExpiresAt === u.accountExpiresAt) delete out.accountExpiresAt
  return out
}

/** A user's `<password>` (never the password) and `<accountexpires>`, as GET answers them. */
export function accountAnswer(u: User): Node {
  return {
    password: { changeatnextlogon: bool(u.changePasswordAtNextLogon), expires: u.passwordExpiresAt ?? 'NEVER' },
    accountexpires: u.accountExpiresAt ?? 'NEVER',
  }
}

/** A user's `<additionalproperties>` (its Active Directory properties), as GET answers them. */
export async function additionalPropertiesAnswer(call: Call, u: User): Promise<Node> {
  const full = await at('user', getUser(call.read, { orgId: u.orgId, userId: u.id, withProperties: true }))
  return propertiesAnswer(full.additionalProperties ?? {})
}

// ---------------------------------------------------------------------------------------------
// customers

/** A customer's `<customerproperties>`, as GET answers them. */
export async function customerPropertiesAnswer(call: Call, o: Organization): Promise<Node> {
  const full = await at('customer', getOrg(call.read, { orgId: o.id, withProperties: true }))
  return propertiesAnswer(full.customerProperties ?? {})
}

/**
 * The customer status a SET asks for: `Provisioned` or `NotProvisioned` (any case); another of
 * the seed's six statuses, or any other word, is error 17.
 */
export function readCustomerStatus(el: XmlElement): 'Provisioned' | 'NotProvisioned' | undefined {
  const s = val(el, 'status')
  if (s === undefined) return undefined
  const st = parseStatus(s)
  if (st !== 'Provisioned' && st !== 'NotProvisioned') {
    throw new XmlApiError(E.InvalidStatus, `<status> of a customer may be set to Provisioned or NotProvisioned only, not ${st}`)
  }
  return st
}

/** A SET's `<customerproperties>` change (undefined when not given): merged by `org.update`. */
export async function readCustomerProperties(el: XmlElement): Promise<PropertyMap | undefined> {
  const cp = one(el, 'customerproperties')
  return cp ? readPropertyChange(cp, 'customer') : undefined
}

/**
 * The step of a customer's `<status>` in a SET, after the customer's own (which made `target.id`
 * for a new customer). `NotProvisioned` runs `customer.set_provisioning` (every held service
 * deprovisioned, as one request) even when the customer already is, since services may have been
 * provisioned since; `Provisioned` where the customer already is (a GET answer set back, or a new
 * customer) is no step at all: it would change nothing.
 */
export function customerStatusSteps(el: XmlElement, existing: Organization | undefined, target: { id?: string }, steps: Step[]): void {
  const status = readCustomerStatus(el)
  const current = existing?.provisioningStatus ?? 'Provisioned'
  if (status === 'NotProvisioned' || (status === 'Provisioned' && current !== 'Provisioned')) {
    steps.push({ where: 'customer', run: (ctx) => setCustomerProvisioning(ctx, { orgId: target.id!, status }) })
  }
}

/** The step setting a new customer's properties, once `target.id` is made. */
export function newCustomerPropertiesStep(change: PropertyMap | undefined, target: { id?: string }, steps: Step[]): void {
  if (change && Object.keys(change).length > 0) steps.push({ where: 'customer', run: (ctx) => updateOrg(ctx, { orgId: target.id!, customerProperties: change }) })
}
