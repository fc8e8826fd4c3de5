/** Loading the organisations and subscriptions the subscription operations act on. */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { actsForMaster, getOrgInScope } from '../access.js'
import type { PlanHosting } from '../../core/plans.js'
import { findOrgById, type OrgRow } from '../../store/orgs.repo.js'
import { findSubscription, type SubscriptionRow } from '../../store/subscriptions.repo.js'

/**
 * Loads the vendor `orgId` (in the actor's subtree, not deleted) and its direct customer
 * `customerOrgId` (not deleted); anything else is `not_found`.
 */
export async function getVendorAndCustomer(ctx: Ctx, db: Db, orgId: string, customerOrgId: string): Promise<{ vendor: OrgRow; customer: OrgRow }> {
  const vendor = await getVendor(ctx, db, orgId)
  return { vendor, customer: await getCustomerOf(db, vendor, customerOrgId) }
}

/** Loads the seller `orgId`: in the actor's subtree and not deleted, or `not_found`. */
export async function getVendor(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const vendor = await getOrgInScope(ctx, db, orgId)
  if (vendor.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  return vendor
}

/** Loads `customerOrgId`, a live direct customer of `vendor`, or `not_found`. */
export async function getCustomerOf(db: Db, vendor: OrgRow, customerOrgId: string): Promise<OrgRow> {
  const customer = isUuid(customerOrgId) ? await findOrgById(db, customerOrgId) : undefined
  if (!customer || customer.parent_id !== vendor.id || customer.status === 'deleted') {
    throw new DomainError('not_found', `${vendor.name} has no customer ${customerOrgId}`)
  }
  return customer
}

/** Loads a live subscription `id` of `customer` to a plan of `vendor` (locked on PostgreSQL when `lock`), or `not_found`. */
export async function getSoldSubscription(db: Db, vendor: OrgRow, customer: OrgRow, id: number, lock = false): Promise<SubscriptionRow> {
  const sub = await findSubscription(db, id, lock)
  if (!sub || sub.vendor_id !== vendor.id || sub.subscriber_id !== customer.id || sub.status === 'deleted') {
    throw new DomainError('not_found', `${customer.name} has no subscription ${id} from ${vendor.name}`)
  }
  return sub
}

/**
 * Loads a live subscription for a change by its seller, locked on PostgreSQL. With
 * `customerOrgId`, `orgId` is the seller and `customerOrgId` its direct customer (Clientele's
 * `/orgs/{org}/customers/{customer}/subscriptions/{id}`); without it, `orgId` is the subscriber
 * (seed 003's `/orgs/{org_id}/subscriptions/{id}`) and the seller is the subscription's own,
 * which must be in the actor's subtree: a subscriber sees its subscriptions, but only its
 * seller (or an ancestor of it) changes them (`forbidden`). Anything not visible is `not_found`.
 */
export async function getSaleForChange(
  ctx: Ctx,
  db: Db,
  orgId: string,
  customerOrgId: string | undefined,
  id: number,
): Promise<{ vendor: OrgRow; customer: OrgRow; sub: SubscriptionRow }> {
  if (customerOrgId !== undefined) {
    const { vendor, customer } = await getVendorAndCustomer(ctx, db, orgId, customerOrgId)
    return { vendor, customer, sub: await getSoldSubscription(db, vendor, customer, id, true) }
  }
  const customer = await getOrgInScope(ctx, db, orgId)
  const sub = customer.status === 'deleted' ? undefined : await findSubscription(db, id, true)
  if (!sub || sub.subscriber_id !== customer.id || sub.status === 'deleted') {
    throw new DomainError('not_found', `${customer.name} has no subscription ${id}`)
  }
  const vendor = await findOrgById(db, sub.vendor_id)
  if (!vendor || !vendor.path.startsWith(ctx.actor.orgPath)) {
    throw new DomainError('forbidden', `only the seller of subscription ${id}${vendor ? `, ${vendor.name},` : ''} may change it`)
  }
  return { vendor, customer, sub }
}

/**
 * Throws `forbidden` unless the actor may place a subscription in server group `groupId` (a
 * `null` clears the choice, which anyone who may change the subscription may do): the master
 * organisation always may; a seller only where the plan has `allowServerGroupSelection` and
 * the group is one of its `serverGroupIds` (any group, when it lists none).
 */
export function requireGroupChoice(ctx: Ctx, hosting: PlanHosting, groupId: string | null): void {
  if (groupId === null || actsForMaster(ctx)) return
  if (!hosting.allowServerGroupSelection) {
    throw new DomainError('forbidden', "the plan does not let its seller choose a server group (allowServerGroupSelection); only the master organisation may override a plan's servers", { field: 'serverGroupId' })
  }
  if (hosting.serverGroupIds.length > 0 && !hosting.serverGroupIds.includes(groupId)) {
    throw new DomainError('invalid_argument', `server group ${groupId} is not among the plan's serverGroupIds`, { field: 'serverGroupId' })
  }
}
