/**
 * A plan's hosting settings (seed 003's `NewPlan` / `UpdatePlan` beside the resources): their
 * input shapes, and the one function that checks a change and answers the settings it leaves,
 * with the plan's default server group.
 *
 * Clientele checks what it can know: names bounded and given once, PHP versions from
 * Enhance's list with the default among the allowed, server groups that exist with the default
 * among those offered. What the settings mean on a web server (cgroup and file-system limits,
 * redis, apps, a WordPress theme, allowances and selections) is for the hosting platform's
 * provisioning driver, which is handed them with each subscription.
 */
import { Type, type Static } from 'typebox'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { HOSTING_PLAN_TYPES, PHP_VERSIONS, WEBSITE_APP_KINDS, newestPhp, type PhpVersion, type PlanHosting } from '../../core/plans.js'
import { serverGroupExists } from '../../store/plans.repo.js'
import { findServiceByName } from '../../store/catalog.repo.js'
import { MAX_AMOUNT } from './schema.js'
import { BANDWIDTH_RULES } from '../../core/bandwidth.js'

const STRICT = { additionalProperties: false } as const
const Id = Type.String({ maxLength: 64 })
/** A name of an allowance or selection: 1–100 characters, no spaces at either end. */
const FeatureName = Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(.*\\S)?$' })
const Limit = Type.Union([Type.Number({ minimum: 0, maximum: MAX_AMOUNT }), Type.Null()])
/** Enhance's `Unset`: `{"unset": true}` clears an optional setting. */
export const Unset = Type.Object({ unset: Type.Boolean() }, STRICT)

export const AllowanceInput = Type.Object({ name: FeatureName }, STRICT)
export const SelectionInput = Type.Object({ name: FeatureName, value: Type.String({ maxLength: 1000 }) }, STRICT)
export const AllowancesInput = Type.Array(AllowanceInput, { maxItems: 200 })
export const SelectionsInput = Type.Array(SelectionInput, { maxItems: 200 })
const PhpVersionInput = Type.Enum(PHP_VERSIONS)
const AppsInput = Type.Array(Type.Enum(WEBSITE_APP_KINDS), { maxItems: WEBSITE_APP_KINDS.length, uniqueItems: true })
const CgroupLimitsInput = Type.Object(
  { nproc: Limit, memoryLimit: Limit, iops: Limit, ioBandwidth: Limit, virtualCpus: Limit, swapLimit: Type.Optional(Limit) },
  { ...STRICT, description: 'Per-website limits (null: none), for the hosting platform to enforce' },
)
const FsQuotaLimitInput = Type.Object(
  { totalAvailable: Type.Number({ minimum: 0, maximum: MAX_AMOUNT }), inodesAvailable: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_AMOUNT })) },
  { ...STRICT, description: 'A file-system quota, for the hosting platform to enforce' },
)
const ServiceName = Type.String({ minLength: 1, maxLength: 100 })

/** The hosting fields a new plan may give (seed 003's NewPlan, and Clientele's `provisioningService`). */
export const NewHostingFields = {
  planType: Type.Optional(Type.Enum(HOSTING_PLAN_TYPES, { description: 'shared (default) or dedicated' })),
  allowances: Type.Optional(AllowancesInput),
  selections: Type.Optional(SelectionsInput),
  cgroupLimits: Type.Optional(CgroupLimitsInput),
  fsQuotaLimit: Type.Optional(FsQuotaLimitInput),
  allowedPhpVersions: Type.Optional(Type.Array(PhpVersionInput, { minItems: 1, maxItems: PHP_VERSIONS.length, uniqueItems: true })),
  defaultPhpVersion: Type.Optional(PhpVersionInput),
  redisAllowed: Type.Optional(Type.Boolean()),
  serverGroupIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })),
  allowServerGroupSelection: Type.Optional(Type.Boolean()),
  defaultServerGroupId: Type.Optional(Id),
  preinstallWordpressTheme: Type.Optional(Type.String({ maxLength: 200 })),
  persistentAppsAllowed: Type.Optional(Type.Boolean()),
  allowedApps: Type.Optional(AppsInput),
  provisioningService: Type.Optional(ServiceName),
  bandwidthBillingRule: Type.Optional(Type.Enum(BANDWIDTH_RULES, { description: "How subscribers' bandwidth is billed: p95 (default), max, average or total (bytes)" })),
}

/** The hosting fields a plan's change may give (seed 003's UpdatePlan; `null` or `{unset: true}` clears). */
export const UpdateHostingFields = {
  ...NewHostingFields,
  cgroupLimits: Type.Optional(Type.Union([CgroupLimitsInput, Type.Null()])),
  fsQuotaLimit: Type.Optional(Type.Union([FsQuotaLimitInput, Type.Null()])),
  defaultServerGroupId: Type.Optional(Type.Union([Id, Unset, Type.Null()])),
  preinstallWordpressTheme: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Unset])),
  allowedApps: Type.Optional(Type.Union([AppsInput, Unset])),
  provisioningService: Type.Optional(Type.Union([ServiceName, Type.Null()])),
  bandwidthBillingRule: Type.Optional(Type.Union([Type.Enum(BANDWIDTH_RULES), Type.Null()], { description: 'null: back to the default (p95)' })),
}

const UpdateHosting = Type.Object(UpdateHostingFields)
export type HostingChange = Static<typeof UpdateHosting> & {
  /** The deprecated single group of NewPlan, or Clientele's own `serverGroupId` (`null` clears). */
  serverGroupId?: string | null
}

const isUnset = (v: unknown): v is { unset: boolean } => typeof v === 'object' && v !== null && 'unset' in v

