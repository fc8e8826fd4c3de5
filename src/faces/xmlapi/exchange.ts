/**
 * The Hosted Exchange objects of a service, as seed 004's XML action API reads and answers them
 * inside a `<service>`: a customer's `<distributiongroups>`, `<contacts>` and
 * `<resourceconfiguration>`, and a user's `<distributiongroups>` (the groups it is selected into).
 *
 * GET: `<distributiongroups>` lists the service's groups (`displaynamefilter`, `emailfilter`:
 * case-insensitive prefixes; `pageindex` from 1, `pagesize` up to 1000, default 100), answered
 * with `pageindex`, `pagesize` and `total` first; a `<distributiongroup>` naming one group (by
 * `id`, `syncobjectid`, `path` or `displayname`) answers that group alone; the lists (`owners`,
 * `members`, `sendasmembers`, `sendrestrictionacceptedmembers`, `sendrestrictionrejectedmembers`)
 * come only when a `<distributiongroup>` names them, and a list naming entries (by any of their
 * fields) answers only those. `<contacts>` likewise (`displaynamefilter`, `syncfilter`, paging, a
 * `<contact>` naming one). `<resourceconfiguration/>` answers `<property><name><value>` pairs.
 *
 * SET: each `<distributiongroup>` (every field of the seed's template) creates or changes the
 * group it names (`distribution_group.set`: merge, a list given replaces that list); each
 * `<contact>` likewise (`exchange_contact.set`); `<resourceconfiguration>` merges its properties
 * (an empty value removes one). Empty elements are "not given": a template's empty entries are
 * skipped, and a list with no entry keeps the group's. In a user's service, each
 * `<distributiongroup>` names a group and says `<selected>true|false</selected>`
 * (`user_distribution_group.select`). DELETE removes the groups and contacts named, and the
 * resource configuration properties named.
 *
 * Choices where the seed is silent: a group's owners are answered `<owners><owner>…` (the seed's
 * template writes `<owners><owners>…`, also read); `sendmoderationnotification` is read as
 * `sendmoderationnotifications` (the seed's option table spells it so); option words
 * (`grouptype`, `memberjoinrestriction`, …) are stored as given. A group or contact that is not
 * there is error 18 (InvalidReference), a service the customer (or user) does not hold 21.
 */
import type { XmlElement } from '../xml/reader.js'
import { CONTACT_TEXT_FIELDS, GROUP_LISTS, MAX_PAGE_SIZE, type Contact, type DistributionGroup, type GroupList, type GroupMember } from '../../core/exchange.js'
import { listDistributionGroups } from '../../ops/exchange/list-distribution-groups.js'
import { getDistributionGroup } from '../../ops/exchange/get-distribution-group.js'
import { setDistributionGroup } from '../../ops/exchange/set-distribution-group.js'
import { deleteDistributionGroup } from '../../ops/exchange/delete-distribution-group.js'
import { listUserDistributionGroups } from '../../ops/exchange/list-user-distribution-groups.js'
import { selectUserDistributionGroups } from '../../ops/exchange/select-user-distribution-groups.js'
import { listContacts } from '../../ops/exchange/list-contacts.js'
import { getContact } from '../../ops/exchange/get-contact.js'
import { setContact } from '../../ops/exchange/set-contact.js'
import { deleteContact } from '../../ops/exchange/delete-contact.js'
import { getResourceConfiguration } from '../../ops/services/get-resource-configuration.js'
import { setResourceConfiguration } from '../../ops/services/set-resource-configuration.js'
import { at, WireFailure, type Call, type Step } from './call.js'
import { E, XmlApiError } from './errors.js'
import { bool, checkTags, kids, one, parseBool, parseInteger, val, type Node, type TagRule } from './document.js'
import { propertiesAnswer, readPropertyChange } from './account.js'

