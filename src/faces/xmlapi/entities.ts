/**
 * The entities of seed 004's XML action API and what each action does with them: one handler
 * per entity (`ENTITIES`) and, inside an entity, one rule per child tag (`*_TAGS`). FIND and GET
 * answer elements; SET and DELETE decode and check the whole document first (values, names,
 * catalogue lookups, the customers and users named) and only then run, as `Step`s, one
 * mutating operation each.
 *
 * Tags whose core is not built yet would be marked `{ pending }` in the tag tables and `ENTITIES` (none are today):
 * they are refused with error 0 naming what they wait for, never ignored.
 */
import { randomBytes } from 'node:crypto'
import { isDomainError } from '../../core/errors.js'
import { ROLES, type Role } from '../../core/roles.js'
import type { Organization } from '../../core/org.js'
import type { User } from '../../core/users.js'
import type { Location } from '../../core/catalog.js'
import type { Actor, Ctx, Deps } from '../../ops/context.js'
import type { XmlElement } from '../xml/reader.js'
import { findOrgs } from '../../ops/orgs/find-orgs.js'
import { getOrg } from '../../ops/orgs/get-org.js'
import { createCustomer } from '../../ops/orgs/create-customer.js'
import { updateOrg } from '../../ops/orgs/update-org.js'
import { deleteOrg } from '../../ops/orgs/delete-org.js'
import { findUser } from '../../ops/users/find-user.js'
import { listUsers } from '../../ops/users/list-users.js'
import { createUser } from '../../ops/users/create-user.js'
import { updateUser } from '../../ops/users/update-user.js'
import { deleteUser } from '../../ops/users/delete-user.js'
import { getCustomerService, listCustomerServices } from '../../ops/services/get-customer-services.js'
import { getUserService, listUserServices } from '../../ops/services/get-user-services.js'
import { provisionCustomerService } from '../../ops/services/provision-customer-service.js'
import { deprovisionCustomerService } from '../../ops/services/deprovision-customer-service.js'
import { provisionUserService } from '../../ops/services/provision-user-service.js'
import { deprovisionUserService } from '../../ops/services/deprovision-user-service.js'
import type { CustomerServiceView, UserServiceView } from '../../ops/services/view.js'
import { getService } from '../../ops/catalog/get-service.js'
import { listServices } from '../../ops/catalog/list-services.js'
import { listPlans } from '../../ops/catalog/list-plans.js'
import { listPackages } from '../../ops/catalog/list-packages.js'
import { listLocations } from '../../ops/catalog/list-locations.js'
import { getLocation } from '../../ops/catalog/get-location.js'
import { getRequest } from '../../ops/requests/get-request.js'
import { listRequests } from '../../ops/requests/list-requests.js'
import type { SeenRequest } from '../../ops/requests/seen-by.js'
import { getIdentity } from '../../ops/auth/get-identity.js'
import { getVersion } from '../../ops/system/get-version.js'
import { E, XmlApiError } from './errors.js'
import { at, WireFailure, type Call, type Step } from './call.js'
import { REPORT_ENTITY } from './report.js'
import { APPROVAL_ENTITY, customerProviders, customerResponses, refuseApprovalDelete, setProviders, setResponses, userResponses } from './approvals.js'
import { accountAnswer, additionalPropertiesAnswer, customerPropertiesAnswer, customerStatusSteps, newCustomerPropertiesStep, readAccountChange, readCustomerProperties, readPropertyChange } from './account.js'
import { customerExchangeDeleteSteps, customerExchangeInto, customerExchangeSteps, exchangeOnly, hasExchange, requireNamedForExchange, userExchangeInto, userExchangeSteps } from './exchange.js'
import { add, bool, checkTags, kids, one, parseBool, parseInteger, parseStatus, parseUserLimit, tagOf, val, type Node, type TagRule } from './document.js'

export { at, WireFailure, type Call, type Step } from './call.js'


// ---------------------------------------------------------------------------------------------
// customers

/** A customer as a request names it: short code, number, full name or billing id. */
interface CustomerRef {
  name?: string
  id?: number
  fullname?: string
  billingid?: string
}

function customerRef(el: XmlElement): CustomerRef {
  const ref: CustomerRef = {}
  const name = val(el, 'name')
  const id = val(el, 'id')
  const fullname = val(el, 'fullname')
  const billingid = val(el, 'billingid')
  if (name !== undefined) ref.name = name
  if (id !== undefined) ref.id = parseInteger(id, 'id', 1)
  if (fullname !== undefined) ref.fullname = fullname
  if (billingid !== undefined) ref.billingid = billingid
  return ref
}

const isEmptyRef = (r: CustomerRef) => r.name === undefined && r.id === undefined && r.fullname === undefined && r.billingid === undefined

function describeRef(r: CustomerRef): string {
  return r.name ?? r.fullname ?? (r.id !== undefined ? String(r.id) : undefined) ?? r.billingid ?? ''
}

/** The customers of the actor's subtree matching every identifier given (all of them for none). */
async function findCustomers(call: Call, r: CustomerRef): Promise<Organization[]> {
  // A code outside the codes' alphabet names no customer (and must not reach the operation's checks).
  if (r.name !== undefined && !/^[A-Za-z0-9_-]{1,16}$/.test(r.name)) return []
  if ((r.fullname?.length ?? 0) > 200 || (r.billingid?.length ?? 0) > 200) return []
  return at('customer', findOrgs(call.read, { code: r.name, number: r.id, name: r.fullname, billingId: r.billingid }))
}

function notFoundCustomer(r: CustomerRef): XmlApiError {
  return new XmlApiError(E.CustomerNotFound, `Customer '${describeRef(r)}' not found.`)
}

