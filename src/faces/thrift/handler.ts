/**
 * Seed 001's `Customer` service: each function calls one operation and shapes its answer as
 * idl/customer.thrift declares it (idl/README.md says what the seed left open). No rules live
 * here. One handler is made per call, holding the caller's context; the generated processor
 * (gen/Customer.js) reads the arguments, calls the method of the same name with exactly the
 * IDL's arguments (it checks each method's arity), and writes the result or the declared
 * exception. Every error goes through `toThriftError` and the one table in errors.ts.
 */
import { createRequire } from 'node:module'
import { DomainError, isDomainError } from '../../core/errors.js'
import type { Ctx } from '../../ops/context.js'
import { THRIFT_ERRORS } from './errors.js'
import { addApiKeyAcl, createApiKey, deleteApiKey, deleteApiKeyAcl, listOrgApiKeys, updateApiKeyAcl, type ApiKeyView } from '../../ops/keys/keys.js'
import { changeCustomerEmail, changeCustomerPassword, changeCustomerPin, getCustomerUsername, listRoles } from '../../ops/account/index.js'
import { wizardSite } from '../../ops/sites/wizard-site.js'
import { requestCancellation } from '../../ops/cancellations/request-cancellation.js'
import { listSettings } from '../../ops/settings/list-settings.js'
import { setSettings } from '../../ops/settings/set-settings.js'
import { addAddress } from '../../ops/network/add-address.js'
import { listAddresses } from '../../ops/network/list-addresses.js'
import { freeAddress } from '../../ops/network/free-address.js'
import { createFtpUser } from '../../ops/ftp/create-ftp-user.js'
import { listFtpUsers } from '../../ops/ftp/list-ftp-users.js'
import { updateFtpUser } from '../../ops/ftp/update-ftp-user.js'
import { deleteFtpUser } from '../../ops/ftp/delete-ftp-user.js'
import { getBillableBandwidth } from '../../ops/bandwidth/get-billable-bandwidth.js'
import { listNotices } from '../../ops/notices/list-notices.js'
import { acknowledgeNotice } from '../../ops/notices/acknowledge-notice.js'
import { addContactMethod, createContact, deleteContact, listContacts, removeContactMethod, subscribeContactMethod, unsubscribeContactMethod } from '../../ops/notices/contacts.js'
import { listContactMethods, listContactNoticeTypes } from '../../ops/notices/list-catalogues.js'
import type { Contact } from '../../core/notices.js'
import type { IpAddressDetails } from '../../core/network.js'
import type { FtpUser } from '../../core/ftp.js'
import type * as TypesModule from './gen/customer_types.js'

const require = createRequire(import.meta.url)
const T = require('./gen/customer_types.js') as typeof TypesModule

/** What the generated code hands over for an `i64`: node-int64. */
interface Int64Like {
  toNumber(allowImprecise?: boolean): number
}

/** An error the face answers as a TApplicationException: failed authentication, or our own bug. */
export class ThriftTransportError extends Error {
  constructor(
    message: string,
    readonly authentication: boolean,
  ) {
    super(message)
  }
}

/** The declared exception, or a transport error, for whatever a call threw. */
/** The functions whose customer argument is `customerId`; every other calls it `id`. */
const CUSTOMER_ID_ARG = new Set(['CP_Wizard', 'createFTPUser', 'currentBillableBandwidth', 'listNotices', 'createContact', 'listContacts'])

/** An operation's input field as the IDL names the argument, so that `InvalidArguments.field` names what the caller sent. */
function argumentName(fn: string, field: string): string {
  const head = field.split('.')[0]!
  const rest = field.slice(head.length)
  const renamed: Record<string, string> = {
    orgId: CUSTOMER_ID_ARG.has(fn) ? 'customerId' : 'id',
    keyId: 'id',
    aclId: 'id',
    mask: 'cidr',
    siteName: 'siteId',
    environmentName: 'environmentId',
    subscriptionId: 'contactMethodNoticeId',
    role: 'type',
  }
  return Object.hasOwn(renamed, head) ? renamed[head]! + rest : field
}