/** The tags of a `<service>` this file handles. */
export const EXCHANGE_TAGS = ['distributiongroups', 'contacts', 'resourceconfiguration'] as const

/** Tags of a `<service>` that only name it or are answered by GET and ignored by SET. */
const NAMING_TAGS = new Set(['name', 'fullname', 'approvalpending', 'service'])

/** True when `el` (a `<service>`) holds any of the Exchange tags. */
export function hasExchange(el: XmlElement): boolean {
  return el.children.some((c) => (EXCHANGE_TAGS as readonly string[]).includes(c.name.toLowerCase()))
}

/**
 * True when `el` (a `<service>` of a SET) only names the service and holds Exchange tags: then it
 * changes those objects and provisions nothing (the seed's distribution-group and contact SETs).
 */
export function exchangeOnly(el: XmlElement): boolean {
  return hasExchange(el) && el.children.every((c) => NAMING_TAGS.has(c.name.toLowerCase()) || (EXCHANGE_TAGS as readonly string[]).includes(c.name.toLowerCase()))
}

/** Error 3 when Exchange tags are asked of a service the request does not name. */
export function requireNamedForExchange(el: XmlElement): void {
  if (hasExchange(el)) throw new XmlApiError(E.InvalidXmlFormat, `<distributiongroups>, <contacts> and <resourceconfiguration> need the <service> named by <name> or <fullname>`)
}

// ---------------------------------------------------------------------------------------------
// references, lists and fields

/** How a request names one group or contact. */
interface Ref {
  id?: string
  syncObjectId?: string
  path?: string
  displayName?: string
}

function refOf(el: XmlElement): Ref {
  const r: Ref = {}
  const id = val(el, 'id')
  const sync = val(el, 'syncobjectid')
  const path = val(el, 'path')
  const name = val(el, 'displayname')
  if (id !== undefined) r.id = id
  if (sync !== undefined) r.syncObjectId = sync
  if (path !== undefined) r.path = path
  if (name !== undefined) r.displayName = name
  return r
}

const isEmptyRef = (r: Ref) => r.id === undefined && r.syncObjectId === undefined && r.path === undefined && r.displayName === undefined
const describe = (r: Ref) => r.displayName ?? r.path ?? r.syncObjectId ?? r.id ?? ''

/** Answers error 18 for a group or contact that is not there (the core's `not_found` on it). */
function notThere(what: string, r: Ref) {
  return (e: unknown) => {
    if (e instanceof WireFailure && e.wire.code === E.InvalidReference) throw new XmlApiError(E.InvalidReference, `${what} '${describe(r)}' not found.`)
    throw e
  }
}

/** Each list of a group: its tag, its entries' tag(s) (the first is answered), its name in the core. */
const LISTS: readonly { tag: string; entry: readonly string[]; key: GroupList }[] = [
  { tag: 'owners', entry: ['owner', 'owners'], key: 'owners' },
  { tag: 'members', entry: ['member'], key: 'members' },
  { tag: 'sendasmembers', entry: ['sendasmember'], key: 'sendAsMembers' },
  { tag: 'sendrestrictionacceptedmembers', entry: ['sendrestrictionacceptedmember'], key: 'sendRestrictionAcceptedMembers' },
  { tag: 'sendrestrictionrejectedmembers', entry: ['sendrestrictionrejectedmember'], key: 'sendRestrictionRejectedMembers' },
]
// Every list of the core has its tag here.
GROUP_LISTS.forEach((k) => {
  if (!LISTS.some((l) => l.key === k)) throw new Error(`xmlapi: no tag for the group list ${k}`)
})

const ENTRY_TAGS: Record<string, TagRule> = { displayname: 'ok', syncobjectid: 'ok', path: 'ok', email: 'ok', enabled: 'ok' }

interface EntryIn {
  displayName?: string
  syncObjectId?: string
  path?: string
  email?: string
  enabled?: boolean
}

