/** Plans, the servers they place on, and subscriptions with the resources they draw. */
import type { BandwidthRule } from './bandwidth.js'

/** A resource of a plan or subscription: `total` absent is unlimited. */
export interface PlanResource {
  name: string
  total?: number
}

/** Servers chosen by role; every field optional. */
export interface DedicatedServers {
  appServerId?: string
  backupServerId?: string
  dbServerId?: string
  emailServerId?: string
  postgresqlServerId?: string
}

/** The roles a server may have, each the role of one field of DedicatedServers (`app` → `appServerId`). */
export const SERVER_ROLES = ['app', 'backup', 'db', 'email', 'postgresql'] as const
export type ServerRole = (typeof SERVER_ROLES)[number]

/** A server as a plan or subscription names it (Enhance's `SubscriptionDedicatedServer`). */
export interface ServerRef {
  id: string
  name: string
  ip: string
}

/** A server group as a subscription names it (Enhance's `ServerGroup`). */
export interface ServerGroupRef {
  id: string
  name: string
  serverCount: number
  createdAt: string
}

/** The servers of a placement's `dedicatedServers`, by role. */
export type ServerRefs = Partial<Record<ServerRole, ServerRef>>

/** Where a plan's or subscription's resources go: a server group, or servers by role, or neither. */
export interface Placement {
  serverGroupId?: string
  dedicatedServers?: DedicatedServers
}

/**
 * What a plan sells: `reseller` when its resources include `customers` (its subscribers may
 * have customers and sell in turn), `hosting` otherwise. Clientele's own axis, derived.
 */
export type PlanKind = 'hosting' | 'reseller'

/** Enhance's plan type: websites on shared servers, or on servers of the subscription's own. */
export const HOSTING_PLAN_TYPES = ['shared', 'dedicated'] as const
export type HostingPlanType = (typeof HOSTING_PLAN_TYPES)[number]

/** Enhance's PHP versions (its `PhpVersion` enum), oldest first. */
export const PHP_VERSIONS = ['php52', 'php53', 'php54', 'php55', 'php56', 'php70', 'php71', 'php72', 'php73', 'php74', 'php80', 'php81', 'php82', 'php83', 'php84', 'php85'] as const
export type PhpVersion = (typeof PHP_VERSIONS)[number]

/** Enhance's installable applications (`WebsiteAppKind`). */
export const WEBSITE_APP_KINDS = ['wordpress', 'joomla', 'openclaw'] as const
export type WebsiteAppKind = (typeof WEBSITE_APP_KINDS)[number]

/** Per-website limits of the Linux control groups a hosting platform runs websites in; null is no limit. */
export interface CgroupLimits {
  nproc: number | null
  memoryLimit: number | null
  iops: number | null
  ioBandwidth: number | null
  virtualCpus: number | null
  swapLimit?: number | null
}

/** A file-system quota: bytes (and inodes) a subscription's websites may take in all. */
export interface FsQuotaLimit {
  totalAvailable: number
  inodesAvailable?: number
}

/**
 * What a hosting platform is told a plan gives, beside its counted resources (seed 003's
 * `NewPlan`): Clientele stores, validates and answers these, copies them into each
 * subscription when it is made (or its plan is set again), and hands them with the
 * subscription to the plan's provisioning service, whose driver enforces them. Clientele
 * itself enforces the PHP versions' consistency and the server-group choice.
 */
export interface PlanHosting {
  planType: HostingPlanType
  /** Features the plan allows, by name (`ssh`, `cron`, …: names the hosting platform knows). */
  allowances: { name: string }[]
  /** Choices the plan makes, by name (`phpHandler: fpm`, …). */
  selections: { name: string; value: string }[]
  cgroupLimits?: CgroupLimits
  fsQuotaLimit?: FsQuotaLimit
  /** Never empty; ordered oldest first. */
  allowedPhpVersions: PhpVersion[]
  /** One of `allowedPhpVersions`. */
  defaultPhpVersion: PhpVersion
  redisAllowed: boolean
  /** Server groups a subscription's websites may be placed in; empty: any. */
  serverGroupIds: string[]
  /** Whether whoever sells the plan may choose one of `serverGroupIds` for a subscription. */
  allowServerGroupSelection: boolean
  preinstallWordpressTheme?: string
  persistentAppsAllowed: boolean
  /** Applications a subscription may install; absent: every one. */
  allowedApps?: WebsiteAppKind[]
  /** How a subscriber's bandwidth is billed (core/bandwidth.ts); absent: the default, `p95`. */
  bandwidthBillingRule?: BandwidthRule
}