export function toThriftError(e: unknown, ctx: Pick<Ctx, 'log'>, fn = ''): Error {
  if (isDomainError(e)) {
    const how = THRIFT_ERRORS[e.code]
    if (!how.showMessage) ctx.log.error({ err: e }, 'internal error')
    const message = how.showMessage ? e.message : 'internal error'
    if (how.answer === 'authentication') return new ThriftTransportError(message, true)
    const field = typeof e.details?.field === 'string' ? argumentName(fn, e.details.field) : undefined
    return new T.InvalidArguments({ message, code: e.code, ...(field !== undefined ? { field } : {}) } as ConstructorParameters<typeof T.InvalidArguments>[0])
  }
  ctx.log.error({ err: e }, 'internal error')
  return new ThriftTransportError('internal error', false)
}

/** Seconds since the epoch, for an ISO instant. */
const unixTime = (iso: string): number => Math.floor(Date.parse(iso) / 1000)

/** An argument the caller left unset arrives as null. */
const opt = <V>(v: V | null | undefined): V | undefined => (v === null ? undefined : v)

/** A required argument: unset is `invalid_argument` naming it. */
function need<V>(v: V | null | undefined, field: string): V {
  if (v === null || v === undefined) throw new DomainError('invalid_argument', `${field} is required`, { field })
  return v
}

/** An `i64` or `i16`/`i32` argument as a JavaScript number, refusing what a double cannot hold exactly. */
function int(v: Int64Like | number | null | undefined, field: string): number | undefined {
  if (v === null || v === undefined) return undefined
  const n = typeof v === 'number' ? v : v.toNumber(false)
  if (!Number.isSafeInteger(n)) throw new DomainError('invalid_argument', `${field} is out of range`, { field })
  return n
}
const needInt = (v: Int64Like | number | null | undefined, field: string): number => need(int(v, field), field)

/** A map argument as a plain object (never inheriting from Object.prototype). */
function record(m: Map<string, string> | Record<string, string> | null | undefined): Record<string, string> | undefined {
  if (m === null || m === undefined) return undefined
  const out: Record<string, string> = Object.create(null)
  for (const [k, v] of m instanceof Map ? m : Object.entries(m)) out[k] = v
  return out
}

function apiKey(k: ApiKeyView, secret?: string) {
  return new T.APIKey({
    id: k.id,
    type: k.actsAs,
    name: k.name,
    ...(secret !== undefined ? { secret } : {}),
    created: unixTime(k.createdAt),
    ...(k.expiresAt ? { expires: unixTime(k.expiresAt) } : {}),
    acls: k.acls.map((a) => new T.APIKeyACL({ id: a.id, address: a.address, cidr: a.mask } as never)),
  } as never)
}

function ipDetails(a: IpAddressDetails) {
  return new T.IPAddressDetails({ address: a.address, cidr: a.prefixLength, netmask: a.netmask, gateway: a.gateway, pool: a.pool, since: unixTime(a.since) } as never)
}

function ftpUser(u: FtpUser) {
  return new T.FTPUser({
    id: u.id,
    customerId: u.orgId,
    name: u.name,
    username: u.username,
    relativeRoot: u.relativeRoot,
    type: u.type,
    ...(u.siteName !== null ? { siteId: u.siteName } : {}),
    ...(u.environmentName !== null ? { environmentId: u.environmentName } : {}),
  } as never)
}

/** Maps are plain objects to the generated code (`Thrift.copyMap` copies own keys; a `Map` has none). */
function contact(c: Contact) {
  return new T.CustomerContact({
    id: c.id,
    customerId: c.orgId,
    name: c.name,
    methods: c.methods.map(
      (m) =>
        new T.CustomerContactMethod({
          id: m.id,
          methodId: m.methodId,
          options: { ...m.options, address: m.address },
          notices: m.notices.map((n) => new T.CustomerContactMethodNotice({ id: n.id, noticeTypeId: n.noticeTypeId, options: { ...n.options } } as never)),
        } as never),
    ),
  } as never)
}

/**
 * The methods of `service Customer`. Each is `async` and declares exactly the IDL's arguments,
 * in the IDL's order (the generated processor calls by position and checks the arity).
 */
export class CustomerHandler {
  /** Called when a call fails authentication (the transport answers it as such). */
  onAuthFailure: () => void = () => {}

  constructor(private readonly ctx: Ctx) {}