/** The one customer `r` names; error 34 when none, 1 when several match. */
async function theCustomer(call: Call, r: CustomerRef): Promise<Organization> {
  if (isEmptyRef(r)) throw new XmlApiError(E.InvalidXmlFormat, '<customer> must name the customer by <name>, <id>, <fullname> or <billingid>')
  const found = await findCustomers(call, r)
  if (found.length === 0) throw notFoundCustomer(r)
  if (found.length > 1) throw new XmlApiError(E.CustomerError, `more than one customer matches '${describeRef(r)}'; name it by <name> or <id>`)
  return found[0]!
}

/** The fields of a customer the API sets, with the seed's tag and a property name. */
const CUSTOMER_FIELDS = [
  { tag: 'contactname', prop: 'ContactName', label: 'Contact name', key: 'contactName' },
  { tag: 'contactemail', prop: 'ContactEmail', label: 'Contact e-mail', key: 'contactEmail' },
  { tag: 'primarydomain', prop: 'PrimaryDomain', label: 'Primary domain', key: 'primaryDomain' },
  { tag: 'description', prop: 'Description', label: 'Description', key: 'description' },
  { tag: 'address', prop: 'Address', label: 'Address', key: 'address' },
  { tag: 'city', prop: 'City', label: 'City', key: 'city' },
  { tag: 'country', prop: 'Country', label: 'Country', key: 'country' },
] as const satisfies readonly { tag: string; prop: string; label: string; key: keyof Organization }[]

const CUSTOMER_TAGS: Record<string, TagRule> = {
  name: 'ok',
  id: 'ok',
  fullname: 'ok',
  billingid: 'ok',
  contactname: 'ok',
  contactemail: 'ok',
  primarydomain: 'ok',
  description: 'ok',
  address: 'ok',
  city: 'ok',
  country: 'ok',
  enabled: 'ok',
  parent: 'ok',
  user: 'ok',
  service: 'ok',
  properties: 'ok',
  // The customer-level provisioning status (account.ts).
  status: 'ok',
  customerproperties: 'ok',
  // Seed 004's workflow approval (approvals.ts).
  approvalproviders: 'ok',
  approvalresponses: 'ok',
}

/** A customer as FIND answers it, in the seed's order; `status` is the customer's provisioning status. */
function customerSummary(o: Organization): Node {
  return { name: o.code, id: String(o.number), fullname: o.name, billingid: o.billingId, primarydomain: o.primaryDomain, status: o.provisioningStatus }
}

/** A customer as GET answers it: everything SET takes back. */
async function customerDetail(call: Call, o: Organization): Promise<Node> {
  const n: Node = customerSummary(o)
  for (const f of CUSTOMER_FIELDS) if (f.tag !== 'primarydomain') n[f.tag] = o[f.key]
  n.enabled = bool(o.enabled)
  // The master organisation (depth 0) is never a customer, and the parent of the caller's own
  // organisation is not the caller's to see: no read for either.
  if (o.parentId && o.depth > 1 && o.id !== call.actor.orgId) {
    try {
      const p = await getOrg(call.read, { orgId: o.parentId })
      n.parent = { name: p.code, id: String(p.number), fullname: p.name }
    } catch (e) {
      // The parent of the actor's own organisation is not the actor's to see.
      if (!isDomainError(e, 'not_found')) throw e
    }
  }
  return n
}

function propertiesNode(el: XmlElement | undefined, list: { name: string; label?: string; value: string }[]): Node {
  const detail = el?.attrs.detail !== undefined ? parseBool(el.attrs.detail, 'properties detail') : false
  return { property: list.map((p) => (detail && p.label !== undefined ? { name: p.name, fullname: p.label, value: p.value } : { name: p.name, value: p.value })) }
}

function propertiesFilter(el: XmlElement | undefined): 'all' | undefined {
  const f = el?.attrs.filter
  if (f === undefined || f.trim() === '') return undefined
  if (f.trim().toLowerCase() === 'all') return 'all'
  throw new XmlApiError(E.InvalidXmlFormat, 'the filter attribute of <properties> takes "all"')
}

/** `<properties><property><name>…</name><value>…</value></property>…</properties>` as name/value pairs. */
function propertyPairs(el: XmlElement): { name: string; value: string }[] {
  checkTags(el, { property: 'ok' })
  return kids(el, 'property').map((p) => {
    checkTags(p, { name: 'ok', value: 'ok', fullname: 'readonly', hidden: 'readonly' })
    const name = val(p, 'name')
    if (name === undefined) throw new XmlApiError(E.InvalidProperty, 'a <property> needs a <name>')
    const v = one(p, 'value')
    return { name, value: v ? v.text.trim() : '' }
  })
}

async function findCustomer(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, CUSTOMER_TAGS)
  const status = val(el, 'status')
  const wanted = status !== undefined ? parseStatus(status) : undefined
  const found = (await findCustomers(call, customerRef(el))).filter((o) => wanted === undefined || o.provisioningStatus === wanted)
  const out: Node[] = []
  for (const o of found) {
    const n = customerSummary(o)
    for (const u of kids(el, 'user')) await usersInto(call, o, u, n, 'find')
    for (const s of kids(el, 'service')) await servicesInto(call, o, s, n, 'find')
    out.push(n)
  }
  return out
}

async function getCustomer(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, CUSTOMER_TAGS)
  const o = await theCustomer(call, customerRef(el))
  const n = await customerDetail(call, o)
  const props = one(el, 'properties')
  if (props) n.properties = propertiesNode(props, CUSTOMER_FIELDS.map((f) => ({ name: f.prop, label: f.label, value: String(o[f.key]) })))
  if (one(el, 'customerproperties')) n.customerproperties = await customerPropertiesAnswer(call, o)
  for (const u of kids(el, 'user')) await usersInto(call, o, u, n, 'get')
  for (const s of kids(el, 'service')) await servicesInto(call, o, s, n, 'get')
  const providers = one(el, 'approvalproviders')
  if (providers) n.approvalproviders = await customerProviders(call, o, providers)
  const responses = one(el, 'approvalresponses')
  if (responses) n.approvalresponses = await customerResponses(call, o, responses)
  return [n]
}

