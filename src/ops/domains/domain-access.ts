/** Who may change an organisation's domains, and who may manage registrars. */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { lockOrgStatus } from '../../store/domains.repo.js'
import { DomainError } from '../../core/errors.js'
import { getOrgInScope, requirePermission } from '../access.js'

/**
 * Loads, inside a write transaction, an organisation whose domains the actor may change: in
 * its subtree, with `org.write`, not deleted. Its row is share-locked (PostgreSQL) so that a
 * concurrent deletion, which releases the organisation's domains, cannot miss a reservation.
 */
export async function orgForDomains(ctx: Ctx, trx: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, trx, orgId)
  requirePermission(ctx, 'org.write')
  const status = await lockOrgStatus(trx, ctx.store.dialect, org.id)
  if (status === undefined || status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  return org
}
