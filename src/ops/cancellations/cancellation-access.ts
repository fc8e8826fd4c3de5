/** Finding a cancellation the actor may see, shared by the cancellation operations. */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findOrgById, type OrgRow } from '../../store/orgs.repo.js'
import { findCancellation, type CancellationRow } from '../../store/cancellations.repo.js'
import { inScope } from '../access.js'


/**
 * Loads cancellation `id` and its organisation when that organisation is the actor's or one of
 * its descendants; otherwise `not_found`, exactly as for an id that does not exist.
 */
export async function getCancellationInScope(ctx: Ctx, db: Db, id: string): Promise<{ row: CancellationRow; org: OrgRow }> {
  const row = isUuid(id) ? await findCancellation(db, id) : undefined
  const org = row ? await findOrgById(db, row.org_id) : undefined
  if (!row || !org || !inScope(ctx, org.path)) throw new DomainError('not_found', `no cancellation ${id}`, { resource: 'cancellation' })
  ctx.request?.noteTarget(org.path, `cancellation:${row.id}`)
  return { row, org }
}
