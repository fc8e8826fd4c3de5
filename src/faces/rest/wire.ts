/**
 * Wire shapes of the `/orgs` face (seed 003, camelCase) and their mapping from core objects.
 * The same TypeBox schemas validate requests, serialise answers and make the OpenAPI document.
 */
import { createHash } from 'node:crypto'
import { Type, type Static } from 'typebox'
import { enhanceOrgStatus, ENHANCE_ORG_STATUSES, isSuspendedStatus, ORG_STATUSES } from '../../core/status.js'
import { enhanceRoles, ENHANCE_ROLES, ROLES } from '../../core/roles.js'
import type { Organization } from '../../core/org.js'
import type { User } from '../../core/users.js'
import type { Group } from '../../core/users.js'
import type { ApiKey, ApiKeyAcl } from '../../core/users.js'

const lit = <const T extends readonly string[]>(xs: T) => Type.Enum(xs)

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID' })
export const OrgIdParams = Type.Object({ org_id: Type.String({ maxLength: 64 }) })

export const OrgWire = Type.Object(
  {
    id: Uuid,
    number: Type.Integer(),
    code: Type.String(),
    name: Type.String(),
    status: lit(ENHANCE_ORG_STATUSES),
    lifecycleStatus: lit(ORG_STATUSES),
    parentId: Type.Optional(Uuid),
    isReseller: Type.Boolean(),
    isSuspended: Type.Boolean(),
    suspendedBy: Type.Optional(Uuid),
    subscriptionsCount: Type.Integer(),
    websitesCount: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    locale: Type.String(),
    description: Type.String(),
    address: Type.String(),
    city: Type.String(),
    country: Type.String(),
    contactName: Type.String(),
    contactEmail: Type.String(),
    primaryDomain: Type.String(),
    retentionPolicyGuid: Type.String({ description: "The retention policy for snapshots (seed 000's retentionpolicyguid), '' for none" }),
    billingId: Type.String(),
    externalId: Type.String(),
    externalMetadata: Type.Record(Type.String(), Type.Unknown()),
    licensingEnabled: Type.Boolean(),
    skinNames: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    depth: Type.Integer({ description: 'Levels below the master organisation' }),
    version: Type.Integer({ description: 'Optimistic-concurrency version; also the ETag' }),
    slackNotificationWebhookUrlSet: Type.Boolean({
      description: 'Whether a Slack webhook URL is set (`slackNotificationWebhookUrl` on PATCH); the URL is a credential, sealed at rest and never answered',
    }),
  },
  {},
)
export type OrgWire = Static<typeof OrgWire>

/** Maps an Organization to seed 003's Org (plus our fields). */
export function orgToWire(o: Organization): OrgWire {
  return {
    id: o.id,
    number: o.number,
    code: o.code,
    name: o.name,
    status: enhanceOrgStatus(o.status),
    lifecycleStatus: o.status,
    ...(o.parentId ? { parentId: o.parentId } : {}),
    isReseller: o.isReseller || o.depth === 0,
    isSuspended: isSuspendedStatus(o.status),
    ...(o.suspendedBy ? { suspendedBy: o.suspendedBy } : {}),
    subscriptionsCount: o.subscriptionsCount,
    websitesCount: o.websitesCount,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    locale: o.locale,
    description: o.description,
    address: o.address,
    city: o.city,
    country: o.country,
    contactName: o.contactName,
    contactEmail: o.contactEmail,
    primaryDomain: o.primaryDomain,
    retentionPolicyGuid: o.retentionPolicyGuid,
    billingId: o.billingId,
    externalId: o.externalId,
    externalMetadata: o.externalMetadata,
    licensingEnabled: o.licensingEnabled,
    skinNames: o.skinNames,
    enabled: o.enabled,
    depth: o.depth,
    version: o.version,
    slackNotificationWebhookUrlSet: o.slackWebhookSet,
  }
}

const orgJsonMemo = new WeakMap<Organization, string>()

/**
 * The Org's JSON text, memoised per Organization object. The store hands out one object per
 * organisation version, so a page of unchanged organisations is joined from strings made once.
 */
