/**
 * Seed 004's workflow approval through the XML action API: a customer's `<approvalproviders>`
 * (GET, SET), its and its users' `<approvalresponses>` (GET, SET: answering one), and the
 * `<approval><id>GUID</id></approval>` entity (GET).
 *
 * ```xml
 * <approvalproviders>
 *   <approvalprovider><name>Workflow Managers</name>
 *     <configuration><managers>5</managers><timeoutdays>4</timeoutdays><reminderdays>1</reminderdays></configuration>
 *     <subscriptions><users><subscription><name>Provision</name><access>Object</access></subscription></users>
 *       <userservices><service><label>Hosted Exchange</label><subscription>…</subscription></service></userservices>
 *       <services>…</services></subscriptions></approvalprovider>
 *   <approvalprovider><name>Workflow Groups</name><description>…</description>
 *     <groups><group><name>…</name><description>…</description>
 *       <configuration><memberstoapprove>1</memberstoapprove><timeoutdays>5</timeoutdays><reminderdays>2</reminderdays></configuration>
 *       <members><member><displayname>…</displayname><username>…</username></member></members>
 *       <subscriptions>…</subscriptions></group></groups></approvalprovider>
 * </approvalproviders>
 * ```
 *
 * Choices where the seed is silent:
 * - GET answers both providers always. "Workflow Managers" not configured yet is answered with
 *   the values a first SET gives it (managers 1, no timeout, no reminder) and no subscriptions, so
 *   GET output is SET input and sending it back changes nothing anyone can see. The "Workflow
 *   Groups" `<description>` is the provider's fixed text; SET accepts and ignores it.
 * - SET merges (`approval_provider.set`, one step for the whole `<approvalproviders>`): only the
 *   providers, groups, configuration values and subscription tags named change; `<members>`
 *   (when not empty) is the group's whole list, by `<username>` (`<displayname>` is ignored);
 *   `<action>delete</action>` deletes a group. Before anything runs: an unknown provider name,
 *   a provider named twice, an `<action>` other than `delete`, a subscription `<name>` other
 *   than Provision/Deprovision or an `<access>` other than Object/None is error 1 CustomerError;
 *   a configuration value not an integer in range is 38; a member who is not a user of the
 *   customer is 16 UserNotFound; a `<label>` that is no catalogue service (name or display name)
 *   nor `All` is 21 ServiceNotFound; deleting a group the customer does not have is 18
 *   InvalidReference. Too few members for `<memberstoapprove>` is the operation's 1.
 * - `<approvalresponses>` answers one `<approvalresponse>` per approval request, newest first
 *   (at most 1000), in the seed's shape; dates are `yyyymmdd` (UTC), an empty element when none.
 *   Customer level: every approver's response (`approval.list`, the Update permission); user
 *   level: that user's only (`user_approval.list`: the user itself, or the Update permission).
 * - SET of `<approvalresponses>`: each `<subscription>` with an `<id>` is one `approval.decide`
 *   step, by its approver only; `<status>` Accepted or Rejected in any case (else 17), `<reason>`
 *   optional; the other tags of a GET answer are accepted and ignored. A GUID unknown, not
 *   addressed to the caller, or not of the customer (or user) named is 18 InvalidReference,
 *   checked before anything runs; one already answered, or an approval already ended, is 0
 *   with the reason.
 * - `GET <approval><id>GUID</id></approval>` answers `<approval><id>GUID</id><approvalresponse>…`
 *   (`approval.get`: the approver sees its own response, the customer's administrators every
 *   one); unknown or not the caller's to see: 18 InvalidReference.
 * - DELETE of a customer or user holding these tags is error 5 (a group is deleted by SET).
 */