/** Where a SET's steps find the customer: known now, or made by an earlier step. */
interface Target {
  id?: string
}

async function setCustomer(call: Call, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, CUSTOMER_TAGS)
  const ref = customerRef(el)
  const fields: Record<string, string> = {}
  for (const f of CUSTOMER_FIELDS) {
    const v = val(el, f.tag)
    if (v !== undefined) fields[f.key] = v
  }
  const props = one(el, 'properties')
  if (props) {
    for (const p of propertyPairs(props)) {
      const f = CUSTOMER_FIELDS.find((x) => x.prop.toLowerCase() === p.name.toLowerCase())
      if (!f) throw new XmlApiError(E.InvalidProperty, `a customer has no property '${p.name}'`)
      fields[f.key] = p.value
    }
  }
  const enabledText = val(el, 'enabled')
  const enabled = enabledText !== undefined ? parseBool(enabledText, 'enabled') : undefined
  const customerProperties = await readCustomerProperties(el)
  const parentEl = one(el, 'parent')
  let parent: Organization | undefined
  if (parentEl) {
    checkTags(parentEl, { name: 'ok', id: 'ok', fullname: 'ok', billingid: 'ok' })
    parent = await theCustomer(call, customerRef(parentEl))
  }

  // Found by its short code or number when given (then <fullname> and <billingid> are values to set), else by those.
  const lookup: CustomerRef = ref.name !== undefined || ref.id !== undefined ? { name: ref.name, id: ref.id } : ref
  const found = isEmptyRef(lookup) ? [] : await findCustomers(call, lookup)
  if (found.length > 1) throw new XmlApiError(E.CustomerError, `more than one customer matches '${describeRef(lookup)}'; name it by <name> or <id>`)
  const existing = found[0]
  const target: Target = { id: existing?.id }

  if (existing) {
    if (parent && parent.id !== existing.parentId) throw new XmlApiError(E.CustomerError, `customer '${existing.code}' cannot be moved to another parent`)
    const patch: Record<string, unknown> = { ...fields }
    if (lookup !== ref && ref.fullname !== undefined && ref.fullname !== existing.name) patch.name = ref.fullname
    if (lookup !== ref && ref.billingid !== undefined && ref.billingid !== existing.billingId) patch.billingId = ref.billingid
    if (enabled !== undefined && enabled !== existing.enabled) patch.enabled = enabled
    for (const f of CUSTOMER_FIELDS) if (patch[f.key] === existing[f.key]) delete patch[f.key]
    if (customerProperties !== undefined) patch.customerProperties = customerProperties
    if (Object.keys(patch).length > 0) {
      steps.push({ where: 'customer', run: (ctx) => updateOrg(ctx, { orgId: existing.id, ...patch }) })
    }
  } else {
    if (ref.id !== undefined) throw notFoundCustomer(ref)
    const fullname = ref.fullname ?? ref.name
    if (fullname === undefined || !fields.contactName || !fields.contactEmail || !fields.primaryDomain) {
      throw new XmlApiError(E.InvalidNewCustomer, 'Unable to create customer. A new customer must specify the name, fullname, contactname, contactemail and primarydomain.')
    }
    const input = {
      parentId: parent?.id ?? call.actor.orgId,
      name: fullname,
      ...(ref.name !== undefined && { code: ref.name }),
      ...(ref.billingid !== undefined && { billingId: ref.billingid }),
      ...(enabled !== undefined && { enabled }),
      ...fields,
    }
    steps.push({
      where: 'customer',
      run: async (ctx) => {
        target.id = (await createCustomer(ctx, input)).id
      },
    })
    newCustomerPropertiesStep(customerProperties, target, steps)
  }
  customerStatusSteps(el, existing, target, steps)
  for (const u of kids(el, 'user')) await setUser(call, target, existing, u, steps)
  for (const s of kids(el, 'service')) await setCustomerService(call, target, s, steps)
  for (const tag of ['approvalproviders', 'approvalresponses']) {
    const a = one(el, tag)
    if (a && !existing) throw notFoundCustomer(ref)
    if (a) await (tag === 'approvalproviders' ? setProviders(call, existing!, a, steps) : setResponses(call, existing!, undefined, a, steps))
  }
}

async function deleteCustomer(call: Call, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, CUSTOMER_TAGS)
  refuseApprovalDelete(el)
  const o = await theCustomer(call, customerRef(el))
  const users = kids(el, 'user')
  const services = kids(el, 'service')
  // With users or services named, DELETE removes those, not the customer.
  if (users.length === 0 && services.length === 0) {
    steps.push({ where: 'customer', run: (ctx) => deleteOrg(ctx, { orgId: o.id }) })
    return
  }
  for (const u of users) {
    checkTags(u, USER_TAGS)
    const user = await theUser(call, o, u)
    const us = kids(u, 'service')
    if (us.length === 0) steps.push({ where: 'user', run: (ctx) => deleteUser(ctx, { orgId: o.id, userId: user.id }) })
    for (const s of us) {
      checkTags(s, SERVICE_TAGS)
      const name = await serviceName(call, s)
      steps.push({ where: 'service', run: (ctx) => deprovisionUserService(ctx, { orgId: o.id, userId: user.id, service: name }) })
    }
  }
  for (const s of services) {
    checkTags(s, SERVICE_TAGS)
    const name = await serviceName(call, s)
    // Distribution groups, contacts or resource configuration named: those go, the service stays.
    if (hasExchange(s)) await customerExchangeDeleteSteps(call, o.id, name, s, steps)
    else steps.push({ where: 'service', run: (ctx) => deprovisionCustomerService(ctx, { orgId: o.id, service: name }) })
  }
}

