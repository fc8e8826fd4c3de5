import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { actsForMaster, getOrgInScope, requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { adjustCounts, countDescendants, findOrgById, toOrganization, updateOrgRow, type Organization, type OrgPatch } from '../../store/orgs.repo.js'
import { LIVE_ORG_STATUSES } from '../subscriptions/quota.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { MAX_METADATA_BYTES, OrgCode, OrgFields, OrgName, OrgStatusInput, SlackWebhookInput } from './schema.js'
import { checkSlackWebhookUrl } from './slack-webhook.js'
import { orgSlackWebhookAad } from '../../core/org.js'
import { PropertyChange } from '../users/schema.js'
import { mergeProperties, type PropertyMap } from '../../core/account.js'
import { readProperties, writeProperties } from '../../store/properties.repo.js'

const BILLING_FIELDS = new Set(['billingId', 'contactName', 'contactEmail', 'address', 'city', 'country'])

/**
 * Changes an organisation's fields.
 *
 * `org.write` edits any field; a `billing` role may edit only the billing and contact fields.
 * The lifecycle (`status`, `isSuspended`, `enabled`) is changed only from a strict ancestor, so
 * a customer cannot unsuspend itself; `isReseller` only by the master organisation. With
 * `expectedVersion` the change applies only to that version (`version_mismatch` otherwise).
 * Status changes keep the per-ancestor counts in step.
 *
 * `slackNotificationWebhookUrl` (an https URL, or `{unset: true}` to clear it; `{unset: false}`
 * changes nothing) needs `org.write`; the URL is sealed at rest (core/sealed.ts) and never
 * answered: the organisation tells only `slackWebhookSet`.
 *
 * `passwordNeverExpiresAllowed` (seed 004: may its users' passwords never expire) is changed by
 * the organisation's own admins or its parents' (`org.write`); turning it off leaves passwords
 * already set never to expire as they are (it refuses only new ones). `customerProperties`
 * merges into the customer's properties (SET semantics, core/account.ts: `''` removes a name;
 * errors on `property.<name>`); the answer then carries them.
 */
export const updateOrg = defineOp({
  name: 'org.update',
  input: Type.Object(
    {
      orgId: Type.String(),
      expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
      name: Type.Optional(OrgName),
      code: Type.Optional(OrgCode),
      status: Type.Optional(OrgStatusInput),
      isSuspended: Type.Optional(Type.Boolean()),
      isReseller: Type.Optional(Type.Boolean()),
      ...OrgFields,
      slackNotificationWebhookUrl: Type.Optional(SlackWebhookInput),
      passwordNeverExpiresAllowed: Type.Optional(Type.Boolean()),
      customerProperties: Type.Optional(PropertyChange),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Organization & { customerProperties?: PropertyMap }> {
    const { orgId, expectedVersion, ...fields } = input
    const keys = Object.keys(fields).filter((k) => (fields as Record<string, unknown>)[k] !== undefined)
    if (keys.length > 0 && keys.every((k) => BILLING_FIELDS.has(k))) requirePermission(ctx, 'org.billing')
    // An empty change still writes (version, updated_at), so it needs write permission too.
    else requirePermission(ctx, 'org.write')
    if (input.externalMetadata && JSON.stringify(input.externalMetadata).length > MAX_METADATA_BYTES) {
      throw new DomainError('invalid_argument', `externalMetadata exceeds ${MAX_METADATA_BYTES} bytes`, { field: 'externalMetadata' })
    }
    const slack = input.slackNotificationWebhookUrl
    if (typeof slack === 'string') checkSlackWebhookUrl(slack)
    if (input.status !== undefined && input.isSuspended !== undefined) {
      throw new DomainError('invalid_argument', 'give status or isSuspended, not both', { field: 'isSuspended' })
    }
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, orgId)
      if (org.status === 'deleted') throw new DomainError('failed_precondition', 'a deleted organisation cannot be changed')
      const set: OrgPatch = {}
      if (input.name !== undefined) set.name = input.name.trim()
      if (input.code !== undefined) set.code = input.code.toUpperCase()
      if (input.description !== undefined) set.description = input.description
      if (input.address !== undefined) set.address = input.address
      if (input.city !== undefined) set.city = input.city
      if (input.country !== undefined) set.country = input.country
      if (input.contactName !== undefined) set.contact_name = input.contactName
      if (input.contactEmail !== undefined) set.contact_email = input.contactEmail
      if (input.primaryDomain !== undefined) set.primary_domain = input.primaryDomain.toLowerCase()
      if (input.billingId !== undefined) set.billing_id = input.billingId
      if (input.retentionPolicyGuid !== undefined) set.retention_policy_guid = input.retentionPolicyGuid.toLowerCase()
      if (input.externalId !== undefined) set.external_id = input.externalId
      if (input.externalMetadata !== undefined) set.external_metadata = JSON.stringify(input.externalMetadata)
      if (input.licensingEnabled !== undefined) set.licensing_enabled = input.licensingEnabled ? 1 : 0
      if (input.skinNames !== undefined) set.skin_names = JSON.stringify(input.skinNames)
      if (input.locale !== undefined) set.locale = input.locale
      if (input.passwordNeverExpiresAllowed !== undefined) set.password_never_expires_allowed = input.passwordNeverExpiresAllowed ? 1 : 0
      if (typeof slack === 'string') set.slack_webhook_sealed = ctx.secrets.seal(slack, orgSlackWebhookAad(org.id))
      else if (slack?.unset === true) set.slack_webhook_sealed = null
      if (input.isReseller !== undefined) {
        if (!actsForMaster(ctx)) throw new DomainError('forbidden', 'only the master organisation may set isReseller')
        if (org.depth === 0) throw new DomainError('failed_precondition', 'the master organisation is always a reseller')
        // Unset, it stays a reseller only by a reseller subscription; its customers need it to be one.
        if (!input.isReseller && org.is_reseller === 1 && org.reseller_sub_id == null && (await countDescendants(trx, org.number, LIVE_ORG_STATUSES, 1)) > 0) {
          throw new DomainError('failed_precondition', `${org.name} has live customers, which need it to stay a reseller; delete them first`)
        }
        set.is_reseller = input.isReseller ? 1 : 0
      }
      let status = org.status
      if (input.status !== undefined || input.isSuspended !== undefined || input.enabled !== undefined) {
        requireAncestor(ctx, org, 'change its lifecycle status')
      }
      if (input.enabled !== undefined) set.enabled = input.enabled ? 1 : 0
      if (input.status !== undefined) status = input.status
      if (input.isSuspended === true) status = 'suspended'
      if (input.isSuspended === false && org.status === 'suspended') status = 'active'
      if (status !== org.status) {
        set.status = status
        set.suspended_by = status === 'suspended' ? ctx.actor.orgId : null
      }
      const now = nowIso(ctx.clock)
      const updated = await mapUnique(
        () => updateOrgRow(trx, org.number, expectedVersion ?? org.version, { ...set, updated_at: now, version: org.version + 1 }),
        (c) => (/code/.test(c) ? `an organisation with code ${set.code} already exists` : `a sibling named ${JSON.stringify(set.name)} already exists`),
      )
      if (!updated) {
        throw new DomainError('version_mismatch', `organisation was changed since version ${expectedVersion ?? org.version}`)
      }
      if (status !== org.status) {
        await adjustCounts(trx, org.path, org.status, -1)
        await adjustCounts(trx, org.path, status, 1)
      }
      const fresh = toOrganization((await findOrgById(trx, org.id))!)
      if (input.customerProperties === undefined) return fresh
      const current = await readProperties(trx, 'org', org.id)
      const next = mergeProperties(current, input.customerProperties, 'property')
      await writeProperties(trx, 'org', org.id, current, next)
      return { ...fresh, customerProperties: next }
    })
  },
})