import type { XmlElement } from '../xml/reader.js'
import type { Organization } from '../../core/org.js'
import type { User } from '../../core/users.js'
import { getApprovalProviders } from '../../ops/approvals/get-approval-providers.js'
import { setApprovalProviders } from '../../ops/approvals/set-approval-providers.js'
import { listApprovals, listUserApprovals } from '../../ops/approvals/list-approvals.js'
import { getApproval } from '../../ops/approvals/get-approval.js'
import { decideApproval } from '../../ops/approvals/decide-approval.js'
import { GROUPS_PROVIDER, MANAGERS_PROVIDER, type ApprovalProvidersView, type ApprovalView, type SubscriptionsView } from '../../ops/approvals/model.js'
import { findUser } from '../../ops/users/find-user.js'
import { listServices } from '../../ops/catalog/list-services.js'
import { at, WireFailure, type Call, type Step } from './call.js'
import { E, XmlApiError } from './errors.js'
import { checkTags, kids, one, parseInteger, tagOf, val, type Node, type TagRule } from './document.js'

/** The "Workflow Groups" provider's description (the provider itself is not stored). */
export const GROUPS_DESCRIPTION = 'Allow groups of people to subscribe to events that require approval'
/** How many approval requests a GET of `<approvalresponses>` answers at most (newest first). */
const MAX_RESPONSES = 1000
/** What "Workflow Managers" is before its first SET (the defaults `approval_provider.set` gives it). */
const MANAGERS_DEFAULTS = { managers: 1, timeoutDays: 0, reminderDays: 0 }

type SetInput = Parameters<typeof setApprovalProviders>[1]
type SubsInput = NonNullable<NonNullable<SetInput['managers']>['subscriptions']>
type GroupInput = NonNullable<SetInput['groups']>[number]

// ---------------------------------------------------------------------------------------------
// answers

/** `yyyymmdd` (UTC) of an ISO instant; empty (an empty element) for none. */
export function ymd(iso: string | null): string {
  return iso === null ? '' : iso.slice(0, 10).replace(/-/g, '')
}

/** Repeated elements, or an empty element when there are none. */
const list = (key: string, items: Node[]): Node | '' => (items.length === 0 ? '' : { [key]: items })

function subscriptionsNode(s: SubscriptionsView): Node {
  const subs = (xs: { name: string; access: string }[]) => xs.map((x) => ({ name: x.name, access: x.access }))
  const labelled = (xs: SubscriptionsView['services']) => list('service', xs.map((x) => ({ label: x.label, subscription: subs(x.subscriptions) })))
  return { users: list('subscription', subs(s.users)), userservices: labelled(s.userServices), services: labelled(s.services) }
}

/** A customer's providers in the seed's shape (both of them, always). */
export function providersNode(v: ApprovalProvidersView): Node {
  const m = v.managers ?? { configuration: MANAGERS_DEFAULTS, subscriptions: { users: [], userServices: [], services: [], customers: [] } }
  const managers: Node = {
    name: MANAGERS_PROVIDER,
    configuration: { managers: String(m.configuration.managers), timeoutdays: String(m.configuration.timeoutDays), reminderdays: String(m.configuration.reminderDays) },
    subscriptions: subscriptionsNode(m.subscriptions),
  }
  const groups: Node = {
    name: GROUPS_PROVIDER,
    description: GROUPS_DESCRIPTION,
    groups: list(
      'group',
      v.groups.map((g) => ({
        name: g.name,
        description: g.description,
        configuration: { memberstoapprove: String(g.configuration.membersToApprove), timeoutdays: String(g.configuration.timeoutDays), reminderdays: String(g.configuration.reminderDays) },
        members: list('member', g.members.map((x) => ({ displayname: x.displayName, username: x.username }))),
        subscriptions: subscriptionsNode(g.subscriptions),
      })),
    ),
  }
  return { approvalprovider: [managers, groups] }
}

const person = (p: { name: string; fullname: string; email: string }): Node => ({ name: p.name, fullname: p.fullname, email: p.email })

/** One approval request as the seed's `<approvalresponse>`. */
export function approvalResponseNode(a: ApprovalView): Node {
  return {
    description: a.description,
    status: a.status,
    requestdate: ymd(a.requestDate),
    resolveddate: ymd(a.resolvedDate),
    customer: { name: a.customer.name, fullname: a.customer.fullname },
    requestedbyuser: a.requestedByUser ? person(a.requestedByUser) : '',
    subscription: a.subscriptions.map((s) => ({
      id: s.id,
      requestdate: ymd(s.requestDate),
      resolveddate: ymd(s.resolvedDate),
      status: s.status,
      reason: s.reason,
      user: person(s.user),
    })),
  }
}

