import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { getOrgInScope } from '../access.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { findLivePlan, planResources, toPlan, type Plan, type PlanRow } from '../../store/plans.repo.js'

/** Loads an organisation whose plans the actor may see (a deleted one has none: `not_found`). */
export async function getPlanOwner(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  return org
}

/** Loads a live plan of `org` or throws `not_found`. */
export async function getPlanRow(db: Db, org: OrgRow, planId: number, field?: string): Promise<PlanRow> {
  const row = await findLivePlan(db, org.id, planId)
  if (!row) throw new DomainError('not_found', `${org.name} has no plan ${planId}`, field ? { field } : undefined)
  return row
}

/** The Plan of a row, with its resources. */
export async function planOf(db: Db, row: PlanRow): Promise<Plan> {
  return toPlan(row, (await planResources(db, [row.id])).get(row.id) ?? [])
}
