/**
 * The lifecycle status of an organisation: one list in the core, mapped to each seed's words.
 *
 * | core        | seed 003 (`/orgs`) | seed 000 (XML-RPC) | meaning                                   |
 * |-------------|--------------------|--------------------|-------------------------------------------|
 * | active      | active             | ACTIVE             | in service                                |
 * | configured  | active             | CONFIGURED         | set up, not yet taken into service        |
 * | suspended   | suspended          | DISABLED           | stopped by its parent (e.g. unpaid)       |
 * | disabled    | suspended          | DISABLED           | switched off (administratively)           |
 * | deleted     | deleted            | DISABLED           | soft-deleted; kept for history            |
 */
export const ORG_STATUSES = ['active', 'configured', 'suspended', 'disabled', 'deleted'] as const
export type OrgStatus = (typeof ORG_STATUSES)[number]

/** Seed 003's three status words. */
export const ENHANCE_STATUSES = ['active', 'suspended', 'deleted'] as const
export type EnhanceStatus = (typeof ENHANCE_STATUSES)[number]

const toEnhance: Record<OrgStatus, EnhanceStatus> = {
  active: 'active',
  configured: 'active',
  suspended: 'suspended',
  disabled: 'suspended',
  deleted: 'deleted',
}

/** Maps a core status to seed 003's word. */
export function enhanceStatus(s: OrgStatus): EnhanceStatus {
  return toEnhance[s]
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
