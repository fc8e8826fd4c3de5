/**
 * The lifecycle status of an organisation: one list in the core, mapped to each seed's words.
 *
 * | core        | seed 003 `status` | seed 003 `isSuspended` | seed 003 filter | seed 000 (XML-RPC) | meaning                          |
 * |-------------|-------------------|------------------------|-----------------|--------------------|----------------------------------|
 * | active      | active            | false                  | active          | ACTIVE             | in service                       |
 * | configured  | active            | false                  | active          | CONFIGURED         | set up, not yet taken into service |
 * | suspended   | active            | true                   | suspended       | DISABLED           | stopped by its parent (e.g. unpaid) |
 * | disabled    | active            | true                   | suspended       | DISABLED           | switched off (administratively)  |
 * | deleted     | deleted           | false                  | deleted         | DISABLED           | soft-deleted; kept for history   |
 *
 * Enhance's document gives an organisation's `status` two words (`active`, `deleted`) and tells a
 * suspension by `isSuspended`; its listing filter takes a third, `suspended`.
 */
export const ORG_STATUSES = ['active', 'configured', 'suspended', 'disabled', 'deleted'] as const
export type OrgStatus = (typeof ORG_STATUSES)[number]

/**
 * True for the statuses in which an organisation is live: in service or set up for it. Its
 * members may be handed a one-time login link only then (not when suspended, disabled or
 * deleted).
 */
export function isLiveStatus(s: OrgStatus): boolean {
  return s === 'active' || s === 'configured'
}

/** Seed 003's status filter words (a listing's `status`). */
export const ENHANCE_STATUSES = ['active', 'suspended', 'deleted'] as const
export type EnhanceStatus = (typeof ENHANCE_STATUSES)[number]

const toEnhance: Record<OrgStatus, EnhanceStatus> = {
  active: 'active',
  configured: 'active',
  suspended: 'suspended',
  disabled: 'suspended',
  deleted: 'deleted',
}

/** Maps a core status to seed 003's filter word. */
export function enhanceStatus(s: OrgStatus): EnhanceStatus {
  return toEnhance[s]
}

/** Seed 003's `Status` of an organisation (its document's enum). */
export const ENHANCE_ORG_STATUSES = ['active', 'deleted'] as const
export type EnhanceOrgStatus = (typeof ENHANCE_ORG_STATUSES)[number]

/** Maps a core status to seed 003's `Status`; a suspension is told by `isSuspended` (see `isSuspendedStatus`). */
export function enhanceOrgStatus(s: OrgStatus): EnhanceOrgStatus {
  return s === 'deleted' ? 'deleted' : 'active'
}

/** True for the statuses seed 003 shows as `isSuspended`: suspended by an ancestor, or switched off. */
export function isSuspendedStatus(s: OrgStatus): boolean {
  return s === 'suspended' || s === 'disabled'
}

/** The core statuses that seed 003's word covers (for filters). */
export function coreStatusesFor(s: EnhanceStatus): OrgStatus[] {
  return ORG_STATUSES.filter((c) => toEnhance[c] === s)
}

/** Seed 000's status words, in its order. */
export const CLOUDAPI_STATUSES = ['ACTIVE', 'CONFIGURED', 'DISABLED'] as const
export type CloudApiStatus = (typeof CLOUDAPI_STATUSES)[number]

const toCloudApi: Record<OrgStatus, CloudApiStatus> = {
  active: 'ACTIVE',
  configured: 'CONFIGURED',
  suspended: 'DISABLED',
  disabled: 'DISABLED',
  deleted: 'DISABLED',
}

/** Maps a core status to seed 000's word. */
export function cloudApiStatus(s: OrgStatus): CloudApiStatus {
  return toCloudApi[s]
}

/** True for statuses that count as a live organisation (everything but deleted). */
export function isLive(s: OrgStatus): boolean {
  return s !== 'deleted'
}