/** The entries of a list element; a template's empty entries are skipped. */
function entriesOf(listEl: XmlElement, entryTags: readonly string[]): EntryIn[] {
  checkTags(listEl, Object.fromEntries(entryTags.map((t) => [t, 'ok' as const])))
  const out: EntryIn[] = []
  for (const e of listEl.children) {
    checkTags(e, ENTRY_TAGS)
    const x: EntryIn = {}
    for (const [tag, key] of [['displayname', 'displayName'], ['syncobjectid', 'syncObjectId'], ['path', 'path'], ['email', 'email']] as const) {
      const v = val(e, tag)
      if (v !== undefined) x[key] = v
    }
    const en = val(e, 'enabled')
    if (en !== undefined) x.enabled = parseBool(en, `${e.name.toLowerCase()} enabled`)
    if (x.displayName !== undefined || x.syncObjectId !== undefined || x.path !== undefined || x.email !== undefined) out.push(x)
  }
  return out
}

function entryNode(m: GroupMember): Node {
  return { displayname: m.displayName, syncobjectid: m.syncObjectId, path: m.path, email: m.email, enabled: bool(m.enabled) }
}

/** True when `m` matches one of the entries a GET names (by any field given). */
function matches(m: GroupMember, wanted: EntryIn[]): boolean {
  const eq = (a: string, b: string | undefined) => b === undefined || a.toLowerCase() === b.toLowerCase()
  return wanted.some((w) => eq(m.displayName, w.displayName) && eq(m.syncObjectId, w.syncObjectId) && eq(m.path, w.path) && eq(m.email, w.email))
}

/** A group's text fields: tag → the core's name. */
const GROUP_TEXT = [
  ['email', 'email'],
  ['emailalias', 'emailAlias'],
  ['mailtip', 'mailTip'],
  ['grouptype', 'groupType'],
  ['memberjoinrestriction', 'memberJoinRestriction'],
  ['memberdepartrestriction', 'memberDepartRestriction'],
  ['sendmoderationnotifications', 'sendModerationNotifications'],
] as const
const GROUP_BOOLS = [
  ['enabled', 'enabled'],
  ['hidefromaddresslists', 'hideFromAddressLists'],
  ['requiresenderauthentication', 'requireSenderAuthentication'],
] as const

const GROUP_TAGS: Record<string, TagRule> = {
  id: 'ok',
  displayname: 'ok',
  syncobjectid: 'ok',
  path: 'ok',
  ...Object.fromEntries([...GROUP_TEXT, ...GROUP_BOOLS].map(([t]) => [t, 'ok'])),
  sendmoderationnotification: 'ok',
  grouptypes: 'ok',
  emailaddresses: 'ok',
  ...Object.fromEntries(LISTS.map((l) => [l.tag, 'ok'])),
  createdat: 'readonly',
  updatedat: 'readonly',
}

function groupNode(g: DistributionGroup, lists: Map<GroupList, EntryIn[]> | undefined): Node {
  const n: Node = { id: g.id, displayname: g.displayName, syncobjectid: g.syncObjectId, enabled: bool(g.enabled), path: g.path }
  for (const [tag, key] of GROUP_TEXT) n[tag] = g[key]
  n.hidefromaddresslists = bool(g.hideFromAddressLists)
  n.requiresenderauthentication = bool(g.requireSenderAuthentication)
  n.emailaddresses = { emailaddress: g.emailAddresses }
  for (const l of LISTS) {
    const wanted = lists?.get(l.key)
    if (wanted === undefined) continue
    const all = g[l.key] ?? []
    n[l.tag] = { [l.entry[0]!]: (wanted.length ? all.filter((m) => matches(m, wanted)) : all).map(entryNode) }
  }
  n.createdat = g.createdAt
  n.updatedat = g.updatedAt
  return n
}