/** The most allowances, and the most selections, a plan has. */
export const MAX_FEATURES = 200

/** Throws `invalid_argument` when two entries share a name, or there are more than MAX_FEATURES. */
function requireDistinct(items: readonly { name: string }[], field: string): void {
  if (items.length > MAX_FEATURES) throw new DomainError('invalid_argument', `a plan has at most ${MAX_FEATURES} ${field}`, { field })
  const seen = new Set<string>()
  for (const { name } of items) {
    if (seen.has(name)) throw new DomainError('invalid_argument', `${field} names ${JSON.stringify(name)} twice`, { field })
    seen.add(name)
  }
}

/**
 * Applies a change to a plan's hosting settings and default server group, and answers what
 * they become, checked: allowances and selections each named once; `defaultPhpVersion` among
 * `allowedPhpVersions` (when only the allowed versions change and the default is no longer
 * among them, the default becomes the newest allowed); server groups that exist, the default
 * among `serverGroupIds` when those are given; a provisioning service of the catalogue.
 */
export async function applyHosting(
  db: Db,
  current: { hosting: PlanHosting; defaultServerGroupId: string | null; provisioningService: string | null },
  change: HostingChange,
): Promise<{ hosting: PlanHosting; defaultServerGroupId: string | null; provisioningService: string | null }> {
  const h: PlanHosting = { ...current.hosting }
  if (change.planType !== undefined) h.planType = change.planType
  if (change.allowances !== undefined) {
    requireDistinct(change.allowances, 'allowances')
    h.allowances = change.allowances.map((a) => ({ name: a.name }))
  }
  if (change.selections !== undefined) {
    requireDistinct(change.selections, 'selections')
    h.selections = change.selections.map((s) => ({ name: s.name, value: s.value }))
  }
  if (change.cgroupLimits !== undefined) {
    if (change.cgroupLimits === null) delete h.cgroupLimits
    else h.cgroupLimits = { ...change.cgroupLimits }
  }
  if (change.fsQuotaLimit !== undefined) {
    if (change.fsQuotaLimit === null) delete h.fsQuotaLimit
    else h.fsQuotaLimit = { ...change.fsQuotaLimit }
  }
  if (change.allowedPhpVersions !== undefined) {
    h.allowedPhpVersions = PHP_VERSIONS.filter((v) => change.allowedPhpVersions!.includes(v))
    if (change.defaultPhpVersion === undefined && !h.allowedPhpVersions.includes(h.defaultPhpVersion)) h.defaultPhpVersion = newestPhp(h.allowedPhpVersions)
  }
  if (change.defaultPhpVersion !== undefined) h.defaultPhpVersion = change.defaultPhpVersion
  if (!h.allowedPhpVersions.includes(h.defaultPhpVersion as PhpVersion)) {
    throw new DomainError('invalid_argument', `defaultPhpVersion ${h.defaultPhpVersion} is not among allowedPhpVersions (${h.allowedPhpVersions.join(', ')})`, { field: 'defaultPhpVersion' })
  }
  if (change.redisAllowed !== undefined) h.redisAllowed = change.redisAllowed
  if (change.allowServerGroupSelection !== undefined) h.allowServerGroupSelection = change.allowServerGroupSelection
  if (change.persistentAppsAllowed !== undefined) h.persistentAppsAllowed = change.persistentAppsAllowed
  if (change.preinstallWordpressTheme !== undefined) {
    if (isUnset(change.preinstallWordpressTheme) || change.preinstallWordpressTheme === '') delete h.preinstallWordpressTheme
    else h.preinstallWordpressTheme = change.preinstallWordpressTheme
  }
  if (change.allowedApps !== undefined) {
    if (isUnset(change.allowedApps)) delete h.allowedApps
    else h.allowedApps = WEBSITE_APP_KINDS.filter((a) => (change.allowedApps as string[]).includes(a))
  }
  if (change.bandwidthBillingRule !== undefined) {
    if (change.bandwidthBillingRule === null) delete h.bandwidthBillingRule
    else h.bandwidthBillingRule = change.bandwidthBillingRule
  }

  // The default server group: defaultServerGroupId, or the deprecated serverGroupId; both given must agree.
  let group = current.defaultServerGroupId
  const byDefault = change.defaultServerGroupId
  const byOld = change.serverGroupId
  if (typeof byDefault === 'string' && typeof byOld === 'string' && byDefault !== byOld) {
    throw new DomainError('invalid_argument', 'serverGroupId (deprecated) and defaultServerGroupId name different groups', { field: 'defaultServerGroupId' })
  }
  if (byDefault !== undefined) group = typeof byDefault === 'string' ? byDefault : null
  else if (byOld !== undefined) group = byOld
  if (change.serverGroupIds !== undefined) h.serverGroupIds = [...change.serverGroupIds]
  for (const id of h.serverGroupIds) {
    if (change.serverGroupIds !== undefined && !(await serverGroupExists(db, id))) throw new DomainError('invalid_argument', `no server group ${id}`, { field: 'serverGroupIds' })
  }
  if (group !== null && h.serverGroupIds.length > 0 && !h.serverGroupIds.includes(group)) {
    throw new DomainError('invalid_argument', `the default server group ${group} is not among serverGroupIds`, { field: 'defaultServerGroupId' })
  }

  let service = current.provisioningService
  if (change.provisioningService !== undefined) {
    service = change.provisioningService
    if (service !== null) {
      const row = await findServiceByName(db, service)
      if (!row) throw new DomainError('invalid_argument', `no catalogue service ${JSON.stringify(service)}`, { field: 'provisioningService' })
      service = row.name
    }
  }
  return { hosting: h, defaultServerGroupId: group, provisioningService: service }
}
