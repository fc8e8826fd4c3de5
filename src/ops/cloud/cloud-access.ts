/**
 * Checks shared by the cloud operations: the live organisation an actor acts on, the catalogue's
 * owner, and whether a provider is allowed to an organisation.
 */
import type { Ctx } from '../context.js'
import { actsForMaster, getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { findProvider, hasAllowance, rowLock, type CloudProviderRow, type RowLock } from '../../store/cloud.repo.js'

/** Loads an organisation of the actor's subtree that is not deleted, or throws `not_found`. */
export async function getLiveOrgInScope(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  return org
}

/**
 * Throws `forbidden` unless the actor may change the provider catalogue: it acts for the
 * master organisation and its role carries `catalog.write`.
 */
export function requireCatalogWriter(ctx: Ctx): void {
  requirePermission(ctx, 'catalog.write')
  if (!actsForMaster(ctx)) throw new DomainError('forbidden', 'only the master organisation may change the cloud provider catalogue')
}

/**
 * Loads a provider or throws `not_found`. Inside a write transaction pass `lock` so that a
 * concurrent deletion of the provider waits for, or is seen by, this transaction.
 */
export async function getProviderRow(ctx: Ctx, db: Db, providerId: string, lock?: RowLock): Promise<CloudProviderRow> {
  const p = isUuid(providerId) ? await findProvider(db, providerId, lock && rowLock(ctx.store.dialect, lock)) : undefined
  if (!p) throw new DomainError('not_found', 'cloud provider not found')
  return p
}

/**
 * True when the provider is allowed to the organisation: the master organisation has every
 * provider; any other organisation has those allowed to it. With `lock`, the allowance row is
 * share-locked so that a concurrent disallowance waits for this transaction.
 */
export async function isProviderAllowed(ctx: Ctx, db: Db, org: OrgRow, providerId: string, lock?: boolean): Promise<boolean> {
  if (org.depth === 0) return true
  return hasAllowance(db, org.id, providerId, lock ? rowLock(ctx.store.dialect, 'share') : undefined)
}