// ---------------------------------------------------------------------------------------------
// users

const USER_TAGS: Record<string, TagRule> = {
  name: 'ok',
  id: 'readonly',
  fullname: 'readonly',
  firstname: 'ok',
  lastname: 'ok',
  email: 'ok',
  upn: 'readonly',
  role: 'ok',
  enabled: 'ok',
  password: 'ok',
  accountexpires: 'ok',
  properties: 'ok',
  service: 'ok',
  additionalproperties: 'ok',
  approvalpending: 'readonly',
  approvalresponses: 'ok',
}

const USER_FIELDS = [
  { tag: 'firstname', prop: 'FirstName', label: 'First name', key: 'firstName' },
  { tag: 'lastname', prop: 'LastName', label: 'Last name', key: 'lastName' },
  { tag: 'email', prop: 'Email', label: 'E-mail', key: 'email' },
  { tag: 'role', prop: 'Role', label: 'Role', key: 'role' },
] as const satisfies readonly { tag: string; prop: string; label: string; key: keyof User }[]

const fullnameOf = (u: User) => [u.firstName, u.lastName].filter((x) => x !== '').join(' ') || u.username

function userSummary(u: User): Node {
  return { name: u.username, id: u.id, fullname: fullnameOf(u), email: u.email, enabled: bool(u.enabled) }
}

function userDetail(u: User): Node {
  return { name: u.username, id: u.id, fullname: fullnameOf(u), firstname: u.firstName, lastname: u.lastName, email: u.email, role: u.role, enabled: bool(u.enabled), approvalpending: bool(u.approvalPending), ...accountAnswer(u) }
}

/** The user `el` names in `org`; error 16 when there is none. */
async function theUser(call: Call, org: Organization, el: XmlElement): Promise<User> {
  const name = val(el, 'name')
  if (name === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'a <user> needs a <name>')
  const u = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/.test(name) ? await at('user', findUser(call.read, { orgId: org.id, username: name })) : undefined
  if (!u) throw new XmlApiError(E.UserNotFound, `User '${name}' not found in customer '${org.code}'.`)
  return u
}

async function allUsers(call: Call, org: Organization): Promise<User[]> {
  const out: User[] = []
  for (let offset = 0; ; offset += 1000) {
    const page = await at('user', listUsers(call.read, { orgId: org.id, offset, limit: 1000 }))
    out.push(...page.items)
    if (out.length >= page.total || page.items.length === 0) return out
  }
}

/** Adds the users `el` asks for (all of them without a <name>) to customer node `n`. */
async function usersInto(call: Call, org: Organization, el: XmlElement, n: Node, action: 'find' | 'get'): Promise<void> {
  checkTags(el, USER_TAGS)
  const named = val(el, 'name') !== undefined
  const users = named ? [await theUser(call, org, el)] : await allUsers(call, org)
  for (const u of users) {
    const un = action === 'find' ? userSummary(u) : userDetail(u)
    const props = one(el, 'properties')
    if (props && action === 'get') un.properties = propertiesNode(props, [...USER_FIELDS.map((f) => ({ name: f.prop, label: f.label, value: String(u[f.key]) })), { name: 'Enabled', label: 'Enabled', value: bool(u.enabled) }])
    if (one(el, 'additionalproperties') && action === 'get') un.additionalproperties = await additionalPropertiesAnswer(call, u)
    for (const s of kids(el, 'service')) await userServicesInto(call, org, u, s, un, action)
    const responses = one(el, 'approvalresponses')
    if (responses && action === 'get') un.approvalresponses = await userResponses(call, org, u, responses)
    add(n, 'user', un)
  }
}

function randomPassword(): string {
  return randomBytes(24).toString('base64url')
}

async function setUser(call: Call, target: Target, org: Organization | undefined, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, USER_TAGS)
  const name = val(el, 'name')
  if (name === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'a <user> needs a <name>')
  const fields: Record<string, unknown> = {}
  for (const f of USER_FIELDS) {
    const v = val(el, f.tag)
    if (v !== undefined) fields[f.key] = v
  }
  const props = one(el, 'properties')
  if (props) {
    for (const p of propertyPairs(props)) {
      const f = USER_FIELDS.find((x) => x.prop.toLowerCase() === p.name.toLowerCase())
      if (p.name.toLowerCase() === 'enabled') fields.enabled = parseBool(p.value, 'property Enabled')
      else if (!f) throw new XmlApiError(E.InvalidProperty, `a user has no property '${p.name}'`)
      else fields[f.key] = p.value
    }
  }
  if (typeof fields.role === 'string') {
    const role = ROLES.find((r) => r === (fields.role as string).toLowerCase())
    if (!role) throw new XmlApiError(22, `no role '${fields.role as string}' (roles: ${ROLES.join(', ')})`)
    fields.role = role satisfies Role
  }
  const enabledText = val(el, 'enabled')
  if (enabledText !== undefined) fields.enabled = parseBool(enabledText, 'enabled')
  const ap = one(el, 'additionalproperties')
  if (ap) fields.additionalProperties = await readPropertyChange(ap, 'user')
  const existing = org ? (/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/.test(name) ? await at('user', findUser(call.read, { orgId: org.id, username: name })) : undefined) : undefined
  const userRef: { id?: string } = { id: existing?.id }
  // <password> (the password and its options) and <accountexpires>: account.ts.
  const { password, ...options } = await readAccountChange(el, org, existing)
  Object.assign(fields, options)
  if (existing) {
    const patch = { ...fields, ...(password !== undefined && { password }) }
    if (Object.keys(patch).length > 0) steps.push({ where: 'user', run: (ctx) => updateUser(ctx, { orgId: existing.orgId, userId: existing.id, ...patch }) })
  } else {
    steps.push({
      where: 'user',
      run: async (ctx) => {
        // Without a <password>, a random one nobody knows: the user signs in after a reset.
        const u = await createUser(ctx, { orgId: target.id!, username: name, password: password ?? randomPassword(), ...fields })
        userRef.id = u.id
      },
    })
  }
  for (const s of kids(el, 'service')) await setUserService(call, target, userRef, s, steps)
  const responses = one(el, 'approvalresponses')
  if (responses) {
    if (!existing) throw new XmlApiError(E.UserNotFound, `User '${name}' not found in customer '${org?.code ?? ''}'.`)
    await setResponses(call, org!, existing, responses, steps)
  }
}