  private async run<R>(fn: string, f: () => Promise<R>): Promise<R> {
    try {
      return await f()
    } catch (e) {
      const x = toThriftError(e, this.ctx, fn)
      if (x instanceof ThriftTransportError && x.authentication) this.onAuthFailure()
      throw x
    }
  }

  CP_Wizard(
    customerId: string | null,
    siteName: string | null,
    siteHostname: string | null,
    containerName: string | null,
    containerType: string | null,
    containerOSId: string | null,
    containerDiskSpace: Int64Like | null,
    containerSize: string | null,
    environmentNames: string[] | null,
    aliasNames: string[] | null,
    createDNS: boolean | null,
  ) {
    return this.run('CP_Wizard', async () => {
      const aliases = opt(aliasNames)
      const dns = opt(createDNS)
      const r = await wizardSite(this.ctx, {
        orgId: need(customerId, 'customerId'),
        siteName: need(siteName, 'siteName'),
        siteHostname: need(siteHostname, 'siteHostname'),
        containerName: need(containerName, 'containerName'),
        containerType: need(containerType, 'containerType'),
        containerOSId: need(containerOSId, 'containerOSId'),
        containerDiskSpace: needInt(containerDiskSpace, 'containerDiskSpace'),
        containerSize: need(containerSize, 'containerSize'),
        environmentNames: need(environmentNames, 'environmentNames'),
        ...(aliases !== undefined ? { aliasNames: aliases } : {}),
        ...(dns !== undefined ? { createDNS: dns } : {}),
      })
      return r.requestGuid
    })
  }

  requestCancellation(id: string | null, reason: string | null) {
    return this.run('requestCancellation', async () => (await requestCancellation(this.ctx, { orgId: need(id, 'id'), reason: need(reason, 'reason') })).requestGuid)
  }

  createKey(id: string | null, type: string | null) {
    return this.run('createKey', async () => {
      const role = opt(type)
      const k = await createApiKey(this.ctx, { orgId: need(id, 'id'), ...(role !== undefined ? { role: role as never } : {}) })
      return apiKey({ ...k, actsAs: k.role ?? this.ctx.actor.role, acls: [] }, k.secret)
    })
  }

  revokeKey(id: string | null) {
    return this.run('revokeKey', async () => {
      await deleteApiKey(this.ctx, { keyId: need(id, 'id') })
    })
  }

  getKeys(id: string | null, type: string | null) {
    return this.run('getKeys', async () => {
      const role = opt(type)
      const keys = await listOrgApiKeys(this.ctx, { orgId: need(id, 'id'), ...(role !== undefined ? { role: role as never } : {}) })
      return keys.map((k) => apiKey(k))
    })
  }

  createKeyACL(id: string | null, address: string | null, cidr: number | null) {
    return this.run('createKeyACL', async () => (await addApiKeyAcl(this.ctx, { keyId: need(id, 'id'), address: need(address, 'address'), mask: needInt(cidr, 'cidr') })).id)
  }

  updateKeyACL(id: Int64Like | null, address: string | null, cidr: number | null) {
    return this.run('updateKeyACL', async () => {
      const a = opt(address)
      const m = opt(cidr)
      await updateApiKeyAcl(this.ctx, { aclId: needInt(id, 'id'), ...(a !== undefined ? { address: a } : {}), ...(m !== undefined ? { mask: m } : {}) })
    })
  }

  deleteKeyACL(id: Int64Like | null) {
    return this.run('deleteKeyACL', async () => {
      await deleteApiKeyAcl(this.ctx, { aclId: needInt(id, 'id') })
    })
  }

  listRoles(id: string | null) {
    return this.run('listRoles', async () => (await listRoles(this.ctx, { orgId: need(id, 'id') })).map((r) => new T.Role({ id: r.id, name: r.name, permissions: [...r.permissions] })))
  }

  getUsername(id: string | null) {
    return this.run('getUsername', async () => (await getCustomerUsername(this.ctx, { orgId: need(id, 'id') })).username)
  }

  changePassword(id: string | null, password: string | null) {
    return this.run('changePassword', async () => {
      await changeCustomerPassword(this.ctx, { orgId: need(id, 'id'), password: need(password, 'password') })
    })
  }

