import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { adjustCounts, countDescendants, subtreeRange, type OrgRow } from '../../store/orgs.repo.js'
import type { Db } from '../../store/store.js'
import { nowIso } from '../../store/store.js'
import { releaseForDeletedOrgs } from '../subscriptions/quota.js'

const LIVE = ['active', 'configured', 'suspended', 'disabled']

/**
 * Deletes an organisation (soft: its status becomes `deleted`, its name is freed among its
 * siblings, its users are disabled and their keys and sessions revoked, its cloud accounts and
 * cloud-provider allowances removed, its domain names released, its subscriptions deleted with their amounts given back
 * to the resellers' quotas they were drawn from, and its place under a metered parent's
 * `customers` quota given back).
 *
 * Only a strict ancestor with `org.delete` may delete; the master organisation is never
 * deleted. An organisation that still has live customers is refused (`failed_precondition`)
 * unless `cascade` is set, which deletes the whole live subtree in the same transaction. An
 * organisation (or, with `cascade`, one of its subtree) holding services that are not
 * `NotProvisioned` is refused too: deprovisioning is work for the drivers, done first.
 */
export const deleteOrg = defineOp({
  name: 'org.delete',
  input: Type.Object(
    { orgId: Type.String(), cascade: Type.Optional(Type.Boolean()), expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ deleted: number }> {
    requirePermission(ctx, 'org.delete')
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      requireAncestor(ctx, org, 'delete it')
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found')
      if (input.expectedVersion !== undefined && input.expectedVersion !== org.version) {
        throw new DomainError('version_mismatch', `organisation was changed since version ${input.expectedVersion}`)
      }
      const live = await countDescendants(trx, org.number, LIVE)
      if (live > 0 && !input.cascade) {
        throw new DomainError('failed_precondition', `organisation ${org.name} still has ${live} live customer(s); delete them first or ask for a cascade`)
      }
      const victims: OrgRow[] = [org]
      if (live > 0) {
        const [lo, hi] = subtreeRange(org.path)
        const rows = (await trx
          .selectFrom('orgs')
          .selectAll()
          .where('path', '>', lo)
          .where('path', '<', hi)
          .where('status', '<>', 'deleted')
          .execute()) as OrgRow[]
        victims.push(...rows)
      }
      const held = await trx
        .selectFrom('customer_services')
        .innerJoin('orgs', 'orgs.id', 'customer_services.org_id')
        .innerJoin('services', 'services.id', 'customer_services.service_id')
        .select(['orgs.name as org', 'services.name as service'])
        .where(
          'customer_services.org_id',
          'in',
          victims.map((v) => v.id),
        )
        .where('customer_services.status', '!=', 'NotProvisioned')
        .limit(1)
        .executeTakeFirst()
      if (held) throw new DomainError('failed_precondition', `${held.org} holds service ${held.service}; deprovision its services first`)
      const now = nowIso(ctx.clock)
      for (const v of victims) await softDelete(trx, v, now)
      // Their subscriptions end and their places under metered parents' quotas are given back.
      await releaseForDeletedOrgs(ctx, trx, victims)
      return { deleted: victims.length }
    })
  },
})

async function softDelete(trx: Db, org: OrgRow, now: string): Promise<void> {
  await trx
    .updateTable('orgs')
    .set({ status: 'deleted', enabled: 0, tombstone: org.number, updated_at: now, version: org.version + 1 })
    .where('number', '=', org.number)
    .execute()
  await adjustCounts(trx, org.path, org.status, -1)
  await adjustCounts(trx, org.path, 'deleted', 1)
  const users = trx.selectFrom('users').select('id').where('org_id', '=', org.id)
  await trx.deleteFrom('sessions').where('user_id', 'in', users).execute()
  await trx.deleteFrom('api_keys').where('user_id', 'in', users).execute()
  await trx.deleteFrom('api_keys').where('org_id', '=', org.id).execute()
  await trx
    .updateTable('users')
    .set((eb) => ({ enabled: 0, cred_version: eb('cred_version', '+', 1), updated_at: now }))
    .where('org_id', '=', org.id)
    .execute()
  await trx.deleteFrom('cloud_accounts').where('org_id', '=', org.id).execute()
  await trx.deleteFrom('org_cloud_providers').where('org_id', '=', org.id).execute()
  // Its domain names are released (free for others to register; no registrar is asked).
  await trx.deleteFrom('domains').where('org_id', '=', org.id).execute()
}
