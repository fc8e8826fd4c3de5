/**
 * Wire shapes of the `/orgs` face (seed 003, camelCase) and their mapping from core objects.
 * The same TypeBox schemas validate requests, serialise answers and make the OpenAPI document.
 */
import { createHash } from 'node:crypto'
import { Type, type Static } from 'typebox'
import { enhanceOrgStatus, ENHANCE_ORG_STATUSES, isSuspendedStatus, ORG_STATUSES } from '../../core/status.js'
import { enhanceRoles, ENHANCE_ROLES, ROLES, type Role } from '../../core/roles.js'
import { loginLocale } from '../../core/users.js'
import type { Organization } from '../../core/org.js'
import type { User } from '../../core/users.js'
import type { Group } from '../../core/users.js'
import type { ApiKey, ApiKeyAcl } from '../../core/users.js'

const lit = <const T extends readonly string[]>(xs: T) => Type.Enum(xs)

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID' })

/** The path an avatar is served at (`GET /avatars/{sha256}`, login-extras.routes.ts). */
export function avatarPath(sha256: string): string {
  return `/avatars/${sha256}`
}
const AvatarPath = Type.String({ description: 'Where its avatar picture is served (`GET /avatars/{sha256}`); absent when it has none' })
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
    provisioningStatus: Type.Enum(['NotProvisioned', 'Requested', 'InProgress', 'Provisioned', 'Failed', 'Pending'] as const, {
      description: "The customer's provisioning status (seed 004's customer `<status>`; POST /orgs/{org_id}/provisioning changes it)",
    }),
    passwordNeverExpiresAllowed: Type.Boolean({ description: "Whether its users' passwords may be set never to expire" }),
    slackNotificationWebhookUrlSet: Type.Boolean({
      description: 'Whether a Slack webhook URL is set (`slackNotificationWebhookUrl` on PATCH); the URL is a credential, sealed at rest and never answered',
    }),
    ownerAvatarPath: Type.Optional(
      Type.String({ description: "Where the organisation's avatar (setOrgAvatar) is served (`GET /avatars/{sha256}`); absent when it has none" }),
    ),
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
    provisioningStatus: o.provisioningStatus,
    passwordNeverExpiresAllowed: o.passwordNeverExpiresAllowed,
    slackNotificationWebhookUrlSet: o.slackWebhookSet,
    ...(o.avatarHash !== null ? { ownerAvatarPath: avatarPath(o.avatarHash) } : {}),
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

/** Seed 003's `authMethod`: `basic` (a password) or `email` (a password, then a mailed PIN); never `otp`. */
const AuthMethod = lit(['basic', 'email', 'otp'] as const)

export const MemberWire = Type.Object(
  {
    id: Uuid,
    loginId: Type.String({ format: 'uuid', description: 'The login of the member: the same user (a Clientele user is one login with one membership)' }),
    orgId: Uuid,
    username: Type.String(),
    email: Type.String({ description: "The user's e-mail address; a user without one answers a placeholder under `.invalid` (see `hasEmail`)" }),
    hasEmail: Type.Boolean({ description: 'False when the user has no e-mail address and `email` is a placeholder' }),
    firstName: Type.String(),
    lastName: Type.String(),
    name: Type.String(),
    role: lit(ROLES),
    roles: Type.Array(lit(ENHANCE_ROLES), { description: "The role in seed 003's words" }),
    siteAccesses: Type.Array(Type.String(), { description: 'Always empty: Clientele serves no websites yet' }),
    notifications: Type.Array(Type.String(), { description: 'Always empty: Clientele sends no notifications yet' }),
    enabled: Type.Boolean(),
    isActive: Type.Boolean(),
    colorCode: Type.String({ description: "A colour for the member's avatar, derived from its id" }),
    avatarPath: Type.Optional(AvatarPath),
    authMethod: AuthMethod,
    managerUserId: Type.Union([Uuid, Type.Null()], { description: "The user's manager (Workflow Managers approvals go up this chain); null: none" }),
    approvalPending: Type.Boolean({ description: "True while the user's creation or deletion waits for approval (a user so created is disabled until accepted)" }),
    changePasswordAtNextLogon: Type.Boolean({ description: "The user must change its password (seed 004's changeatnextlogon); cleared when it does" }),
    passwordExpiresAt: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'The day (UTC) from which its password is refused; null: never' }),
    accountExpiresAt: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'The day (UTC) from which it cannot authenticate; null: never' }),
    createdAt: Type.String({ format: 'date-time' }),
    joinedAt: Type.String({ format: 'date', description: 'The day the user was created (YYYY-MM-DD); `createdAt` has the instant' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  {},
)

/** The shape ajv's `email` format takes (and seed 003's clients expect). */
const EMAIL_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i

/**
 * The e-mail address a user answers: its own; failing that its username when that is an
 * address; failing that a placeholder `<username>@no-email.invalid` (`.invalid` is reserved,
 * RFC 6761: nothing is ever delivered there), since seed 003's `Member` and `Login` require one.
 */
export function answeredEmail(u: Pick<User, 'email' | 'username'>): string {
  if (u.email !== '') return u.email
  if (EMAIL_RE.test(u.username)) return u.username
  const local = u.username.replace(/@/g, '.').replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '')
  return `${local}@no-email.invalid`
}

/** A colour for a user's avatar, derived from its id. */
function colorCode(id: string): string {
  return `#${createHash('sha256').update(id).digest('hex').slice(0, 6)}`
}

