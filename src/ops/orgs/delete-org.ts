import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { releaseOrgAddresses } from '../../store/network.repo.js'
import {
  adjustCounts,
  countDescendants,
  deleteOrgCloudAccounts,
  deleteOrgDomains,
  findServiceHeldByAny,
  listLiveDescendantRows,
  markOrgDeleted,
  type OrgRow,
} from '../../store/orgs.repo.js'
import { disableOrgUsers, revokeOrgCredentials } from '../../store/users.repo.js'
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
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
      if (input.expectedVersion !== undefined && input.expectedVersion !== org.version) {
        throw new DomainError('version_mismatch', `organisation was changed since version ${input.expectedVersion}`)
      }
      const live = await countDescendants(trx, org.number, LIVE)
      if (live > 0 && !input.cascade) {
        throw new DomainError('failed_precondition', `organisation ${org.name} still has ${live} live customer(s); delete them first or ask for a cascade`)
      }
      const victims: OrgRow[] = [org]
      if (live > 0) victims.push(...(await listLiveDescendantRows(trx, org.path)))
      const held = await findServiceHeldByAny(trx, victims.map((v) => v.id))
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
  await markOrgDeleted(trx, org, now)
  await adjustCounts(trx, org.path, org.status, -1)
  await adjustCounts(trx, org.path, 'deleted', 1)
  await revokeOrgCredentials(trx, org.id)
  await disableOrgUsers(trx, org.id, now)
  await deleteOrgCloudAccounts(trx, org.id)
  // Its domain names are released (free for others to register; no registrar is asked).
  await deleteOrgDomains(trx, org.id)
  // Its IP addresses go back to their pools.
  await releaseOrgAddresses(trx, org.id)
}