  changePIN(id: string | null, pin: string | null) {
    return this.run('changePIN', async () => {
      await changeCustomerPin(this.ctx, { orgId: need(id, 'id'), pin: need(pin, 'pin') })
    })
  }

  changeEmail(id: string | null, email: string | null) {
    return this.run('changeEmail', async () => {
      const r = await changeCustomerEmail(this.ctx, { orgId: need(id, 'id'), email: need(email, 'email') })
      return new T.EmailChange({ current: r.current, ...(r.pending !== null ? { pending: r.pending } : {}) } as never)
    })
  }

  setSettings(id: string | null, settings: { name: string | null; value: string | null }[] | null) {
    return this.run('setSettings', async () => {
      const list = need(settings, 'settings').map((s, i) => ({ name: need(s.name, `settings.${i}.name`), value: need(s.value, `settings.${i}.value`) }))
      await setSettings(this.ctx, { orgId: need(id, 'id'), settings: list })
    })
  }

  getSettings(id: string | null) {
    return this.run('getSettings', async () => (await listSettings(this.ctx, { orgId: need(id, 'id') })).items.map((s) => new T.Setting({ name: s.name, value: s.value })))
  }

  addIpAddress(id: string | null, address: string | null) {
    return this.run('addIpAddress', async () => {
      const a = opt(address)
      return (await addAddress(this.ctx, { orgId: need(id, 'id'), ...(a !== undefined ? { address: a } : {}) })).address
    })
  }

  getIpAddresses(id: string | null) {
    return this.run('getIpAddresses', async () => (await listAddresses(this.ctx, { orgId: need(id, 'id') })).map((a) => a.address))
  }

  getDetailedIpAddresses(id: string | null) {
    return this.run('getDetailedIpAddresses', async () => (await listAddresses(this.ctx, { orgId: need(id, 'id') })).map(ipDetails))
  }

  freeIpAddress(id: string | null, address: string | null) {
    return this.run('freeIpAddress', async () => {
      await freeAddress(this.ctx, { orgId: need(id, 'id'), address: need(address, 'address') })
    })
  }

  createFTPUser(
    customerId: string | null,
    name: string | null,
    username: string | null,
    password: string | null,
    relativeRoot: string | null,
    type: string | null,
    siteId: string | null,
    environmentId: string | null,
  ) {
    return this.run('createFTPUser', async () => {
      const site = opt(siteId)
      const env = opt(environmentId)
      const u = await createFtpUser(this.ctx, {
        orgId: need(customerId, 'customerId'),
        name: need(name, 'name'),
        username: need(username, 'username'),
        password: need(password, 'password'),
        relativeRoot: need(relativeRoot, 'relativeRoot'),
        type: need(type, 'type') as never,
        ...(site !== undefined ? { siteName: site } : {}),
        ...(env !== undefined ? { environmentName: env } : {}),
      })
      return u.id
    })
  }

  listFTPUsers(id: string | null, siteId: string | null, environmentId: string | null) {
    return this.run('listFTPUsers', async () => {
      const site = opt(siteId)
      const env = opt(environmentId)
      const r = await listFtpUsers(this.ctx, { orgId: need(id, 'id'), ...(site !== undefined ? { siteName: site } : {}), ...(env !== undefined ? { environmentName: env } : {}) })
      return r.items.map(ftpUser)
    })
  }

  updateFTPUser(
    id: string | null,
    name: string | null,
    username: string | null,
    password: string | null,
    relativeRoot: string | null,
    type: string | null,
    siteId: string | null,
    environmentId: string | null,
  ) {
    return this.run('updateFTPUser', async () => {
      const patch: Record<string, unknown> = { id: need(id, 'id') }
      for (const [k, v] of [
        ['name', name],
        ['username', username],
        ['password', password],
        ['relativeRoot', relativeRoot],
        ['type', type],
        ['siteName', siteId],
        ['environmentName', environmentId],
      ] as const) {
        if (v !== null && v !== undefined) patch[k] = v
      }
      await updateFtpUser(this.ctx, patch as never)
    })
  }

  destroyFTPUser(id: string | null) {
    return this.run('destroyFTPUser', async () => {
      await deleteFtpUser(this.ctx, { id: need(id, 'id') })
    })
  }