/** Maps a User to the member shape: seed 003's `Member` with Clientele's fields beside it. */
export function userToWire(u: User): Static<typeof MemberWire> {
  return {
    id: u.id,
    loginId: u.id,
    orgId: u.orgId,
    username: u.username,
    email: answeredEmail(u),
    hasEmail: u.email !== '',
    firstName: u.firstName,
    lastName: u.lastName,
    name: [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username,
    role: u.role,
    roles: enhanceRoles(u.role),
    siteAccesses: [],
    notifications: [],
    enabled: u.enabled,
    isActive: u.enabled,
    colorCode: colorCode(u.id),
    ...(u.avatarHash !== null ? { avatarPath: avatarPath(u.avatarHash) } : {}),
    authMethod: u.authMethod,
    managerUserId: u.managerUserId,
    approvalPending: u.approvalPending,
    changePasswordAtNextLogon: u.changePasswordAtNextLogon,
    passwordExpiresAt: u.passwordExpiresAt,
    accountExpiresAt: u.accountExpiresAt,
    createdAt: u.createdAt,
    joinedAt: u.createdAt.slice(0, 10),
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
    role: Type.Union([lit(ROLES), Type.Null()], { description: "The role the key acts with at most; null: its user's" }),
  },
  {},
)
export function keyToWire(k: ApiKey): Static<typeof ApiKeyWire> {
  return { id: k.id, name: k.name, type: k.type, userId: k.userId, orgId: k.orgId, prefix: k.prefix, createdAt: k.createdAt, expiresAt: k.expiresAt, aclCount: k.aclCount, role: k.role }
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
  id: Uuid,
  email: Type.String({ description: "The user's e-mail address; a user without one answers its username when that is an address, else a placeholder under `.invalid`" }),
  name: Type.String(),
  colorCode: Type.String({ description: "A colour for the login's avatar, derived from its id" }),
  avatarPath: Type.Optional(AvatarPath),
  registeredAt: Type.String(),
  authMethod: AuthMethod,
  locale: Type.String({ description: "The locale of the user's organisation (`en` when it has none)" }),
  orgId: Type.Optional(Uuid),
  username: Type.Optional(Type.String()),
})

/** Maps a user (and its organisation's locale) to seed 003's `Login`, with Clientele's `orgId` and `username`. */
export function loginToWire(u: User, orgLocale: string): Static<typeof LoginWire> {
  return {
    id: u.id,
    email: answeredEmail(u),
    name: `${u.firstName} ${u.lastName}`.trim() || u.username,
    colorCode: colorCode(u.id),
    ...(u.avatarHash !== null ? { avatarPath: avatarPath(u.avatarHash) } : {}),
    registeredAt: u.createdAt,
    authMethod: u.authMethod,
    locale: loginLocale(orgLocale),
    orgId: u.orgId,
    username: u.username,
  }
}

export const LoginsListing = Type.Object({ items: Type.Array(LoginWire), total: Type.Integer() })

/**
 * Seed 003's access-token ids are UUIDs; a Clientele key id is 16 hex digits (it is part of
 * the token). The UUID a key answers is its id behind a fixed zero prefix, so either reads back.
 */
const TOKEN_UUID_PREFIX = '00000000-0000-0000-'

/** The UUID seed 003's face answers for API key `keyId`. */
export function tokenUuid(keyId: string): string {
  return `${TOKEN_UUID_PREFIX}${keyId.slice(0, 4)}-${keyId.slice(4)}`
}

/** The key id behind a token UUID, or undefined when it is not one this face answers. */
export function keyIdOfTokenUuid(uuid: string): string | undefined {
  const u = uuid.toLowerCase()
  if (!u.startsWith(TOKEN_UUID_PREFIX)) return undefined
  const rest = u.slice(TOKEN_UUID_PREFIX.length).replace('-', '')
  return /^[0-9a-f]{16}$/.test(rest) && u.length === 36 ? rest : undefined
}

export const AccessTokenWire = Type.Object({
  id: Uuid,
  firstFive: Type.String({ description: 'The first five characters of the token' }),
  roles: Type.Array(lit(ENHANCE_ROLES), { description: 'The role the token acts with now (empty: readonly)' }),
  tokenExpires: Type.Optional(Type.String({ format: 'date-time' })),
  friendlyName: Type.String(),
  allowedIps: Type.Array(Type.String()),
  ipRestricted: Type.Boolean(),
  keyId: Type.String({ description: "The key's id on `/api-keys`" }),
  role: lit(ROLES),
  userId: Uuid,
  createdAt: Type.String({ format: 'date-time' }),
})

/** Maps a key (with its ACLs and acting role) to seed 003's `OrgAccessToken`, with Clientele's fields beside it. */
export function tokenToWire(k: ApiKey & { actsAs: Role; acls: { address: string; mask: number }[] }, allowedIps: string[]): Static<typeof AccessTokenWire> {
  return {
    id: tokenUuid(k.id),
    firstFive: k.prefix.slice(0, 5),
    roles: enhanceRoles(k.actsAs),
    ...(k.expiresAt ? { tokenExpires: k.expiresAt } : {}),
    friendlyName: k.name,
    allowedIps,
    ipRestricted: k.acls.length > 0,
    keyId: k.id,
    role: k.actsAs,
    userId: k.userId,
    createdAt: k.createdAt,
  }
}