// ---------------------------------------------------------------------------------------------
// services

const PLAN_TAGS: Record<string, TagRule> = {
  name: 'ok',
  fullname: 'ok',
  enabled: 'ok',
  userlimit: 'ok',
  used: 'readonly',
  // A plan's properties are its fields (planProperties): answered by GET, read-only in SET.
  properties: 'readonly',
}

/**
 * The user plans a GET answers, with their properties where asked: every plan of the service,
 * or only those its `<userplan>` (or `<userpackage>`) elements name (by name or fullname, any
 * case; one that names no plan of the service is 10). A plan's properties are its fields by
 * property name (`Name`, `FullName`, and for a customer's plan `UserLimit`, `UsersCount`,
 * `Used`, `Enabled`), as a customer's properties are its fields; `detail="true"` adds labels.
 */
function planNodes<P extends { name: string; fullname: string }>(service: string, el: XmlElement, plans: P[], fields: (p: P) => Node, props: (p: P) => { name: string; label: string; value: string }[]): Node[] {
  const asked = [...kids(el, 'userplan'), ...kids(el, 'userpackage')]
  if (asked.length === 0) return plans.map(fields)
  return asked.map((a) => {
    checkTags(a, PLAN_TAGS)
    const key = (val(a, 'name') ?? val(a, 'fullname'))?.toLowerCase()
    if (key === undefined) throw new XmlApiError(E.InvalidXmlFormat, `a <${tagOf(a)}> needs a <name> or <fullname>`)
    const p = plans.find((x) => x.name.toLowerCase() === key || x.fullname.toLowerCase() === key)
    if (!p) throw new XmlApiError(E.InvalidService, `${service} has no user plan '${val(a, 'name') ?? val(a, 'fullname')}'`)
    const n = fields(p)
    const pe = one(a, 'properties')
    if (pe) n.properties = propertiesNode(pe, props(p))
    return n
  })
}

const SERVICE_TAGS: Record<string, TagRule> = {
  name: 'ok',
  fullname: 'readonly',
  version: 'ok',
  location: 'ok',
  userlimit: 'ok',
  isbilled: 'ok',
  status: 'ok',
  approvalpending: 'readonly',
  userplan: 'ok',
  userpackage: 'ok',
  package: 'ok',
  properties: 'ok',
  instances: 'ok',
  // Seed 004's Reseller service lists what is resold (see resellerService).
  service: 'readonly',
  // Hosted Exchange objects of the service (exchange.ts).
  distributiongroups: 'ok',
  contacts: 'ok',
  resourceconfiguration: 'ok',
}

/** The name of a service by its <name>, or its <fullname> (the catalogue's display name); error 21 when there is none. */
async function serviceName(call: Call, el: XmlElement): Promise<string> {
  const name = val(el, 'name')
  if (name !== undefined) return name
  const fullname = val(el, 'fullname')
  if (fullname === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'a <service> needs a <name> or <fullname>')
  const s = (await at('service', listServices(call.read, {}))).find((x) => x.displayName.toLowerCase() === fullname.toLowerCase())
  if (!s) throw new XmlApiError(E.ServiceNotFound, `Service '${fullname}' not found.`)
  return s.name
}

function serviceNotFound(name: string) {
  return (e: unknown) => {
    if (e instanceof WireFailure && e.wire.code === E.ServiceNotFound) throw new XmlApiError(E.ServiceNotFound, `Service '${name}' not found.`)
    throw e
  }
}

function customerServiceNode(v: CustomerServiceView, el: XmlElement, action: 'find' | 'get'): Node {
  if (action === 'find') return { name: v.service, fullname: v.fullname, location: v.location ?? '', status: v.status }
  const n: Node = {
    name: v.service,
    fullname: v.fullname,
    version: v.version,
    location: v.location ?? '',
    userlimit: String(v.userLimit),
    isbilled: bool(v.isBilled),
    status: v.status,
    approvalpending: bool(v.approvalPending),
  }
  if (v.userPlans.length)
    n.userplan = planNodes(
      v.service,
      el,
      v.userPlans,
      (p) => ({ name: p.name, fullname: p.fullname, userlimit: String(p.userLimit), used: bool(p.used), enabled: bool(p.enabled) }),
      (p) => [
        { name: 'Name', label: 'Name', value: p.name },
        { name: 'FullName', label: 'Full name', value: p.fullname },
        { name: 'UserLimit', label: 'User limit', value: String(p.userLimit) },
        { name: 'UsersCount', label: 'Users', value: String(p.usersCount) },
        { name: 'Used', label: 'Used', value: bool(p.used) },
        { name: 'Enabled', label: 'Enabled', value: bool(p.enabled) },
      ],
    )
  if (v.packages.length) n.package = v.packages.map((p) => ({ name: p.name, fullname: p.fullname, enabled: bool(p.enabled) }))
  const props = one(el, 'properties')
  if (props) n.properties = propertiesNode(props, v.properties.map((p) => ({ name: p.name, value: p.value })))
  if (one(el, 'instances')) {
    n.instances = {
      instance: v.instances.map((i) => ({ name: i.name, description: i.description, properties: { property: Object.entries(i.properties).map(([name, value]) => ({ name, value })) } })),
    }
  }
  return n
}