/** A `<distributiongroup>` of a SET as the core's group input. */
function groupInput(el: XmlElement): Record<string, unknown> {
  checkTags(el, GROUP_TAGS)
  const g: Record<string, unknown> = { ...refOf(el) }
  for (const [tag, key] of GROUP_TEXT) {
    const v = val(el, tag)
    if (v !== undefined) g[key] = v
  }
  const moderation = val(el, 'sendmoderationnotification')
  if (moderation !== undefined) {
    if (g.sendModerationNotifications !== undefined) throw new XmlApiError(E.InvalidXmlFormat, 'give <sendmoderationnotifications> or <sendmoderationnotification>, not both')
    g.sendModerationNotifications = moderation
  }
  const types = val(el, 'grouptypes')
  if (types !== undefined) {
    if (g.groupType !== undefined) throw new XmlApiError(E.InvalidXmlFormat, 'give <grouptype> or <grouptypes>, not both')
    g.groupType = types
  }
  for (const [tag, key] of GROUP_BOOLS) {
    const v = val(el, tag)
    if (v !== undefined) g[key] = parseBool(v, tag)
  }
  const addresses = one(el, 'emailaddresses')
  if (addresses) {
    checkTags(addresses, { emailaddress: 'ok' })
    const list = kids(addresses, 'emailaddress')
      .map((a) => {
        if (a.children.length > 0) throw new XmlApiError(E.InvalidXmlFormat, '<emailaddress> takes a value, not elements')
        return a.text.trim()
      })
      .filter((a) => a !== '')
    if (list.length) g.emailAddresses = list
  }
  for (const l of LISTS) {
    const listEl = one(el, l.tag)
    if (!listEl) continue
    const entries = entriesOf(listEl, l.entry)
    if (entries.length) g[l.key] = entries
  }
  return g
}

const CONTACT_BOOLS = [
  ['enabled', 'enabled'],
  ['hidefromaddresslists', 'hideFromAddressLists'],
] as const
const CONTACT_TAGS: Record<string, TagRule> = {
  id: 'ok',
  displayname: 'ok',
  syncobjectid: 'ok',
  path: 'ok',
  enabled: 'ok',
  hidefromaddresslists: 'ok',
  ...Object.fromEntries(CONTACT_TEXT_FIELDS.map((f) => [f.toLowerCase(), 'ok'])),
  createdat: 'readonly',
  updatedat: 'readonly',
}

function contactNode(c: Contact): Node {
  const n: Node = { id: c.id, displayname: c.displayName, syncobjectid: c.syncObjectId, enabled: bool(c.enabled), path: c.path }
  for (const f of CONTACT_TEXT_FIELDS) n[f.toLowerCase()] = c[f]
  n.hidefromaddresslists = bool(c.hideFromAddressLists)
  n.createdat = c.createdAt
  n.updatedat = c.updatedAt
  return n
}

function contactInput(el: XmlElement): Record<string, unknown> {
  checkTags(el, CONTACT_TAGS)
  const c: Record<string, unknown> = { ...refOf(el) }
  for (const f of CONTACT_TEXT_FIELDS) {
    const v = val(el, f.toLowerCase())
    if (v !== undefined) c[f] = v
  }
  for (const [tag, key] of CONTACT_BOOLS) {
    const v = val(el, tag)
    if (v !== undefined) c[key] = parseBool(v, tag)
  }
  return c
}