const responsesNode = (xs: ApprovalView[]): Node | '' => list('approvalresponse', xs.map(approvalResponseNode))

/** GET `<customer>…<approvalproviders/>`. */
export async function customerProviders(call: Call, org: Organization, el: XmlElement): Promise<Node> {
  checkTags(el, { approvalprovider: 'readonly' })
  return providersNode(await at('customer', getApprovalProviders(call.read, { orgId: org.id })))
}

/** GET `<customer>…<approvalresponses/>`: every approval request of the customer. */
export async function customerResponses(call: Call, org: Organization, el: XmlElement): Promise<Node | ''> {
  checkTags(el, { approvalresponse: 'readonly' })
  return responsesNode(await at('customer', listApprovals(call.read, { orgId: org.id, limit: MAX_RESPONSES })))
}

/** GET `<user>…<approvalresponses/>`: the approval requests addressed to that user, with its responses only. */
export async function userResponses(call: Call, org: Organization, user: User, el: XmlElement): Promise<Node | ''> {
  checkTags(el, { approvalresponse: 'readonly' })
  return responsesNode(await at('user', listUserApprovals(call.read, { orgId: org.id, userId: user.id, limit: MAX_RESPONSES })))
}

// ---------------------------------------------------------------------------------------------
// SET <approvalproviders>

/** An integer from `min` to `max`; anything else is error 38. */
function intIn(s: string, what: string, min: number, max: number): number {
  const n = parseInteger(s, what, min)
  if (n > max) throw new XmlApiError(E.InvalidInteger, `<${what}> must be an integer from ${min} to ${max}`)
  return n
}

/** The one of `words` `s` names, any case; error 1 otherwise. */
function word<W extends string>(s: string | undefined, what: string, words: readonly W[]): W {
  const found = words.find((w) => w.toLowerCase() === s?.toLowerCase())
  if (!found) throw new XmlApiError(E.CustomerError, `<${what}> must be ${words.join(' or ')}${s === undefined ? '' : `, not '${s}'`}`)
  return found
}

/** `<configuration>`'s integers, by tag, into the operation's keys. */
function configuration(el: XmlElement, fields: Record<string, { key: string; min: number; max: number }>): Record<string, number> {
  checkTags(el, Object.fromEntries(Object.keys(fields).map((k) => [k, 'ok' as TagRule])))
  const out: Record<string, number> = {}
  for (const [tag, f] of Object.entries(fields)) {
    const v = val(el, tag)
    if (v !== undefined) out[f.key] = intIn(v, tag, f.min, f.max)
  }
  return out
}

const DAYS = { timeoutdays: { key: 'timeoutDays', min: 0, max: 3650 }, reminderdays: { key: 'reminderDays', min: 0, max: 3650 } }

/** Service labels the catalogue knows (names and display names, lower-cased) and `all`. */
async function knownLabels(call: Call): Promise<Set<string>> {
  const out = new Set(['all'])
  for (const s of await at('service', listServices(call.read, {}))) {
    out.add(s.name.toLowerCase())
    if (s.displayName) out.add(s.displayName.toLowerCase())
  }
  return out
}

function subscriptionList(el: XmlElement): { name: 'Provision' | 'Deprovision'; access: 'Object' | 'None' }[] {
  return kids(el, 'subscription').map((s) => {
    checkTags(s, { name: 'ok', access: 'ok' })
    return { name: word(val(s, 'name'), 'subscription name', ['Provision', 'Deprovision'] as const), access: word(val(s, 'access'), 'subscription access', ['Object', 'None'] as const) }
  })
}

