/**
 * Contacts of a customer, their contact methods, and the methods' subscriptions to notice types
 * (seed 001's createContact, destroyContact, createContactMethod, destroyContactMethod,
 * createContactMethodNotice, destroyContactMethodNotice, listContacts). Reading needs the
 * organisation in the actor's subtree; changing needs `org.write` as well.
 */
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { randomToken } from '../../core/ids.js'
import type { Contact, ContactMethodCode, ContactMethodLink } from '../../core/notices.js'
import { mapUnique, nowIso } from '../../store/store.js'
import {
  deleteContactRow,
  deleteMethodLink,
  deleteMethodNoticeRow,
  insertContact,
  insertMethodLink,
  insertMethodNotice,
  listContactMethodCatalogue,
  listContactRows,
  listMethodLinks,
  listMethodNotices,
  listNoticeTypes,
  setMethodLinkSecret,
  updateContactRow,
} from '../../store/notices.repo.js'
import { checkAddress, checkEmail, checkPhone, contactOf, methodOf, orgFor, orgOfObject, subscriptionOf, toContact, toMethodLink, webhookSecretAad } from './notice-access.js'
import { IntId, Options, OrgId } from './schema.js'

const Name = Type.String({ minLength: 1, maxLength: 200 })
const Email = Type.String({ maxLength: 254 })
const Phone = Type.String({ maxLength: 32 })

function checkName(v: string): string {
  const s = v.trim()
  if (s === '') throw new DomainError('invalid_argument', 'name must not be blank', { field: 'name' })
  return s
}

/** The contacts of `orgId` with their contact methods and subscriptions ("and related objects"). */
export const listContacts = defineOp({
  name: 'contact.list',
  input: Type.Object({ orgId: OrgId }, { additionalProperties: false }),
  async run(ctx, input): Promise<Contact[]> {
    const org = await orgFor(ctx, ctx.store.db, input.orgId, false)
    const [contacts, links, subs] = await Promise.all([listContactRows(ctx.store.db, org.id), listMethodLinks(ctx.store.db, org.id), listMethodNotices(ctx.store.db, org.id)])
    return contacts.map((c) => toContact(c, links, subs))
  },
})

