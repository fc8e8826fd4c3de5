/**
 * Plans and subscriptions on the `/orgs` face, in the shapes of Enhance's published document
 * (`Plan`, `Subscription`), with Clientele's own fields under names the document does not use:
 *
 * | document                          | Clientele's extra beside it                                  |
 * |-----------------------------------|--------------------------------------------------------------|
 * | `planType`: shared \| dedicated   | `planKind`: hosting \| reseller (a plan with `customers`)    |
 * | `status`: active \| deleted       | `lifecycleStatus`: active \| cancelled \| deleted, `isSuspended` |
 * | `dedicatedServers`: `{appServer: {name, id, ip}, …}` | `dedicatedServerIds`: `{appServerId, …}` (what requests give) |
 * | `serverGroupId` (deprecated), `serverGroupIds` | `defaultServerGroupId`, `serverGroupId` on a subscription |
 */
import { Type, type Static } from 'typebox'
import { HOSTING_PLAN_TYPES, PHP_VERSIONS, SERVER_ROLES, WEBSITE_APP_KINDS, type PlanHosting, type Plan, type ServerRefs, type Subscription, type DedicatedServers } from '../../core/plans.js'
import { PROVISIONING_STATUSES } from '../../core/provisioning.js'
import { BANDWIDTH_RULES } from '../../core/bandwidth.js'

const Uuid = Type.String({ format: 'uuid' })
const Num = Type.Union([Type.Number(), Type.Null()])

const ServerRefWire = Type.Object({ name: Type.String(), id: Type.String(), ip: Type.String({ description: "The server's address, '' when not recorded" }) })
/** Enhance's `SubscriptionDedicatedServersInfo`: the servers by role. */
export const DedicatedServersInfoWire = Type.Object(
  Object.fromEntries(SERVER_ROLES.map((r) => [`${r}Server`, Type.Optional(ServerRefWire)])) as Record<`${(typeof SERVER_ROLES)[number]}Server`, ReturnType<typeof Type.Optional<typeof ServerRefWire>>>,
  { description: 'The servers by role, each as {name, id, ip}' },
)
/** Enhance's `SubscriptionDedicatedServers`: server ids by role, as requests give them. */
export const DedicatedServerIdsWire = Type.Object(
  {
    appServerId: Type.Optional(Type.String()),
    backupServerId: Type.Optional(Type.String()),
    dbServerId: Type.Optional(Type.String()),
    emailServerId: Type.Optional(Type.String()),
    postgresqlServerId: Type.Optional(Type.String()),
  },
  { description: 'Server ids by role' },
)

/** The hosting settings, as both Plan and Subscription answer them. */
const HostingWire = {
  planType: Type.Enum(HOSTING_PLAN_TYPES),
  allowances: Type.Array(Type.Object({ name: Type.String() })),
  selections: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
  cgroupLimits: Type.Optional(Type.Object({ nproc: Num, memoryLimit: Num, iops: Num, ioBandwidth: Num, virtualCpus: Num, swapLimit: Type.Optional(Num) })),
  fsQuotaLimit: Type.Optional(Type.Object({ totalAvailable: Type.Number(), inodesAvailable: Type.Optional(Type.Number()) })),
  allowedPhpVersions: Type.Array(Type.Enum(PHP_VERSIONS)),
  defaultPhpVersion: Type.Enum(PHP_VERSIONS),
  redisAllowed: Type.Boolean(),
  serverGroupIds: Type.Array(Type.String()),
  allowServerGroupSelection: Type.Boolean(),
  preinstallWordpressTheme: Type.Optional(Type.String()),
  persistentAppsAllowed: Type.Boolean(),
  allowedApps: Type.Optional(Type.Array(Type.Enum(WEBSITE_APP_KINDS))),
  bandwidthBillingRule: Type.Optional(Type.Enum(BANDWIDTH_RULES, { description: "Clientele's: how subscribers' bandwidth is billed; absent: p95" })),
}

function hostingToWire(h: PlanHosting) {
  return {
    planType: h.planType,
    allowances: h.allowances,
    selections: h.selections,
    ...(h.cgroupLimits ? { cgroupLimits: h.cgroupLimits } : {}),
    ...(h.fsQuotaLimit ? { fsQuotaLimit: h.fsQuotaLimit } : {}),
    allowedPhpVersions: h.allowedPhpVersions,
    defaultPhpVersion: h.defaultPhpVersion,
    redisAllowed: h.redisAllowed,
    serverGroupIds: h.serverGroupIds,
    allowServerGroupSelection: h.allowServerGroupSelection,
    ...(h.preinstallWordpressTheme !== undefined ? { preinstallWordpressTheme: h.preinstallWordpressTheme } : {}),
    persistentAppsAllowed: h.persistentAppsAllowed,
    ...(h.allowedApps ? { allowedApps: h.allowedApps } : {}),
    ...(h.bandwidthBillingRule ? { bandwidthBillingRule: h.bandwidthBillingRule } : {}),
  }
}