/** A plan as the core sees it. */
export interface Plan extends Placement {
  id: number
  orgId: string
  name: string
  kind: PlanKind
  resources: PlanResource[]
  hosting: PlanHosting
  /** The catalogue service whose driver provisions the plan's subscriptions, if any. */
  provisioningService?: string
  /** The servers `dedicatedServers` names, when read for an answer (getPlan, listPlans). */
  servers?: ServerRefs
  subscriptionsCount: number
  createdAt: string
  updatedAt: string
  version: number
}

/** A server as the core sees it. */
export interface Server {
  id: string
  name: string
  /** The address it is reached at (IPv4 or IPv6), '' when not given. */
  ip: string
  serverGroupId?: string
  roles: string[]
  createdAt: string
  updatedAt: string
  version: number
}

/** A server group as the core sees it. */
export interface ServerGroup {
  id: string
  name: string
  serverIds: string[]
  createdAt: string
  updatedAt: string
  version: number
}

/** The statuses of a subscription; `deleted` is final (a soft delete). */
export const SUBSCRIPTION_STATUSES = ['active', 'cancelled', 'deleted'] as const

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number]

/** A resource of a subscription: `total` absent is unlimited. */
export interface UsedResource {
  name: string
  total?: number
  usage: number
}

/** A subscription as the core sees it. */
export interface Subscription extends Placement {
  id: number
  planId: number
  planName: string
  kind: PlanKind
  /** The plan's hosting settings as they were when it subscribed (or last had its plan set). */
  hosting: PlanHosting
  subscriberId: string
  vendorId: string
  status: SubscriptionStatus
  isSuspended: boolean
  suspendedBy?: string
  friendlyName: string
  resources: UsedResource[]
  /** Where its websites go: its own servers, its plan's, or the placement rule. */
  placement: 'subscription' | 'plan' | 'automatic'
  /** The servers its effective `dedicatedServers` names. */
  servers: ServerRefs
  /** The server groups its websites may go to: its effective `serverGroupId`, else its plan's `serverGroupIds`. */
  serverGroups: ServerGroupRef[]
  /** Where its provisioning stands (core/provisioning.ts), `NotProvisioned` when its plan names no provisioning service. */
  provisioningStatus: string
  /** The request that last changed its provisioning, when any did. */
  provisioningRequestId?: number
  createdAt: string
  updatedAt: string
  version: number
}

/** The newest of `versions` (by the enum's order). */
export function newestPhp(versions: readonly PhpVersion[]): PhpVersion {
  let best = versions[0]!
  for (const v of versions) if (PHP_VERSIONS.indexOf(v) > PHP_VERSIONS.indexOf(best)) best = v
  return best
}

/**
 * The hosting settings a plan has when none are given: shared, every PHP version allowed with
 * the newest as default, no allowances or selections, no redis, no server-group choice.
 */
export function defaultHosting(): PlanHosting {
  return {
    planType: 'shared',
    allowances: [],
    selections: [],
    allowedPhpVersions: [...PHP_VERSIONS],
    defaultPhpVersion: newestPhp(PHP_VERSIONS),
    redisAllowed: false,
    serverGroupIds: [],
    allowServerGroupSelection: false,
    persistentAppsAllowed: false,
  }
}

/** Reads stored hosting settings (a JSON object the operations validated), the defaults filling what it lacks. */
export function hostingFromJson(text: string): PlanHosting {
  const stored = JSON.parse(text) as Partial<PlanHosting>
  return Object.assign(defaultHosting(), stored)
}
