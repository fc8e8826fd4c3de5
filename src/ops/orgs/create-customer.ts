import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { actsForMaster, getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { codeFromName, newId } from '../../core/ids.js'
import { adjustCounts, insertOrg, lockOrgMetering, reserveCode, toOrganization, type Organization } from '../../store/orgs.repo.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { MAX_METADATA_BYTES, NewOrgStatusInput, OrgCode, OrgFields, OrgName } from './schema.js'
import { takeCustomerPlace } from '../subscriptions/quota.js'

/**
 * Creates a customer organisation under `parentId`.
 *
 * The actor must have `org.write` on the parent (its own organisation or a descendant), and
 * the parent must be a reseller (the master organisation always is). A parent holding a reseller
 * subscription is metered: the new customer takes a place under its `customers` quota, in the
 * same transaction (`quota_exceeded` at the total). Names are unique among
 * live siblings (`already_exists`). The short code is the given one, or the name's initials
 * with a numeric suffix on a clash. Only the master organisation may create a reseller
 * directly (`isReseller`). New organisations are `active` unless `status` says `configured`.
 */
export const createCustomer = defineOp({
  name: 'customer.create',
  input: Type.Object(
    {
      parentId: Type.String(),
      name: OrgName,
      code: Type.Optional(OrgCode),
      isReseller: Type.Optional(Type.Boolean()),
      status: Type.Optional(NewOrgStatusInput),
      ...OrgFields,
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Organization> {
    requirePermission(ctx, 'org.write')
    if (input.isReseller && !actsForMaster(ctx)) {
      throw new DomainError('forbidden', 'only the master organisation may make an organisation a reseller directly')
    }
    const metadata = JSON.stringify(input.externalMetadata ?? {})
    if (metadata.length > MAX_METADATA_BYTES) {
      throw new DomainError('invalid_argument', `externalMetadata exceeds ${MAX_METADATA_BYTES} bytes`, { field: 'externalMetadata' })
    }
    const name = input.name.trim()
    return ctx.store.write(async (trx) => {
      const parent = await getOrgInScope(ctx, trx, input.parentId)
      if (parent.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
      if (parent.is_reseller !== 1 && parent.depth !== 0 && parent.reseller_sub_id == null) {
        throw new DomainError('forbidden', `organisation ${parent.name} is not a reseller and may not have customers`)
      }
      // A metered reseller (one holding a reseller subscription) takes a place under its `customers` quota.
      // On PostgreSQL the parent's metering is read under a key-share lock, which a parent just
      // becoming metered waits for (quota.ts `becomeMetered` locks the row for update before
      // counting customers): either this customer is counted there, or it draws here.
      const meteredBy = await lockOrgMetering(trx, ctx.store.dialect, parent)
      if (meteredBy != null) await takeCustomerPlace(trx, { ...parent, reseller_sub_id: meteredBy })
      const code = input.code ? input.code.toUpperCase() : await reserveCode(trx, codeFromName(name))
      const now = nowIso(ctx.clock)
      const status = input.status ?? 'active'
      const row = await mapUnique(
        () =>
          insertOrg(
            trx,
            {
              id: newId(),
              parent_id: parent.id,
              code,
              name,
              description: input.description ?? '',
              address: input.address ?? '',
              city: input.city ?? '',
              country: input.country ?? '',
              contact_name: input.contactName ?? '',
              contact_email: input.contactEmail ?? '',
              primary_domain: (input.primaryDomain ?? '').toLowerCase(),
              billing_id: input.billingId ?? '',
              retention_policy_guid: (input.retentionPolicyGuid ?? '').toLowerCase(),
              external_id: input.externalId ?? '',
              external_metadata: metadata,
              licensing_enabled: input.licensingEnabled ? 1 : 0,
              skin_names: JSON.stringify(input.skinNames ?? []),
              is_reseller: input.isReseller ? 1 : 0,
              status,
              enabled: input.enabled === false ? 0 : 1,
              locale: input.locale ?? parent.locale,
              suspended_by: null,
              subscriptions_count: 0,
              websites_count: 0,
              created_at: now,
              updated_at: now,
              version: 1,
            },
            parent,
          ),
        (c) =>
          /code/.test(c)
            ? `an organisation with code ${code} already exists`
            : `a customer named ${JSON.stringify(name)} already exists under ${parent.name}`,
      )
      await adjustCounts(trx, row.path, status, 1)
      return toOrganization(row)
    })
  },
})