function subscriptions(el: XmlElement, labels: Set<string>): SubsInput {
  checkTags(el, { users: 'ok', userservices: 'ok', services: 'ok' })
  const out: SubsInput = {}
  const users = one(el, 'users')
  if (users) {
    checkTags(users, { subscription: 'ok' })
    out.users = subscriptionList(users)
  }
  for (const [tag, key] of [['userservices', 'userServices'], ['services', 'services']] as const) {
    const e = one(el, tag)
    if (!e) continue
    checkTags(e, { service: 'ok' })
    out[key] = kids(e, 'service').map((s) => {
      checkTags(s, { label: 'ok', subscription: 'ok' })
      const label = val(s, 'label')
      if (label === undefined) throw new XmlApiError(E.InvalidXmlFormat, `a <service> in <${tag}> needs a <label>`)
      if (!labels.has(label.toLowerCase())) throw new XmlApiError(E.ServiceNotFound, `Service '${label}' not found (a <label> names a catalogue service or All).`)
      return { label, subscriptions: subscriptionList(s) }
    })
  }
  return out
}

async function groupInput(call: Call, org: Organization, el: XmlElement, labels: Set<string>, existing: () => Promise<Set<string>>): Promise<GroupInput> {
  checkTags(el, { name: 'ok', description: 'ok', action: 'ok', configuration: 'ok', members: 'ok', subscriptions: 'ok' })
  const name = val(el, 'name')
  if (name === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'a <group> needs a <name>')
  const action = val(el, 'action')
  if (action !== undefined) {
    word(action, 'action', ['delete'] as const)
    if (!(await existing()).has(name.toLowerCase())) throw new XmlApiError(E.InvalidReference, `Approval group '${name}' not found in customer '${org.code}'.`)
    return { name, action: 'delete' }
  }
  const g: GroupInput = { name }
  const description = one(el, 'description')
  if (description) g.description = description.text.trim()
  const conf = one(el, 'configuration')
  if (conf) g.configuration = configuration(conf, { memberstoapprove: { key: 'membersToApprove', min: 1, max: 1000 }, ...DAYS })
  const members = one(el, 'members')
  if (members && members.children.length > 0) {
    checkTags(members, { member: 'ok' })
    g.members = []
    for (const m of kids(members, 'member')) {
      checkTags(m, { username: 'ok', displayname: 'readonly' })
      const username = val(m, 'username')
      if (username === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'a <member> needs a <username>')
      const u = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/.test(username) ? await at('user', findUser(call.read, { orgId: org.id, username })) : undefined
      if (!u) throw new XmlApiError(E.UserNotFound, `User '${username}' not found in customer '${org.code}'.`)
      g.members.push(u.username)
    }
  }
  const subs = one(el, 'subscriptions')
  if (subs) g.subscriptions = subscriptions(subs, labels)
  return g
}

/** SET `<customer>…<approvalproviders>`: checked whole, then one `approval_provider.set` step. */
export async function setProviders(call: Call, org: Organization, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, { approvalprovider: 'ok' })
  const labels = await knownLabels(call)
  let groups: Set<string> | undefined
  const existing = async () => (groups ??= new Set((await at('customer', getApprovalProviders(call.read, { orgId: org.id }))).groups.map((g) => g.name.toLowerCase())))
  const input: SetInput = { orgId: org.id }
  const seen = new Set<string>()
  for (const p of kids(el, 'approvalprovider')) {
    const name = word(val(p, 'name'), 'approvalprovider name', [MANAGERS_PROVIDER, GROUPS_PROVIDER] as const)
    if (seen.has(name)) throw new XmlApiError(E.CustomerError, `the approval provider '${name}' is named twice`)
    seen.add(name)
    if (name === MANAGERS_PROVIDER) {
      checkTags(p, { name: 'ok', configuration: 'ok', subscriptions: 'ok' })
      const m: NonNullable<SetInput['managers']> = {}
      const conf = one(p, 'configuration')
      if (conf) m.configuration = configuration(conf, { managers: { key: 'managers', min: 0, max: 20 }, ...DAYS })
      const subs = one(p, 'subscriptions')
      if (subs) m.subscriptions = subscriptions(subs, labels)
      input.managers = m
    } else {
      checkTags(p, { name: 'ok', description: 'readonly', groups: 'ok' })
      const gs = one(p, 'groups')
      if (!gs) continue
      checkTags(gs, { group: 'ok' })
      const list: GroupInput[] = []
      for (const g of kids(gs, 'group')) {
        const gi = await groupInput(call, org, g, labels, existing)
        if (list.some((x) => x.name.toLowerCase() === gi.name.toLowerCase())) throw new XmlApiError(E.CustomerError, `the approval group '${gi.name}' is named twice`)
        list.push(gi)
      }
      input.groups = list
    }
  }
  steps.push({ where: 'customer', run: (ctx) => setApprovalProviders(ctx, input) })
}