/**
 * Seed 004's `Reseller` service: what a reseller can resell. Clientele has no such catalogue
 * service: a reseller (an organisation that may have customers) resells the whole catalogue, so
 * it is `Provisioned` with one `<service>` per catalogue service; any other customer answers it
 * `NotProvisioned` with none. A catalogue service named `Reseller`, if there is one, is answered
 * as any other service instead.
 */
async function resellerService(call: Call, org: Organization): Promise<Node> {
  const services = org.isReseller || org.resellerSubscriptionId !== null || org.depth === 0 ? await at('service', listServices(call.read, {})) : []
  const n: Node = { name: 'Reseller', fullname: 'Reseller', status: services.length || org.isReseller ? 'Provisioned' : 'NotProvisioned' }
  if (services.length) n.service = services.map((s) => ({ name: s.name, fullname: s.displayName }))
  return n
}

async function servicesInto(call: Call, org: Organization, el: XmlElement, n: Node, action: 'find' | 'get'): Promise<void> {
  checkTags(el, SERVICE_TAGS)
  const props = one(el, 'properties')
  const filter = propertiesFilter(props)
  const named = val(el, 'name') !== undefined || val(el, 'fullname') !== undefined
  if (!named) {
    requireNamedForExchange(el)
    // FIND: every service of the catalogue, those not provisioned too; GET: those it holds, in full.
    const list = await at('service', listCustomerServices(call.read, { orgId: org.id, all: action === 'find', ...(filter && { filter }) }))
    for (const v of list) add(n, 'service', customerServiceNode(v, el, action))
    return
  }
  const name = await serviceName(call, el)
  let v: CustomerServiceView
  try {
    v = await at('service', getCustomerService(call.read, { orgId: org.id, service: name, ...(filter && { filter }) }))
  } catch (e) {
    if (name.toLowerCase() === 'reseller' && e instanceof WireFailure && e.wire.code === E.ServiceNotFound) {
      add(n, 'service', await resellerService(call, org))
      return
    }
    return serviceNotFound(name)(e)
  }
  const sn = customerServiceNode(v, el, action)
  if (hasExchange(el)) await customerExchangeInto(call, org.id, v.service, el, sn)
  add(n, 'service', sn)
}

function userServiceNode(v: UserServiceView, el: XmlElement, action: 'find' | 'get'): Node {
  const n: Node = { name: v.service, fullname: v.fullname, status: v.status }
  if (action === 'find') return n
  n.approvalpending = bool(v.approvalPending)
  if (v.userPlans.length)
    n.userplan = planNodes(
      v.service,
      el,
      v.userPlans,
      (p) => ({ name: p.name, fullname: p.fullname }),
      (p) => [
        { name: 'Name', label: 'Name', value: p.name },
        { name: 'FullName', label: 'Full name', value: p.fullname },
      ],
    )
  const props = one(el, 'properties')
  if (props) n.properties = propertiesNode(props, v.properties)
  if (one(el, 'instances')) n.instances = { instance: v.instances.map((name) => ({ name })) }
  return n
}

async function userServicesInto(call: Call, org: Organization, user: User, el: XmlElement, n: Node, action: 'find' | 'get'): Promise<void> {
  checkTags(el, SERVICE_TAGS)
  const filter = propertiesFilter(one(el, 'properties'))
  const named = val(el, 'name') !== undefined || val(el, 'fullname') !== undefined
  if (!named) {
    requireNamedForExchange(el)
    // Every service the customer holds for its users, those the user does not hold too.
    const list = await at('service', listUserServices(call.read, { orgId: org.id, userId: user.id, all: true, ...(filter && { filter }) }))
    for (const v of list) add(n, 'service', userServiceNode(v, el, action))
    return
  }
  const name = await serviceName(call, el)
  const v = await at('service', getUserService(call.read, { orgId: org.id, userId: user.id, service: name, ...(filter && { filter }) })).catch(serviceNotFound(name))
  const sn = userServiceNode(v, el, action)
  if (hasExchange(el)) await userExchangeInto(call, org.id, user.id, v.service, el, sn)
  add(n, 'service', sn)
}

/** A plan or package named by <name> or <fullname>, resolved against the catalogue's. */
function resolveNamed(el: XmlElement, what: string, service: string, all: { name: string; fullname: string }[]): string {
  const name = val(el, 'name')
  const fullname = val(el, 'fullname')
  if (name === undefined && fullname === undefined) throw new XmlApiError(E.InvalidXmlFormat, `a <${what}> needs a <name> or <fullname>`)
  const found = all.find((x) => (name !== undefined ? x.name.toLowerCase() === name.toLowerCase() : x.fullname.toLowerCase() === fullname!.toLowerCase()))
  if (!found) throw new XmlApiError(E.InvalidService, `${service} has no ${what === 'package' ? 'package' : 'user plan'} '${name ?? fullname}'`)
  return found.name
}

/** The status a SET asks for: provision (absent or Provisioned) or deprovision (NotProvisioned); other statuses are not set by callers. */
function wantedStatus(el: XmlElement): 'provision' | 'deprovision' {
  const s = val(el, 'status')
  if (s === undefined) return 'provision'
  const st = parseStatus(s)
  if (st === 'Provisioned') return 'provision'
  if (st === 'NotProvisioned') return 'deprovision'
  throw new XmlApiError(E.InvalidStatus, `<status> of a service may be set to Provisioned or NotProvisioned only, not ${st}`)
}

