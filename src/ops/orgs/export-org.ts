/**
 * A customer's whole "root object" (seed 000's `customer.getObject`, `getYAML`, `getXML`): the
 * organisation's own fields with its users (never a secret), groups, capacity, registered
 * domains, customer services, cloud accounts and the subscriptions it holds, assembled from one
 * consistent view of the database (store/export.repo.ts `readConsistently`). The faces format
 * it (src/faces/root-object/).
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope } from '../access.js'
import { DomainError } from '../../core/errors.js'
import type { Db } from '../../store/store.js'
import type { OrgStatus } from '../../core/status.js'
import type { Role } from '../../core/roles.js'
import type { ProvisioningColour, ProvisioningStatus } from '../../core/provisioning.js'
import { toOrganization } from '../../store/orgs.repo.js'
import { listOrgDomainRows, toDomain } from '../../store/domains.repo.js'
import { listGroupRows, listOrgGroupMemberships, toGroup } from '../../store/groups.repo.js'
import { listHeldSubscriptionRows, listOrgCapacityRows, listUserProfileRows, readConsistently } from '../../store/export.repo.js'
import { listAccountRows, listProviderRows, toCloudAccount } from '../../store/cloud.repo.js'
import { listCustomerServiceRows } from '../../store/services.repo.js'
import { listServiceRows, type UserLimit } from '../../store/catalog.repo.js'
import { toSubscriptions, type SubscriptionStatus } from '../../store/subscriptions.repo.js'
import type { PlanKind } from '../../core/plans.js'
import { customerServiceView, withHidden } from '../services/view.js'

/** A user of the customer: never its password hash, credential version or keys. */
export interface RootUser {
  id: string
  username: string
  email: string
  firstName: string
  lastName: string
  role: Role
  enabled: boolean
  createdAt: string
}

export interface RootGroup {
  id: string
  name: string
  description: string
  createdAt: string
  /** The ids of the group's members (users of the customer or of its descendants), by username. */
  memberIds: string[]
}

export interface RootCapacityEntry {
  amount: number
  capacityunittype: string
  name: string
  description: string
}

/** A registered domain (pending and unregistering ones are left out). */
export interface RootDomain {
  /** The name in ASCII (punycode). */
  name: string
  unicodeName: string
  registrar: string
  createdAt: string
}

/** A name and value whose name is data (a service's or instance's property). */
export interface RootProperty {
  name: string
  value: string
}

/** A customer service, as `GET /orgs/{org}/services` shows it (without hidden properties). */
export interface RootService {
  id: string
  /** The catalogue service's short name (`HE`). */
  name: string
  fullname: string
  /** The catalogue service's version. */
  version: string
  location: string | null
  status: ProvisioningStatus
  statusLabel: string
  statusColour: ProvisioningColour
  desiredStatus: 'Provisioned' | 'NotProvisioned'
  error: string | null
  requestGuid: string | null
  userLimit: UserLimit
  usersCount: number
  isBilled: boolean
  approvalPending: boolean
  multipleUserPlans: boolean
  packages: { name: string; fullname: string; enabled: boolean }[]
  userPlans: { name: string; fullname: string; userLimit: UserLimit; usersCount: number; used: boolean; enabled: boolean }[]
  properties: (RootProperty & { hidden: boolean })[]
  instances: { name: string; description: string; properties: RootProperty[] }[]
  objectVersion: number
  createdAt: string
  updatedAt: string
  provisionedAt: string | null
}

/** A cloud account (never credentials). */
export interface RootCloudAccount {
  id: string
  name: string
  providerId: string
  providerName: string
  servers: number
  createdAt: string
}

/** A subscription the customer holds (from its parent); deleted ones are left out. */
export interface RootSubscription {
  id: number
  planId: number
  planName: string
  planType: PlanKind
  vendorId: string
  friendlyName: string
  status: Exclude<SubscriptionStatus, 'deleted'>
  isSuspended: boolean
  /** A resource's `total` null is unlimited. */
  resources: { name: string; total: number | null; usage: number }[]
  createdAt: string
  updatedAt: string
  version: number
}

/** A customer's root object: plain data, the same for every format. */
export interface RootObject {
  /** The organisation's id. */
  guid: string
  code: string
  name: string
  description: string
  address: string
  city: string
  country: string
  /** The core lifecycle status (a deleted organisation has no root object). */
  status: Exclude<OrgStatus, 'deleted'>
  contactName: string
  contactEmail: string
  primaryDomain: string
  billingId: string
  externalId: string
  locale: string
  isReseller: boolean
  /** The retention policy the organisation follows (`orgs.retention_policy_guid`), or null for none. */
  retentionPolicyGuid: string | null
  createdAt: string
  updatedAt: string
  version: number
  users: RootUser[]
  groups: RootGroup[]
  capacity: { available: RootCapacityEntry[]; consumed: RootCapacityEntry[] }
  domains: RootDomain[]
  services: RootService[]
  cloudAccounts: RootCloudAccount[]
  subscriptions: RootSubscription[]
}

/**
 * Answers the root object of an organisation in the actor's subtree (any role that may read
 * it); a deleted organisation is `not_found`. Hidden service properties are never included.
 */
export const exportOrg = defineOp({
  name: 'customer.export',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<RootObject> {
    return readConsistently(ctx.store, (db) => readRoot(ctx, db, input.orgId))
  },
})