function serversToWire(ids: DedicatedServers | undefined, refs: ServerRefs | undefined) {
  const info = Object.fromEntries(Object.entries(refs ?? {}).map(([role, ref]) => [`${role}Server`, ref]))
  return {
    ...(Object.keys(info).length > 0 ? { dedicatedServers: info } : {}),
    ...(ids && Object.keys(ids).length > 0 ? { dedicatedServerIds: ids } : {}),
  }
}

export const PlanWire = Type.Object(
  {
    id: Type.Integer(),
    orgId: Uuid,
    name: Type.String(),
    planKind: Type.Enum(['hosting', 'reseller'] as const, { description: '`reseller` when its resources include `customers`' }),
    resources: Type.Array(Type.Object({ name: Type.String(), total: Type.Optional(Type.Integer({ description: 'Absent: unlimited' })) })),
    ...HostingWire,
    subscriptionsCount: Type.Integer({ description: 'Live (not deleted) subscriptions to the plan' }),
    serverGroupId: Type.Optional(Type.String({ description: 'Deprecated by Enhance: the default server group (as defaultServerGroupId)' })),
    defaultServerGroupId: Type.Optional(Type.String()),
    dedicatedServers: Type.Optional(DedicatedServersInfoWire),
    dedicatedServerIds: Type.Optional(DedicatedServerIdsWire),
    provisioningService: Type.Optional(Type.String({ description: 'The catalogue service whose driver is handed each subscription of the plan' })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'Plan' },
)

/** Maps a Plan to Enhance's `Plan` and Clientele's extras. */
export function planToWire(p: Plan): Static<typeof PlanWire> {
  return {
    id: p.id,
    orgId: p.orgId,
    name: p.name,
    planKind: p.kind,
    resources: p.resources,
    ...hostingToWire(p.hosting),
    subscriptionsCount: p.subscriptionsCount,
    ...(p.serverGroupId ? { serverGroupId: p.serverGroupId, defaultServerGroupId: p.serverGroupId } : {}),
    ...serversToWire(p.dedicatedServers, p.servers),
    ...(p.provisioningService !== undefined ? { provisioningService: p.provisioningService } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    version: p.version,
  }
}

export const SubscriptionWire = Type.Object(
  {
    id: Type.Integer(),
    planId: Type.Integer(),
    planName: Type.String(),
    planKind: Type.Enum(['hosting', 'reseller'] as const),
    subscriberId: Uuid,
    vendorId: Uuid,
    status: Type.Enum(['active', 'deleted'] as const, { description: "Enhance's Status: a cancelled subscription is `active` here, and `cancelled` in lifecycleStatus" }),
    lifecycleStatus: Type.Enum(['active', 'cancelled', 'deleted'] as const),
    isSuspended: Type.Boolean(),
    suspendedBy: Type.Optional(Type.String()),
    friendlyName: Type.String(),
    resources: Type.Array(
      Type.Object({
        name: Type.String(),
        total: Type.Optional(Type.Integer({ description: 'Absent: unlimited' })),
        usage: Type.Integer({ description: 'Used; on a reseller subscription, what the reseller has sold (customers: its live direct customers)' }),
      }),
    ),
    ...HostingWire,
    serverGroups: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), serverCount: Type.Integer(), createdAt: Type.String() })),
    serverGroupId: Type.Optional(Type.String({ description: 'The server group its websites go to (its own, or its plan’s default)' })),
    dedicatedServers: Type.Optional(DedicatedServersInfoWire),
    dedicatedServerIds: Type.Optional(DedicatedServerIdsWire),
    placement: Type.Enum(['subscription', 'plan', 'automatic'] as const, {
      description: "Where its websites go: its own servers (set by the master organisation), its plan's, or the placement rule",
    }),
    provisioningStatus: Type.Enum(PROVISIONING_STATUSES, { description: "How the hand-over to its plan's provisioning service stands" }),
    provisioningRequestId: Type.Optional(Type.Integer()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'Subscription' },
)

/** Maps a Subscription to Enhance's `Subscription` and Clientele's extras. */
export function subscriptionToWire(s: Subscription): Static<typeof SubscriptionWire> {
  return {
    id: s.id,
    planId: s.planId,
    planName: s.planName,
    planKind: s.kind,
    subscriberId: s.subscriberId,
    vendorId: s.vendorId,
    status: s.status === 'deleted' ? 'deleted' : 'active',
    lifecycleStatus: s.status,
    isSuspended: s.isSuspended,
    ...(s.suspendedBy ? { suspendedBy: s.suspendedBy } : {}),
    friendlyName: s.friendlyName,
    resources: s.resources,
    ...hostingToWire(s.hosting),
    serverGroups: s.serverGroups,
    ...(s.serverGroupId ? { serverGroupId: s.serverGroupId } : {}),
    ...serversToWire(s.dedicatedServers, s.servers),
    placement: s.placement,
    provisioningStatus: s.provisioningStatus as Static<typeof SubscriptionWire>['provisioningStatus'],
    ...(s.provisioningRequestId !== undefined ? { provisioningRequestId: s.provisioningRequestId } : {}),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  }
}