/** Adds a contact to `orgId`: a name (the seed's), and optionally an e-mail address and a phone number (E.164). */
export const createContact = defineOp({
  name: 'contact.create',
  input: Type.Object({ orgId: OrgId, name: Name, email: Type.Optional(Email), phone: Type.Optional(Phone) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Contact> {
    const org = await orgFor(ctx, ctx.store.db, input.orgId, true)
    const now = nowIso(ctx.clock)
    const row = {
      org_id: org.id,
      name: checkName(input.name),
      email: input.email ? checkEmail(input.email, 'email') : null,
      phone: input.phone ? checkPhone(input.phone, 'phone') : null,
      created_at: now,
      updated_at: now,
    }
    const id = await ctx.store.write((trx) => insertContact(trx, row))
    return toContact({ ...row, id }, [], [])
  },
})

/** Changes a contact's name, e-mail address or phone number (null clears the last two). */
export const updateContact = defineOp({
  name: 'contact.update',
  input: Type.Object(
    { orgId: OrgId, contactId: IntId, name: Type.Optional(Name), email: Type.Optional(Type.Union([Email, Type.Null()])), phone: Type.Optional(Type.Union([Phone, Type.Null()])) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Contact> {
    const org = await orgFor(ctx, ctx.store.db, input.orgId, true)
    const patch: { name?: string; email?: string | null; phone?: string | null; updated_at: string } = { updated_at: nowIso(ctx.clock) }
    if (input.name !== undefined) patch.name = checkName(input.name)
    if (input.email !== undefined) patch.email = input.email === null || input.email.trim() === '' ? null : checkEmail(input.email, 'email')
    if (input.phone !== undefined) patch.phone = input.phone === null || input.phone.trim() === '' ? null : checkPhone(input.phone, 'phone')
    await ctx.store.write(async (trx) => {
      await contactOf(trx, org, input.contactId)
      await updateContactRow(trx, input.contactId, patch)
    })
    const [c, links, subs] = await Promise.all([contactOf(ctx.store.db, org, input.contactId), listMethodLinks(ctx.store.db, org.id), listMethodNotices(ctx.store.db, org.id)])
    return toContact(c, links, subs)
  },
})

/** Deletes a contact with its contact methods and their subscriptions. */
export const deleteContact = defineOp({
  name: 'contact.delete',
  input: Type.Object({ orgId: Type.Optional(OrgId), contactId: IntId }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    const org = await orgOfObject(ctx, ctx.store.db, input.orgId, 'contact', input.contactId, true)
    await ctx.store.write(async (trx) => {
      await contactOf(trx, org, input.contactId)
      await deleteContactRow(trx, input.contactId)
    })
  },
})

/**
 * Gives a contact a contact method (seed 001's createContactMethod): `methodId` from the
 * catalogue (or `method`, its code) and the address it is reached at: an e-mail address, an
 * E.164 phone number, or an https URL for a webhook. A webhook gets a signing secret, answered
 * here once (`secret`) and stored sealed: its deliveries are signed with it as the provisioning
 * webhook's are (X-Clientele-Timestamp, X-Clientele-Signature).
 */
export const addContactMethod = defineOp({
  name: 'contact.addMethod',
  input: Type.Object(
    { orgId: Type.Optional(OrgId), contactId: IntId, methodId: Type.Optional(IntId), method: Type.Optional(Type.String({ maxLength: 32 })), address: Type.String({ minLength: 1, maxLength: 2000 }), options: Type.Optional(Options) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ContactMethodLink & { secret?: string }> {
    const org = await orgOfObject(ctx, ctx.store.db, input.orgId, 'contact', input.contactId, true)
    const catalogue = await listContactMethodCatalogue(ctx.store.db)
    if ((input.methodId === undefined) === (input.method === undefined)) throw new DomainError('invalid_argument', 'give methodId or method (one of them)', { field: 'methodId' })
    const entry = catalogue.find((m) => m.id === input.methodId || m.code === input.method)
    if (!entry) {
      const field = input.methodId !== undefined ? 'methodId' : 'method'
      throw new DomainError('invalid_argument', `${field} is not a contact method (${catalogue.map((m) => `${m.id} ${m.code}`).join(', ')})`, { field })
    }
    const method = entry.code as ContactMethodCode
    const address = checkAddress(method, input.address)
    const now = nowIso(ctx.clock)
    const secret = method === 'webhook' ? randomToken(32) : undefined
    const options = JSON.stringify(input.options ?? {})
    const id = await ctx.store.write(async (trx) => {
      await contactOf(trx, org, input.contactId)
      const id = await insertMethodLink(trx, { contact_id: input.contactId, org_id: org.id, method_id: entry.id, address, options, secret: null, created_at: now })
      if (secret) await setMethodLinkSecret(trx, id, ctx.secrets.seal(secret, webhookSecretAad(id)))
      return id
    })
    const link = toMethodLink({ id, contact_id: input.contactId, org_id: org.id, method_id: entry.id, method, address, options, secret: null, created_at: now }, [])
    return secret ? { ...link, secret } : link
  },
})

/** Removes a contact method (and its subscriptions). */
export const removeContactMethod = defineOp({
  name: 'contact.removeMethod',
  input: Type.Object({ orgId: Type.Optional(OrgId), contactMethodId: IntId, contactId: Type.Optional(IntId) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    const org = await orgOfObject(ctx, ctx.store.db, input.orgId, 'contactMethod', input.contactMethodId, true)
    await ctx.store.write(async (trx) => {
      await methodOf(trx, org, input.contactMethodId, input.contactId)
      await deleteMethodLink(trx, input.contactMethodId)
    })
  },
})

/** Subscribes a contact method to a notice type (seed 001's createContactMethodNotice); answers the subscription's id. */
export const subscribeContactMethod = defineOp({
  name: 'contact.subscribe',
  input: Type.Object({ orgId: Type.Optional(OrgId), contactMethodId: IntId, noticeTypeId: IntId, contactId: Type.Optional(IntId), options: Type.Optional(Options) }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ id: number; contactMethodId: number; noticeTypeId: number; noticeType: string; options: Record<string, string> }> {
    const org = await orgOfObject(ctx, ctx.store.db, input.orgId, 'contactMethod', input.contactMethodId, true)
    const type = (await listNoticeTypes(ctx.store.db)).find((t) => t.id === input.noticeTypeId)
    if (!type) throw new DomainError('invalid_argument', `noticeTypeId ${input.noticeTypeId} is not a notice type`, { field: 'noticeTypeId' })
    const options = input.options ?? {}
    const id = await ctx.store.write(async (trx) => {
      await methodOf(trx, org, input.contactMethodId, input.contactId)
      return mapUnique(
        () => insertMethodNotice(trx, { contact_method_id: input.contactMethodId, notice_type_id: type.id, options: JSON.stringify(options), created_at: nowIso(ctx.clock) }),
        () => `contact method ${input.contactMethodId} is already subscribed to ${type.code}`,
      )
    })
    return { id, contactMethodId: input.contactMethodId, noticeTypeId: type.id, noticeType: type.code, options }
  },
})

/** Ends a subscription (seed 001's destroyContactMethodNotice). */
export const unsubscribeContactMethod = defineOp({
  name: 'contact.unsubscribe',
  input: Type.Object({ orgId: Type.Optional(OrgId), subscriptionId: IntId, contactMethodId: Type.Optional(IntId), contactId: Type.Optional(IntId) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    const org = await orgOfObject(ctx, ctx.store.db, input.orgId, 'contactMethodNotice', input.subscriptionId, true)
    await ctx.store.write(async (trx) => {
      const sub = await subscriptionOf(trx, org, input.subscriptionId, input.contactMethodId)
      if (input.contactId !== undefined) await methodOf(trx, org, sub.contact_method_id, input.contactId)
      await deleteMethodNoticeRow(trx, input.subscriptionId)
    })
  },
})