export function orgJson(o: Organization): string {
  let j = orgJsonMemo.get(o)
  if (j === undefined) {
    j = JSON.stringify(orgToWire(o))
    orgJsonMemo.set(o, j)
  }
  return j
}

export const CustomersListing = Type.Object({ items: Type.Array(OrgWire), total: Type.Integer() })
export const NewResourceUuid = Type.Object({ id: Uuid })

export const MemberWire = Type.Object(
  {
    id: Uuid,
    orgId: Uuid,
    username: Type.String(),
    email: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    name: Type.String(),
    role: lit(ROLES),
    roles: Type.Array(lit(ENHANCE_ROLES), { description: "The role in seed 003's words" }),
    enabled: Type.Boolean(),
    isActive: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    joinedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  {},
)

/** Maps a User to the member shape (with seed 003's `roles`, `isActive`, `joinedAt`, `name`). */
export function userToWire(u: User): Static<typeof MemberWire> {
  return {
    id: u.id,
    orgId: u.orgId,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    name: [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username,
    role: u.role,
    roles: enhanceRoles(u.role),
    enabled: u.enabled,
    isActive: u.enabled,
    createdAt: u.createdAt,
    joinedAt: u.createdAt,
    updatedAt: u.updatedAt,
    version: u.version,
  }
}

export const MembersListing = Type.Object({ items: Type.Array(MemberWire), total: Type.Integer() })

export const GroupWire = Type.Object({ id: Uuid, orgId: Uuid, name: Type.String(), description: Type.String(), createdAt: Type.String() })
export function groupToWire(g: Group): Static<typeof GroupWire> {
  return { id: g.id, orgId: g.orgId, name: g.name, description: g.description, createdAt: g.createdAt }
}

export const ApiKeyWire = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: lit(['full', 'readonly'] as const),
    userId: Uuid,
    orgId: Uuid,
    prefix: Type.String(),
    createdAt: Type.String(),
    expiresAt: Type.Union([Type.String(), Type.Null()]),
    aclCount: Type.Integer(),
  },
  {},
)
export function keyToWire(k: ApiKey): Static<typeof ApiKeyWire> {
  return { id: k.id, name: k.name, type: k.type, userId: k.userId, orgId: k.orgId, prefix: k.prefix, createdAt: k.createdAt, expiresAt: k.expiresAt, aclCount: k.aclCount }
}
export const ApiKeyAclWire = Type.Object({ id: Type.Integer(), keyId: Type.String(), address: Type.String(), mask: Type.Integer(), createdAt: Type.String() })
export function aclToWire(a: ApiKeyAcl): Static<typeof ApiKeyAclWire> {
  return { id: a.id, keyId: a.keyId, address: a.address, mask: a.mask, createdAt: a.createdAt }
}

/** The problem+json error schema, for the OpenAPI document. */
export const ProblemWire = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code (see the README)' }),
  },
  { $id: 'Problem', additionalProperties: true },
)

/** Seed 003's `Login`: a Clientele user seen as the login that holds its membership. */
export const LoginWire = Type.Object({
  id: Type.String(),
  email: Type.String({ description: "The user's e-mail address; a user without one answers its username" }),
  name: Type.String(),
  colorCode: Type.String({ description: 'A colour for the login\'s avatar, derived from its id' }),
  registeredAt: Type.String(),
  authMethod: Type.Enum(['basic', 'email', 'otp'] as const),
  locale: Type.String({ description: "The locale of the user's organisation (`en` when it has none)" }),
})

/** Maps a user (and its organisation's locale) to seed 003's `Login`. */
export function loginToWire(u: User, orgLocale: string): Static<typeof LoginWire> {
  const name = `${u.firstName} ${u.lastName}`.trim() || u.username
  const locale = orgLocale.replace(/_/g, '-')
  return {
    id: u.id,
    email: u.email || u.username,
    name,
    colorCode: `#${createHash('sha256').update(u.id).digest('hex').slice(0, 6)}`,
    registeredAt: u.createdAt,
    authMethod: 'basic',
    locale: /^[a-z]{2}(-[A-Z][A-Za-z]{1,3})?$/.test(locale) ? locale : 'en',
  }
}