async function readRoot(ctx: Ctx, db: Db, orgId: string): Promise<RootObject> {
  const row = await getOrgInScope(ctx, db, orgId)
  if (row.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  const org = toOrganization(row)
  const [users, groups, capacity, domains, services, cloudAccounts, subscriptions] = await Promise.all([
    readUsers(db, org.id),
    readGroups(db, org.id),
    readCapacity(db, org.id),
    readDomains(db, org.id),
    readServices(ctx, db, org.id),
    readCloudAccounts(db, org.id),
    readSubscriptions(db, org.id),
  ])
  return {
    guid: org.id,
    code: org.code,
    name: org.name,
    description: org.description,
    address: org.address,
    city: org.city,
    country: org.country,
    status: org.status as RootObject['status'],
    contactName: org.contactName,
    contactEmail: org.contactEmail,
    primaryDomain: org.primaryDomain,
    billingId: org.billingId,
    externalId: org.externalId,
    locale: org.locale,
    isReseller: org.isReseller,
    retentionPolicyGuid: org.retentionPolicyGuid === '' ? null : org.retentionPolicyGuid,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
    version: org.version,
    users,
    groups,
    capacity,
    domains,
    services,
    cloudAccounts,
    subscriptions,
  }
}

async function readUsers(db: Db, orgId: string): Promise<RootUser[]> {
  const rows = await listUserProfileRows(db, orgId)
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role as Role,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
  }))
}

async function readGroups(db: Db, orgId: string): Promise<RootGroup[]> {
  const [rows, members] = await Promise.all([listGroupRows(db, orgId), listOrgGroupMemberships(db, orgId)])
  return rows.map((r) => {
    const g = toGroup(r)
    return {
      id: g.id,
      name: g.name,
      description: g.description,
      createdAt: g.createdAt,
      memberIds: members.filter((m) => m.group_id === g.id).map((m) => m.user_id),
    }
  })
}

async function readCapacity(db: Db, orgId: string): Promise<RootObject['capacity']> {
  const rows = await listOrgCapacityRows(db, orgId)
  const of = (kind: string): RootCapacityEntry[] =>
    rows.filter((r) => r.kind === kind).map((r) => ({ amount: Number(r.amount), capacityunittype: r.unit_type, name: r.name, description: r.description }))
  return { available: of('available'), consumed: of('consumed') }
}

/** The customer's registered domains (pending and unregistering ones are left out), by ASCII name. */
async function readDomains(db: Db, orgId: string): Promise<RootDomain[]> {
  const rows = await listOrgDomainRows(db, orgId, 'registered')
  return rows.map(toDomain).map((d) => ({ name: d.name, unicodeName: d.unicodeName, registrar: d.registrar, createdAt: d.createdAt }))
}

/** The services the customer holds or held, as `customer_service.list` answers them by default. */
async function readServices(ctx: Ctx, db: Db, orgId: string): Promise<RootService[]> {
  const [rows, catalogue] = await Promise.all([listCustomerServiceRows(db, orgId), listServiceRows(db)])
  const byService = new Map(rows.map((r) => [r.service_id, r]))
  const hidden = withHidden(ctx, undefined)
  const views = await Promise.all(
    catalogue.filter((s) => byService.has(s.id)).map((s) => customerServiceView(db, orgId, s, byService.get(s.id), hidden)),
  )
  return views.map((v) => ({
    id: v.id!,
    name: v.service,
    fullname: v.fullname,
    version: v.version,
    location: v.location,
    status: v.status,
    statusLabel: v.statusLabel,
    statusColour: v.statusColour,
    desiredStatus: v.desiredStatus,
    error: v.error,
    requestGuid: v.requestGuid,
    userLimit: v.userLimit,
    usersCount: v.usersCount,
    isBilled: v.isBilled,
    approvalPending: v.approvalPending,
    multipleUserPlans: v.multipleUserPlans,
    packages: v.packages.map((p) => ({ name: p.name, fullname: p.fullname, enabled: p.enabled })),
    userPlans: v.userPlans.map((p) => ({ name: p.name, fullname: p.fullname, userLimit: p.userLimit, usersCount: p.usersCount, used: p.used, enabled: p.enabled })),
    properties: v.properties.map((p) => ({ name: p.name, value: p.value, hidden: p.hidden })),
    instances: v.instances.map((i) => ({
      name: i.name,
      description: i.description,
      properties: Object.entries(i.properties).map(([name, value]) => ({ name, value: String(value) })),
    })),
    objectVersion: v.etagVersion,
    createdAt: v.createdAt!,
    updatedAt: v.updatedAt!,
    provisionedAt: v.provisionedAt,
  }))
}

/** Every cloud account of the customer (oldest first); never credentials. */
async function readCloudAccounts(db: Db, orgId: string): Promise<RootCloudAccount[]> {
  const [{ rows }, providers] = await Promise.all([listAccountRows(db, orgId, 0, Number.MAX_SAFE_INTEGER), listProviderRows(db)])
  const names = new Map(providers.map((p) => [p.id, p.name]))
  return rows.map(toCloudAccount).map((a) => ({
    id: a.id,
    name: a.name,
    providerId: a.providerId,
    providerName: names.get(a.providerId) ?? '',
    servers: a.servers,
    createdAt: a.createdAt,
  }))
}

/** The subscriptions the customer holds, not deleted, by id. */
async function readSubscriptions(db: Db, orgId: string): Promise<RootSubscription[]> {
  const rows = await listHeldSubscriptionRows(db, orgId)
  const subs = await toSubscriptions(db, rows)
  return subs.map((s) => ({
    id: s.id,
    planId: s.planId,
    planName: s.planName,
    planType: s.kind,
    vendorId: s.vendorId,
    friendlyName: s.friendlyName,
    status: s.status as RootSubscription['status'],
    isSuspended: s.isSuspended,
    resources: s.resources.map((r) => ({ name: r.name, total: r.total ?? null, usage: r.usage })),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  }))
}
