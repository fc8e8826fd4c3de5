/**
 * Checks shared by the service operations: who may provision what, and the rule that a service
 * with a request under way takes no other change until it has finished.
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { actsForMaster, getOrgInScope, requirePermission } from '../access.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import type { ProvisioningStatus } from '../../core/provisioning.js'
import { IN_FLIGHT } from '../../store/services.repo.js'
import { requestGuids } from '../../store/services.repo.js'

/**
 * Loads a customer whose services the actor may change, or throws. Services are provisioned to
 * a customer by its provider: an actor of a strict ancestor (or of the master organisation,
 * for its own services) whose role carries `org.write`. A deleted organisation takes none.
 */
export async function getCustomerForServices(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  requirePermission(ctx, 'org.write')
  if (org.path === ctx.actor.orgPath && !actsForMaster(ctx)) {
    throw new DomainError('forbidden', "only the customer's provider may provision services to it")
  }
  if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  return org
}

/**
 * Loads an organisation whose users' services the actor may change: in its subtree, with
 * `member.write`.
 */
export async function getOrgForUserServices(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  requirePermission(ctx, 'member.write')
  if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  return org
}

/** Throws `conflict` when `row` has a request under way (naming the request to wait for). */
export async function requireSettled(db: Db, row: { status: string; request_id: number | null } | undefined, what: string): Promise<void> {
  if (!row || !IN_FLIGHT.includes(row.status as ProvisioningStatus)) return
  const guid = row.request_id !== null ? (await requestGuids(db, [row.request_id])).get(row.request_id) : undefined
  throw new DomainError('conflict', `${what} has a request under way (status ${row.status}${guid ? `, request ${guid}` : ''}); change it again when that has finished`)
}