// ---------------------------------------------------------------------------------------------
// SET <approvalresponses>

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * SET `<approvalresponses>` of a customer (no `user`) or of one of its users: one
 * `approval.decide` step per `<subscription>`, each checked first (the GUID addressed to the
 * caller, of that customer and user).
 */
export async function setResponses(call: Call, org: Organization, user: User | undefined, el: XmlElement, steps: Step[]): Promise<void> {
  checkTags(el, { approvalresponse: 'ok' })
  for (const r of kids(el, 'approvalresponse')) {
    checkTags(r, { description: 'readonly', status: 'readonly', requestdate: 'readonly', resolveddate: 'readonly', customer: 'readonly', requestedbyuser: 'readonly', subscription: 'ok' })
    for (const s of kids(r, 'subscription')) {
      checkTags(s, { id: 'ok', status: 'ok', reason: 'ok', requestdate: 'readonly', resolveddate: 'readonly', user: 'readonly' })
      const id = val(s, 'id')
      if (id === undefined) throw new XmlApiError(E.InvalidXmlFormat, 'a <subscription> answered needs its <id>')
      const statusText = val(s, 'status')
      const status = (['Accepted', 'Rejected'] as const).find((w) => w.toLowerCase() === statusText?.toLowerCase())
      if (!status) throw new XmlApiError(E.InvalidStatus, `<status> of an approval response must be Accepted or Rejected${statusText === undefined ? '' : `, not '${statusText}'`}`)
      const reason = one(s, 'reason')?.text.trim() ?? ''
      const notFound = new XmlApiError(E.InvalidReference, `Approval response '${id}' not found${user ? ` for user '${user.username}'` : ''} in customer '${org.code}', or not addressed to you.`)
      if (!GUID.test(id)) throw notFound
      const a = await at('approval', getApproval(call.read, { id })).catch((e) => {
        if (e instanceof WireFailure && e.wire.code === E.InvalidReference) throw notFound
        throw e
      })
      const mine = a.subscriptions.find((x) => x.id.toLowerCase() === id.toLowerCase())
      if (!mine || mine.user.id !== call.actor.userId || a.customer.id !== org.id || (user && mine.user.id !== user.id)) throw notFound
      steps.push({ where: 'approval', run: (ctx) => decideApproval(ctx, { id: mine.id, status, ...(reason !== '' && { reason }), orgId: org.id, ...(user && { userId: user.id }) }) })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// <approval>

/** GET `<approval><id>GUID</id></approval>`: `<approval><id>…</id><approvalresponse>…</approvalresponse></approval>`. */
async function getApprovalEntity(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, { id: 'ok', approvalresponse: 'readonly' })
  const id = val(el, 'id')
  if (id === undefined) throw new XmlApiError(E.InvalidXmlFormat, '<approval> needs the <id> (GUID) of an approval response')
  const notFound = new XmlApiError(E.InvalidReference, `Approval '${id}' not found.`)
  if (!GUID.test(id)) throw notFound
  const a = await at('approval', getApproval(call.read, { id })).catch((e) => {
    if (e instanceof WireFailure && e.wire.code === E.InvalidReference) throw notFound
    throw e
  })
  return [{ id, approvalresponse: approvalResponseNode(a) }]
}

export const APPROVAL_ENTITY = { get: getApprovalEntity }

/** DELETE of a customer or user holding approval tags is refused (error 5): approvals are managed by SET. */
export function refuseApprovalDelete(el: XmlElement): void {
  const tags = ['approvalproviders', 'approvalresponses']
  const hit = [el, ...kids(el, 'user')].flatMap((e) => e.children).find((c) => tags.includes(tagOf(c)))
  if (hit) throw new XmlApiError(E.InvalidAction, `DELETE is not an action of <${tagOf(hit)}> (a group is deleted by SET with <action>delete</action>)`)
}