  currentBillableBandwidth(customerId: string | null) {
    return this.run('currentBillableBandwidth', async () => {
      const b = await getBillableBandwidth(this.ctx, { orgId: need(customerId, 'customerId') })
      return new T.BillableBandwidth({
        amount: b.billableBitsPerSecond ?? b.billableBytes ?? 0,
        rule: b.rule,
        periodStart: unixTime(b.periodStart),
        periodEnd: unixTime(b.periodEnd),
        samples: b.samples,
      } as never)
    })
  }

  listNotices(customerId: string | null, since: Int64Like | null) {
    return this.run('listNotices', async () => {
      const s = int(since, 'since')
      const list = await listNotices(this.ctx, { orgId: need(customerId, 'customerId'), ...(s !== undefined ? { since: s } : {}) })
      return list.map(
        (n) =>
          new T.CustomerNotice({
            id: n.id,
            type: n.noticeTypeId,
            subject: n.subject,
            body: n.body,
            created: unixTime(n.createdAt),
            updated: unixTime(n.updatedAt),
            isGlobal: n.global,
            acknowledged: n.acknowledgedAt !== null,
          } as never),
      )
    })
  }

  /** Acknowledged for the caller's own organisation: the seed's call names no customer. */
  acknowledgeNotice(noticeId: Int64Like | null) {
    return this.run('acknowledgeNotice', async () => {
      await acknowledgeNotice(this.ctx, { orgId: this.ctx.actor.orgId, noticeId: needInt(noticeId, 'noticeId') })
    })
  }

  createContact(customerId: string | null, name: string | null) {
    return this.run('createContact', async () => (await createContact(this.ctx, { orgId: need(customerId, 'customerId'), name: need(name, 'name') })).id)
  }

  destroyContact(contactId: Int64Like | null) {
    return this.run('destroyContact', () => deleteContact(this.ctx, { contactId: needInt(contactId, 'contactId') }))
  }

  /** `options.address` is where the method reaches the contact (an e-mail address, an E.164 number, an https URL); the rest are kept as options. */
  createContactMethod(contactId: Int64Like | null, methodId: number | null, options: Map<string, string> | null) {
    return this.run('createContactMethod', async () => {
      const all = record(options) ?? Object.create(null)
      const { address, ...rest } = all as Record<string, string>
      if (address === undefined) throw new DomainError('invalid_argument', 'options.address is required: the e-mail address, E.164 phone number or https URL the method reaches', { field: 'options' })
      const link = await addContactMethod(this.ctx, { contactId: needInt(contactId, 'contactId'), methodId: needInt(methodId, 'methodId'), address, options: rest })
      return link.id
    })
  }

  destroyContactMethod(contactMethodId: Int64Like | null) {
    return this.run('destroyContactMethod', () => removeContactMethod(this.ctx, { contactMethodId: needInt(contactMethodId, 'contactMethodId') }))
  }

  createContactMethodNotice(contactMethodId: Int64Like | null, noticeTypeId: number | null, options: Map<string, string> | null) {
    return this.run('createContactMethodNotice', async () => {
      const o = record(options)
      const r = await subscribeContactMethod(this.ctx, { contactMethodId: needInt(contactMethodId, 'contactMethodId'), noticeTypeId: needInt(noticeTypeId, 'noticeTypeId'), ...(o ? { options: { ...o } } : {}) })
      return r.id
    })
  }

  destroyContactMethodNotice(contactMethodNoticeId: Int64Like | null) {
    return this.run('destroyContactMethodNotice', () => unsubscribeContactMethod(this.ctx, { subscriptionId: needInt(contactMethodNoticeId, 'contactMethodNoticeId') }))
  }

  listContactNoticeTypes() {
    return this.run('listContactNoticeTypes', async () => (await listContactNoticeTypes(this.ctx, {})).map((t) => new T.ContactNoticeType({ id: t.id, name: t.code, description: t.name })))
  }

  listContactMethods() {
    return this.run('listContactMethods', async () => (await listContactMethods(this.ctx, {})).map((t) => new T.ContactMethod({ id: t.id, name: t.code, description: t.name })))
  }

  listContacts(customerId: string | null) {
    return this.run('listContacts', async () => (await listContacts(this.ctx, { orgId: need(customerId, 'customerId') })).map(contact))
  }
}
