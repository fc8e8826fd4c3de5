/**
 * Shared by the notice and contact operations: the shapes answered, the checks of addresses,
 * and loading a contact, contact method or subscription the actor may reach.
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import type { Contact, ContactMethodCode, ContactMethodLink, CustomerNotice } from '../../core/notices.js'
export { webhookSecretAad } from '../../core/notices.js'
import { getOrgInScope, requirePermission } from '../access.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import {
  findContact,
  findMethodLink,
  findMethodNotice,
  type ContactRow,
  type MethodLinkRow,
  type MethodNoticeRow,
  type VisibleNoticeRow,
} from '../../store/notices.repo.js'

/** The notice as the customer sees it; `types` maps notice type ids to codes. */
export function toNotice(r: VisibleNoticeRow, types: Map<number, string>): CustomerNotice {
  return {
    id: r.id,
    orgId: r.org_id,
    global: r.org_id === null,
    authorOrgId: r.author_org_id,
    noticeTypeId: r.notice_type_id,
    noticeType: types.get(r.notice_type_id) ?? String(r.notice_type_id),
    subject: r.subject,
    body: r.body,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    acknowledged: r.acknowledged_at !== null,
    acknowledgedAt: r.acknowledged_at,
  }
}

/** The paths a notice written at any of them reaches `path`'s organisation from: itself and each ancestor. */
export function ancestorPaths(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`)
}

const EMAIL = /^[^\s@<>()[\],;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/
/** E.164: a plus, then 7 to 15 digits (spaces, dots, dashes and brackets between them dropped). */
const PHONE = /^\+[1-9]\d{6,14}$/
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Throws `invalid_argument` on `field` unless `v` is an e-mail address; answers it trimmed. */
export function checkEmail(v: string, field: string): string {
  const s = v.trim()
  if (s.length > 254 || !EMAIL.test(s)) throw new DomainError('invalid_argument', `${field} is not an e-mail address`, { field })
  return s
}

/** Throws `invalid_argument` on `field` unless `v` is an international phone number; answers it as E.164. */
export function checkPhone(v: string, field: string): string {
  const s = v.trim().replace(/[\s.()-]/g, '')
  if (!PHONE.test(s)) throw new DomainError('invalid_argument', `${field} is not an international phone number (E.164, like +441632960961)`, { field })
  return s
}

/**
 * Throws `invalid_argument` on `field` unless `v` is an https URL without credentials (http is
 * accepted for a loopback host only, for local receivers); answers it normalised.
 */
export function checkWebhookUrl(v: string, field: string): string {
  let u: URL
  try {
    u = new URL(v.trim())
  } catch {
    throw new DomainError('invalid_argument', `${field} is not a URL`, { field })
  }
  const ok = u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))
  if (!ok) throw new DomainError('invalid_argument', `${field} must be an https URL`, { field })
  if (u.username || u.password) throw new DomainError('invalid_argument', `${field} must not carry credentials`, { field })
  if (u.href.length > 2000) throw new DomainError('invalid_argument', `${field} is too long`, { field })
  return u.href
}

/** The address of a contact method, checked for its method. */
export function checkAddress(method: ContactMethodCode, v: string): string {
  switch (method) {
    case 'email':
      return checkEmail(v, 'address')
    case 'sms':
      return checkPhone(v, 'address')
    case 'webhook':
      return checkWebhookUrl(v, 'address')
  }
}

/** Loads the organisation `orgId` in the actor's scope, checking `org.write` when it writes. */
export async function orgFor(ctx: Ctx, db: Db, orgId: string, writes: boolean): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (writes) requirePermission(ctx, 'org.write')
  return org
}

/**
 * The organisation of a contact, contact method or subscription when the caller names only the
 * object (seed 001's destroy* calls): `orgId` when given, else the object's own, which is then
 * loaded in the actor's scope like any other (`not_found` outside it, as for no such object).
 */
export async function orgOfObject(ctx: Ctx, db: Db, orgId: string | undefined, kind: 'contact' | 'contactMethod' | 'contactMethodNotice', id: number, writes: boolean): Promise<OrgRow> {
  if (orgId !== undefined) return orgFor(ctx, db, orgId, writes)
  const row = kind === 'contact' ? await findContact(db, id) : kind === 'contactMethod' ? await findMethodLink(db, id) : await findMethodNotice(db, id)
  const missing = () => new DomainError('not_found', `${kind === 'contact' ? 'contact' : kind === 'contactMethod' ? 'contact method' : 'subscription'} not found`, { resource: kind })
  if (!row) throw missing()
  // An object of an organisation outside the actor's subtree answers exactly as one that does not
  // exist: "organisation not found" would tell that the id is taken by someone else's object.
  return orgFor(ctx, db, row.org_id, writes).catch((e: unknown) => {
    throw e instanceof DomainError && e.code === 'not_found' ? missing() : e
  })
}

const notFound = (what: string, resource: string): never => {
  throw new DomainError('not_found', `${what} not found`, { resource })
}

/** A contact of `org`, or `not_found`. */
export async function contactOf(db: Db, org: OrgRow, id: number): Promise<ContactRow> {
  const c = await findContact(db, id)
  return c && c.org_id === org.id ? c : notFound('contact', 'contact')
}

/** A contact method of `org` (of contact `contactId` when given), or `not_found`. */
export async function methodOf(db: Db, org: OrgRow, id: number, contactId?: number): Promise<MethodLinkRow> {
  const m = await findMethodLink(db, id)
  return m && m.org_id === org.id && (contactId === undefined || m.contact_id === contactId) ? m : notFound('contact method', 'contactMethod')
}

/** A subscription of `org`'s contact method `methodId`, or `not_found`. */
export async function subscriptionOf(db: Db, org: OrgRow, id: number, methodId?: number): Promise<MethodNoticeRow> {
  const s = await findMethodNotice(db, id)
  return s && s.org_id === org.id && (methodId === undefined || s.contact_method_id === methodId) ? s : notFound('subscription', 'contactMethodNotice')
}

const parseOptions = (text: string): Record<string, string> => JSON.parse(text) as Record<string, string>

/** A contact with its methods and their subscriptions, as answered (never a webhook's secret). */
export function toContact(c: ContactRow, links: MethodLinkRow[], subs: MethodNoticeRow[]): Contact {
  return {
    id: c.id,
    orgId: c.org_id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    methods: links.filter((l) => l.contact_id === c.id).map((l) => toMethodLink(l, subs)),
  }
}

export function toMethodLink(l: MethodLinkRow, subs: MethodNoticeRow[]): ContactMethodLink {
  return {
    id: l.id,
    contactId: l.contact_id,
    methodId: l.method_id,
    method: l.method,
    address: l.address,
    options: parseOptions(l.options),
    createdAt: l.created_at,
    notices: subs
      .filter((s) => s.contact_method_id === l.id)
      .map((s) => ({ id: s.id, noticeTypeId: s.notice_type_id, noticeType: s.notice_type, options: parseOptions(s.options) })),
  }
}