async function catalogue(call: Call, service: string) {
  const [s, plans, packages] = await Promise.all([
    at('service', getService(call.read, { service })).catch(serviceNotFound(service)),
    at('service', listPlans(call.read, { service })),
    at('service', listPackages(call.read, { service })),
  ])
  return { service: s, plans: plans.map((p) => ({ name: p.name, fullname: p.fullname })), packages: packages.map((p) => ({ name: p.name, fullname: p.displayName })) }
}

async function setCustomerService(call: Call, target: Target, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, SERVICE_TAGS)
  const name = await serviceName(call, el)
  // Only the service named and its Exchange objects: those change, nothing is provisioned.
  if (exchangeOnly(el)) return customerExchangeSteps(call, target, (await catalogue(call, name)).service.name, el, steps)
  if (hasExchange(el) && wantedStatus(el) === 'deprovision') throw new XmlApiError(E.InvalidXmlFormat, 'a <service> being deprovisioned takes no <distributiongroups>, <contacts> or <resourceconfiguration>')
  if (wantedStatus(el) === 'deprovision') {
    await catalogue(call, name)
    steps.push({ where: 'service', run: (ctx) => deprovisionCustomerService(ctx, { orgId: target.id!, service: name }) })
    return
  }
  const cat = await catalogue(call, name)
  const version = val(el, 'version')
  if (version !== undefined && version !== cat.service.version) {
    throw new XmlApiError(E.InvalidService, `${cat.service.name} is at version ${cat.service.version}, not ${version}`)
  }
  const input: Parameters<typeof provisionCustomerService>[1] = { orgId: '', service: cat.service.name }
  const location = val(el, 'location')
  if (location !== undefined) input.location = location
  const limit = val(el, 'userlimit')
  if (limit !== undefined) input.userLimit = parseUserLimit(limit)
  const billed = val(el, 'isbilled')
  if (billed !== undefined) input.isBilled = parseBool(billed, 'isbilled')
  const plans = [...kids(el, 'userplan'), ...kids(el, 'userpackage')]
  if (plans.length) {
    input.userPlans = plans.map((p) => {
      checkTags(p, PLAN_TAGS)
      const plan: { name: string; enabled?: boolean; userLimit?: number | string } = { name: resolveNamed(p, tagOf(p), cat.service.name, cat.plans) }
      const en = val(p, 'enabled')
      plan.enabled = en === undefined ? true : parseBool(en, `${tagOf(p)} enabled`)
      const ul = val(p, 'userlimit')
      if (ul !== undefined) plan.userLimit = parseUserLimit(ul, `${tagOf(p)} userlimit`)
      return plan
    })
  }
  const packages = kids(el, 'package')
  if (packages.length) {
    input.packages = packages.map((p) => {
      checkTags(p, { name: 'ok', fullname: 'ok', enabled: 'ok' })
      const en = val(p, 'enabled')
      return { name: resolveNamed(p, 'package', cat.service.name, cat.packages), enabled: en === undefined ? true : parseBool(en, 'package enabled') }
    })
  }
  const props = one(el, 'properties')
  if (props) input.properties = propertyPairs(props)
  const inst = one(el, 'instances')
  if (inst) {
    checkTags(inst, { instance: 'ok' })
    input.instances = kids(inst, 'instance').map((i) => {
      checkTags(i, { name: 'ok', description: 'ok', properties: 'ok' })
      const iname = val(i, 'name')
      if (iname === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'an <instance> needs a <name>')
      const ip = one(i, 'properties')
      const description = one(i, 'description')?.text.trim()
      return {
        name: iname,
        ...(description !== undefined && { description }),
        ...(ip && { properties: Object.fromEntries(propertyPairs(ip).map((p) => [p.name, p.value])) }),
      }
    })
  }
  steps.push({ where: 'service', run: (ctx) => provisionCustomerService(ctx, { ...input, orgId: target.id! }) })
  if (hasExchange(el)) await customerExchangeSteps(call, target, cat.service.name, el, steps)
}

async function setUserService(call: Call, target: Target, user: { id?: string }, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, SERVICE_TAGS)
  const name = await serviceName(call, el)
  const cat = await catalogue(call, name)
  // Only the service named and the user's distribution groups: the selection changes, nothing is provisioned.
  if (exchangeOnly(el)) return userExchangeSteps(call, target, user, cat.service.name, el, steps)
  if (hasExchange(el) && wantedStatus(el) === 'deprovision') throw new XmlApiError(E.InvalidXmlFormat, 'a <service> being deprovisioned takes no <distributiongroups>')
  if (wantedStatus(el) === 'deprovision') {
    steps.push({ where: 'service', run: (ctx) => deprovisionUserService(ctx, { orgId: target.id!, userId: user.id!, service: cat.service.name }) })
    return
  }
  const input: Parameters<typeof provisionUserService>[1] = { orgId: '', userId: '', service: cat.service.name }
  const plans = [...kids(el, 'userplan'), ...kids(el, 'userpackage')]
  if (plans.length) {
    input.userPlans = plans.map((p) => {
      checkTags(p, PLAN_TAGS)
      return resolveNamed(p, tagOf(p), cat.service.name, cat.plans)
    })
  }
  const props = one(el, 'properties')
  if (props) input.properties = propertyPairs(props)
  const inst = one(el, 'instances')
  if (inst) {
    checkTags(inst, { instance: 'ok' })
    input.instances = kids(inst, 'instance').map((i) => {
      checkTags(i, { name: 'ok', description: 'readonly', properties: 'readonly' })
      const iname = val(i, 'name')
      if (iname === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'an <instance> needs a <name>')
      return iname
    })
  }
  steps.push({ where: 'service', run: (ctx) => provisionUserService(ctx, { ...input, orgId: target.id!, userId: user.id! }) })
  if (hasExchange(el)) await userExchangeSteps(call, target, user, cat.service.name, el, steps)
}