/** `pageindex` (from 1) and `pagesize` (1–1000) of a listing; error 38 otherwise. */
function paging(el: XmlElement): { pageIndex?: number; pageSize?: number } {
  const out: { pageIndex?: number; pageSize?: number } = {}
  const index = val(el, 'pageindex')
  const size = val(el, 'pagesize')
  if (index !== undefined) out.pageIndex = parseInteger(index, 'pageindex', 1)
  if (size !== undefined) {
    out.pageSize = parseInteger(size, 'pagesize', 1)
    if (out.pageSize > MAX_PAGE_SIZE) throw new XmlApiError(E.InvalidInteger, `<pagesize> must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  }
  return out
}

/** A prefix filter (at most 256 characters, as the core takes). */
function filter(el: XmlElement, tag: string): string | undefined {
  const v = val(el, tag)
  if (v !== undefined && v.length > 256) throw new XmlApiError(E.InvalidXmlFormat, `<${tag}> is longer than 256 characters`)
  return v
}

/** The page facts answered before the items. */
const pageNode = (p: { pageIndex: number; pageSize: number; total: number }): Node => ({ pageindex: String(p.pageIndex), pagesize: String(p.pageSize), total: String(p.total) })

const GROUPS_GET_TAGS: Record<string, TagRule> = { displaynamefilter: 'ok', emailfilter: 'ok', pageindex: 'ok', pagesize: 'ok', total: 'readonly', distributiongroup: 'ok' }
const CONTACTS_GET_TAGS: Record<string, TagRule> = { displaynamefilter: 'ok', syncfilter: 'ok', pageindex: 'ok', pagesize: 'ok', total: 'readonly', contact: 'ok' }

// ---------------------------------------------------------------------------------------------
// GET

/** Adds to `n` (a customer's `<service>` answer) the Exchange objects `el` asks for. */
export async function customerExchangeInto(call: Call, orgId: string, service: string, el: XmlElement, n: Node): Promise<void> {
  const dg = one(el, 'distributiongroups')
  if (dg) n.distributiongroups = await groupsAnswer(call, orgId, service, dg)
  const ct = one(el, 'contacts')
  if (ct) n.contacts = await contactsAnswer(call, orgId, service, ct)
  const rc = one(el, 'resourceconfiguration')
  if (rc) {
    checkTags(rc, { property: 'readonly' })
    n.resourceconfiguration = propertiesAnswer(await at('service', getResourceConfiguration(call.read, { orgId, service })))
  }
}

async function groupsAnswer(call: Call, orgId: string, service: string, el: XmlElement): Promise<Node> {
  checkTags(el, GROUPS_GET_TAGS)
  const g = one(el, 'distributiongroup')
  let lists: Map<GroupList, EntryIn[]> | undefined
  let ref: Ref = {}
  if (g) {
    checkTags(g, GROUP_TAGS)
    ref = refOf(g)
    lists = new Map()
    for (const l of LISTS) {
      const listEl = one(g, l.tag)
      if (listEl) lists.set(l.key, entriesOf(listEl, l.entry))
    }
  }
  const withMembers = lists !== undefined && lists.size > 0
  if (!isEmptyRef(ref)) {
    const one = await at('service', getDistributionGroup(call.read, { orgId, service, ...ref, withMembers })).catch(notThere('Distribution group', ref))
    return { distributiongroup: [groupNode(one, lists)] }
  }
  const nameFilter = filter(el, 'displaynamefilter')
  const emailFilter = filter(el, 'emailfilter')
  const page = await at(
    'service',
    listDistributionGroups(call.read, { orgId, service, ...paging(el), ...(nameFilter !== undefined && { displayNameFilter: nameFilter }), ...(emailFilter !== undefined && { emailFilter }), withMembers }),
  )
  return { ...pageNode(page), distributiongroup: page.items.map((x) => groupNode(x, lists)) }
}

async function contactsAnswer(call: Call, orgId: string, service: string, el: XmlElement): Promise<Node> {
  checkTags(el, CONTACTS_GET_TAGS)
  const c = one(el, 'contact')
  if (c) {
    checkTags(c, CONTACT_TAGS)
    const ref = refOf(c)
    if (!isEmptyRef(ref)) return { contact: [contactNode(await at('service', getContact(call.read, { orgId, service, ...ref })).catch(notThere('Contact', ref)))] }
  }
  const nameFilter = filter(el, 'displaynamefilter')
  const syncFilter = filter(el, 'syncfilter')
  const page = await at(
    'service',
    listContacts(call.read, { orgId, service, ...paging(el), ...(nameFilter !== undefined && { displayNameFilter: nameFilter }), ...(syncFilter !== undefined && { syncFilter }) }),
  )
  return { ...pageNode(page), contact: page.items.map(contactNode) }
}

const USER_GROUP_TAGS: Record<string, TagRule> = { id: 'ok', displayname: 'ok', syncobjectid: 'ok', path: 'ok', email: 'readonly', selected: 'ok' }

/** Adds to `n` (a user's `<service>` answer) the distribution groups the user is selected into. */
export async function userExchangeInto(call: Call, orgId: string, userId: string, service: string, el: XmlElement, n: Node): Promise<void> {
  userExchangeTags(el)
  const dg = one(el, 'distributiongroups')
  if (!dg) return
  checkTags(dg, { distributiongroup: 'readonly' })
  const mine = await at('service', listUserDistributionGroups(call.read, { orgId, userId, service }))
  n.distributiongroups = { distributiongroup: mine.items.map((g) => ({ id: g.id, displayname: g.displayName, syncobjectid: g.syncObjectId, path: g.path, email: g.email, selected: bool(true) })) }
}

/** A user's service holds distribution groups only. */
function userExchangeTags(el: XmlElement): void {
  for (const t of ['contacts', 'resourceconfiguration']) {
    if (one(el, t)) throw new XmlApiError(E.InvalidXmlFormat, `<${t}> belongs to a customer's <service>, not a user's`)
  }
}

// ---------------------------------------------------------------------------------------------
// SET and DELETE

/**
 * The steps of a customer `<service>`'s Exchange tags in a SET, after its provisioning step if
 * any. `orgId` known (the customer exists) and nothing provisioned in the same `<service>`: the
 * customer must hold the service now (error 21 before anything runs).
 */
export async function customerExchangeSteps(call: Call, target: { id?: string }, service: string, el: XmlElement, steps: Step[]): Promise<void> {
  const groups: Record<string, unknown>[] = []
  const dg = one(el, 'distributiongroups')
  if (dg) {
    checkTags(dg, { ...GROUPS_GET_TAGS, displaynamefilter: 'readonly', emailfilter: 'readonly', pageindex: 'readonly', pagesize: 'readonly' })
    for (const g of kids(dg, 'distributiongroup')) groups.push(groupInput(g))
  }
  const contacts: Record<string, unknown>[] = []
  const ct = one(el, 'contacts')
  if (ct) {
    checkTags(ct, { ...CONTACTS_GET_TAGS, displaynamefilter: 'readonly', syncfilter: 'readonly', pageindex: 'readonly', pagesize: 'readonly' })
    for (const c of kids(ct, 'contact')) contacts.push(contactInput(c))
  }
  const rc = one(el, 'resourceconfiguration')
  const values = rc ? await readPropertyChange(rc, 'service') : undefined
  if (target.id !== undefined && exchangeOnly(el)) await at('service', getResourceConfiguration(call.read, { orgId: target.id, service }))
  for (const group of groups) steps.push({ where: 'service', run: (ctx) => setDistributionGroup(ctx, { orgId: target.id!, service, group }) })
  for (const contact of contacts) steps.push({ where: 'service', run: (ctx) => setContact(ctx, { orgId: target.id!, service, contact }) })
  if (values && Object.keys(values).length > 0) steps.push({ where: 'service', run: (ctx) => setResourceConfiguration(ctx, { orgId: target.id!, service, values }) })
}

/**
 * The step of a user `<service>`'s `<distributiongroups>` in a SET: each `<distributiongroup>`
 * names a group and says `<selected>` (required). With the user known, the user must hold the
 * service and every group named must exist (21, 18) before anything runs.
 */
export async function userExchangeSteps(call: Call, target: { id?: string }, user: { id?: string }, service: string, el: XmlElement, steps: Step[]): Promise<void> {
  userExchangeTags(el)
  const dg = one(el, 'distributiongroups')
  if (!dg) return
  checkTags(dg, { distributiongroup: 'ok' })
  const groups = kids(dg, 'distributiongroup').map((g) => {
    checkTags(g, USER_GROUP_TAGS)
    const ref = refOf(g)
    if (isEmptyRef(ref)) throw new XmlApiError(E.InvalidXmlFormat, 'a <distributiongroup> of a user needs an <id>, <syncobjectid>, <path> or <displayname>')
    const sel = val(g, 'selected')
    if (sel === undefined) throw new XmlApiError(E.InvalidXmlFormat, `a <distributiongroup> of a user needs <selected> (true or false): '${describe(ref)}'`)
    return { ...ref, selected: parseBool(sel, 'selected') }
  })
  if (groups.length === 0) return
  if (groups.length > 100) throw new XmlApiError(E.InvalidXmlFormat, 'at most 100 <distributiongroup> a user a request')
  if (target.id !== undefined && user.id !== undefined) {
    await at('service', listUserDistributionGroups(call.read, { orgId: target.id, userId: user.id, service }))
    for (const { selected: _s, ...ref } of groups) await at('service', getDistributionGroup(call.read, { orgId: target.id, service, ...ref })).catch(notThere('Distribution group', ref))
  }
  steps.push({ where: 'service', run: (ctx) => selectUserDistributionGroups(ctx, { orgId: target.id!, userId: user.id!, service, groups }) })
}

/**
 * The steps of a customer `<service>`'s Exchange tags in a DELETE: the groups and contacts named
 * (each must exist: 18) and the resource configuration properties named are removed; the
 * service itself stays.
 */
export async function customerExchangeDeleteSteps(call: Call, orgId: string, service: string, el: XmlElement, steps: Step[]): Promise<void> {
  if (!exchangeOnly(el)) throw new XmlApiError(E.InvalidXmlFormat, 'a DELETE of distribution groups, contacts or resource configuration names only the service and them')
  await at('service', getResourceConfiguration(call.read, { orgId, service }))
  const dg = one(el, 'distributiongroups')
  if (dg) {
    checkTags(dg, { distributiongroup: 'ok' })
    for (const g of kids(dg, 'distributiongroup')) {
      checkTags(g, GROUP_TAGS)
      const ref = refOf(g)
      if (isEmptyRef(ref)) throw new XmlApiError(E.InvalidXmlFormat, 'a <distributiongroup> to delete needs an <id>, <syncobjectid>, <path> or <displayname>')
      await at('service', getDistributionGroup(call.read, { orgId, service, ...ref })).catch(notThere('Distribution group', ref))
      steps.push({ where: 'service', run: (ctx) => deleteDistributionGroup(ctx, { orgId, service, ...ref }) })
    }
  }
  const ct = one(el, 'contacts')
  if (ct) {
    checkTags(ct, { contact: 'ok' })
    for (const c of kids(ct, 'contact')) {
      checkTags(c, CONTACT_TAGS)
      const ref = refOf(c)
      if (isEmptyRef(ref)) throw new XmlApiError(E.InvalidXmlFormat, 'a <contact> to delete needs an <id>, <syncobjectid>, <path> or <displayname>')
      await at('service', getContact(call.read, { orgId, service, ...ref })).catch(notThere('Contact', ref))
      steps.push({ where: 'service', run: (ctx) => deleteContact(ctx, { orgId, service, ...ref }) })
    }
  }
  const rc = one(el, 'resourceconfiguration')
  if (rc) {
    const names = Object.keys(await readPropertyChange(rc, 'service'))
    if (names.length) steps.push({ where: 'service', run: (ctx) => setResourceConfiguration(ctx, { orgId, service, values: Object.fromEntries(names.map((x) => [x, ''])) }) })
  }
}
