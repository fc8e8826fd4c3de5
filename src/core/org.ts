/** The organisation: every tenant, from the master organisation down to sub-customers. */
import type { OrgStatus } from './status.js'
import type { ProvisioningStatus } from './provisioning.js'

/** An organisation as the core sees it. */
export interface Organization {
  id: string
  number: number
  code: string
  name: string
  parentId: string | null
  depth: number
  path: string
  description: string
  address: string
  city: string
  country: string
  contactName: string
  contactEmail: string
  primaryDomain: string
  billingId: string
  externalId: string
  externalMetadata: Record<string, unknown>
  licensingEnabled: boolean
  skinNames: string[]
  /** May have customers: set directly by the master organisation, or holding a reseller subscription. */
  isReseller: boolean
  /** Its reseller subscription (not deleted), which it sells from and whose quota meters it, or null. */
  resellerSubscriptionId: number | null
  status: OrgStatus
  enabled: boolean
  locale: string
  /** The retention policy for snapshots it follows (seed 000), `''` for none. */
  retentionPolicyGuid: string
  suspendedBy: string | null
  /** Whether a Slack incoming-webhook URL is set (the URL itself is sealed and never answered). */
  slackWebhookSet: boolean
  /** The SHA-256 (hex) of its avatar picture (seed 003's `setOrgAvatar`), its public id; null for none. */
  avatarHash: string | null
  /** Whether its users' passwords may be set never to expire (seed 004 error 35 otherwise). */
  passwordNeverExpiresAllowed: boolean
  /** The customer's provisioning status (seed 004's customer `<status>`): `Provisioned` or `NotProvisioned`. */
  provisioningStatus: ProvisioningStatus
  subscriptionsCount: number
  websitesCount: number
  createdAt: string
  updatedAt: string
  version: number
}

/** The longest Slack incoming-webhook URL accepted (Slack's own are about 80 characters). */
export const MAX_SLACK_WEBHOOK_URL = 2000

/**
 * Where an organisation's sealed Slack webhook URL is bound (core/sealed.ts `aad`): it opens only
 * as that organisation's, never copied onto another row.
 */
export function orgSlackWebhookAad(orgId: string): string {
  return `orgs/${orgId}/slack_webhook`
}