// ---------------------------------------------------------------------------------------------
// locations, requests, identity, global

const LOCATION_TAGS: Record<string, TagRule> = { name: 'ok', description: 'readonly', service: 'ok', customer: 'ok', user: 'ok' }

function locationNode(l: Location, withServices: boolean): Node {
  const n: Node = { name: l.name, description: l.description }
  if (withServices) n.service = l.services.map((s) => ({ name: s }))
  return n
}

async function findLocation(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, LOCATION_TAGS)
  const s = one(el, 'service')
  let service: string | undefined
  if (s) {
    checkTags(s, { name: 'ok', fullname: 'ok' })
    if (val(s, 'name') !== undefined || val(s, 'fullname') !== undefined) {
      try {
        service = await serviceName(call, s)
      } catch (e) {
        // A search: no such service finds no location.
        if (e instanceof XmlApiError && e.code === E.ServiceNotFound) return []
        throw e
      }
    }
  }
  const name = val(el, 'name')
  const list = await at('location', listLocations(call.read, service !== undefined ? { service: service.slice(0, 200) } : {}))
  return list.filter((l) => name === undefined || l.name.toLowerCase() === name.toLowerCase()).map((l) => locationNode(l, s !== undefined))
}

async function getLocationEntity(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, LOCATION_TAGS)
  const name = val(el, 'name')
  if (name === undefined) throw new XmlApiError(E.InvalidXmlFormat, '<location> needs a <name>')
  const l = await at('location', getLocation(call.read, { location: name.slice(0, 200) })).catch((e) => {
    if (e instanceof WireFailure && e.wire.code === E.LocationNotFound) throw new XmlApiError(E.LocationNotFound, `Location '${name}' not found.`)
    throw e
  })
  const n = locationNode(l, true)
  const c = one(el, 'customer')
  if (c) {
    checkTags(c, { customerproperties: 'ok' })
    n.customer = one(c, 'customerproperties') ? { customerproperties: { property: l.customerProperties.map((p) => ({ name: p.name, value: p.value })) } } : {}
  }
  const u = one(el, 'user')
  if (u) {
    checkTags(u, { additionalproperties: 'ok' })
    n.user = one(u, 'additionalproperties') ? { additionalproperties: { property: l.userAdditionalProperties.map((p) => ({ name: p.name, value: p.value })) } } : {}
  }
  return [n]
}

function requestNode(r: SeenRequest, el: XmlElement): Node {
  const n: Node = { id: String(r.id), guid: r.guid, parentid: r.parentId === null ? '' : String(r.parentId), operation: r.operation, status: r.status, error: r.error ?? '' }
  if (one(el, 'log')) n.log = { entry: r.log.map((l) => ({ at: l.at, level: l.level, message: l.message })) }
  if (one(el, 'times')) n.times = { received: r.receivedAt, started: r.startedAt ?? '', finished: r.finishedAt ?? '' }
  return n
}

async function getRequestEntity(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, { id: 'ok', parentid: 'ok', log: 'ok', times: 'ok' })
  const id = val(el, 'id')
  const parent = val(el, 'parentid')
  if (id === undefined && parent === undefined) throw new XmlApiError(E.InvalidXmlFormat, '<request> needs an <id> or a <parentid>')
  const notFound = (ref: string) => (e: unknown) => {
    if (e instanceof WireFailure && e.wire.code === E.InvalidReference) throw new XmlApiError(E.InvalidReference, `Request '${ref}' not found.`)
    throw e
  }
  if (id !== undefined) {
    const n = parseInteger(id, 'id', 1)
    return [requestNode(await at('request', getRequest(call.read, { ref: String(n) })).catch(notFound(id)), el)]
  }
  const p = parseInteger(parent!, 'parentid', 1)
  const out: Node[] = []
  for (let offset = 0; ; offset += 1000) {
    const page = await at('request', listRequests(call.read, { parent: String(p), offset, limit: 1000 })).catch(notFound(parent!))
    out.push(...page.items.map((r) => requestNode(r, el)))
    if (page.items.length < 1000) return out
  }
}

async function getIdentityEntity(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, {})
  const { user, org } = await at('identity', getIdentity(call.read, {}))
  return [{ customer: { ...customerSummary(org), user: { name: user.username, id: user.id, fullname: fullnameOf(user), upn: user.email } } }]
}

async function getGlobal(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, { version: 'readonly' })
  const v = await at('global', getVersion(call.read, {}))
  return [{ version: { api: v.api, database: v.database } }]
}

// ---------------------------------------------------------------------------------------------
// the dispatch

/** What an entity does under each action; an action it lacks is error 5. */
export interface EntityHandler {
  find?(call: Call, el: XmlElement): Promise<Node[]>
  get?(call: Call, el: XmlElement): Promise<Node[]>
  set?(call: Call, el: XmlElement, steps: Step[]): Promise<void>
  delete?(call: Call, el: XmlElement, steps: Step[]): Promise<void>
}

/** The entities by tag. `{ pending }` entries wait for their core (issue 12) and are refused naming it. */
export const ENTITIES: ReadonlyMap<string, EntityHandler | { pending: string }> = new Map<string, EntityHandler | { pending: string }>([
  ['customer', { find: findCustomer, get: getCustomer, set: setCustomer, delete: deleteCustomer }],
  ['location', { find: findLocation, get: getLocationEntity }],
  ['request', { get: getRequestEntity }],
  ['identity', { get: getIdentityEntity }],
  ['global', { get: getGlobal }],
  ['report', REPORT_ENTITY],
  ['approval', APPROVAL_ENTITY],
])
