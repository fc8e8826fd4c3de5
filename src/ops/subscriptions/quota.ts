/**
 * How subscriptions draw on resellers' quotas, and how organisations become metered resellers.
 *
 * A sale by a reseller draws each sold resource's total from the reseller's own reseller
 * subscription: one conditional UPDATE per resource row (`usage + total <= total of the
 * quota`), in name order (so that concurrent sales lock rows in the same order), all in the
 * sale's transaction: any refusal rolls the whole sale back. `customers` is not drawn by a
 * sale: a reseller's `customers` usage is its number of live direct customers, taken by
 * creating one and given back by deleting one. The master organisation is unlimited.
 */
import { handOver } from './handover.js'
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { countDescendants, lockOrgForUpdate, type OrgRow } from '../../store/orgs.repo.js'
import type { PlanResource } from '../../core/plans.js'
import { uncountPlanSubscription } from '../../store/plans.repo.js'
import {
  addOrgSubscriptionsCount,
  clearResellerSubscription,
  drawResource,
  findResource,
  findSaleDrawingFrom,
  findSubscription,
  holdsAmounts,
  listHeldResources,
  listLiveSubscriptionsOf,
  listMeteredOrgs,
  markSubscriptionDeleted,
  refreshWebsitesCount as storeWebsitesCount,
  releaseResource,
  setResellerSubscription,
  setUsageWithin,
  type SubscriptionRow,
} from '../../store/subscriptions.repo.js'
import { CUSTOMERS } from '../plans/schema.js'

/** The statuses of a live organisation (not deleted). */
export const LIVE_ORG_STATUSES = ['active', 'configured', 'suspended', 'disabled']

/** The amounts a subscription with `resources` draws from its vendor's quota, in name order. */
export function drawnAmounts(resources: readonly PlanResource[]): PlanResource[] {
  return resources.filter((r) => r.name !== CUSTOMERS).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * Draws `resources` from the quota of reseller subscription `quotaSubId` (of `seller`), or
 * throws `quota_exceeded` naming the first resource that does not fit (nothing is kept: the
 * caller's transaction rolls back).
 */
export async function drawFrom(db: Db, quotaSubId: number, resources: readonly PlanResource[], seller: string): Promise<void> {
  for (const r of drawnAmounts(resources)) {
    if (r.total === 0) continue
    if (await drawResource(db, quotaSubId, r.name, r.total)) continue
    const q = await findResource(db, quotaSubId, r.name)
    const details = { resource: r.name, field: 'planId' }
    if (!q) throw new DomainError('quota_exceeded', `the reseller subscription of ${seller} does not include ${r.name}`, details)
    if (r.total === undefined) {
      throw new DomainError('quota_exceeded', `${r.name} is unlimited in this plan but ${seller}'s reseller subscription has ${q.total} in all`, details)
    }
    const left = Math.max(0, Number(q.total) - Number(q.usage))
    throw new DomainError('quota_exceeded', `${seller} has ${left} of its ${q.total} ${r.name} left; this needs ${r.total}`, details)
  }
}

/** Gives `resources` back to the quota of reseller subscription `quotaSubId`. */
export async function releaseTo(db: Db, quotaSubId: number, resources: readonly PlanResource[]): Promise<void> {
  for (const r of drawnAmounts(resources)) if (r.total !== undefined && r.total > 0) await releaseResource(db, quotaSubId, r.name, r.total)
}

/**
 * Makes reseller subscription `sub` the one that meters `subscriber`: refused with
 * `already_exists` when it holds another. Its `customers` usage becomes the number of the
 * subscriber's live direct customers, refused with `quota_exceeded` above its total.
 */
export async function becomeMetered(ctx: Ctx, trx: Db, sub: { id: number }, subscriber: OrgRow): Promise<void> {
  // FOR UPDATE waits for customers being created under the subscriber (they hold its row for
  // key share: create-customer.ts), so the count below sees them, and makes new ones wait.
  await lockOrgForUpdate(trx, ctx.store.dialect, subscriber.id)
  if (!(await setResellerSubscription(trx, subscriber.id, sub.id, new Date(ctx.clock()).toISOString()))) {
    throw new DomainError('already_exists', `${subscriber.name} already holds a reseller subscription; change that one's plan instead`, { field: 'planId' })
  }
  const n = await countDescendants(trx, subscriber.number, LIVE_ORG_STATUSES, 1)
  if (!(await setUsageWithin(trx, sub.id, CUSTOMERS, n))) {
    const q = await findResource(trx, sub.id, CUSTOMERS)
    throw new DomainError('quota_exceeded', `${subscriber.name} has ${n} live customers, more than the ${q?.total ?? 0} its reseller plan allows`, { resource: CUSTOMERS, field: 'planId' })
  }
}

/** Stops reseller subscription `subId` metering `subscriberId` (it is deleted or no longer a reseller plan). */
export async function stopMetering(ctx: Ctx, trx: Db, subId: number, subscriberId: string): Promise<void> {
  await clearResellerSubscription(trx, subscriberId, subId, new Date(ctx.clock()).toISOString())
}

/**
 * Takes a place under a metered parent's `customers` quota for a new customer (call only when
 * `parent.reseller_sub_id` is set): refused with `failed_precondition` while its reseller
 * subscription is suspended or cancelled, with `quota_exceeded` at its total.
 */
export async function takeCustomerPlace(trx: Db, parent: OrgRow): Promise<void> {
  const subId = parent.reseller_sub_id!
  const sub = await findSubscription(trx, subId)
  if (!sub || !holdsAmounts(sub.status, sub.is_suspended)) {
    throw new DomainError('failed_precondition', `the reseller subscription of ${parent.name} is ${sub?.is_suspended ? 'suspended' : (sub?.status ?? 'gone')}, so it may not add customers`)
  }
  if (!(await drawResource(trx, subId, CUSTOMERS, 1))) {
    const q = await findResource(trx, subId, CUSTOMERS)
    throw new DomainError('quota_exceeded', `${parent.name} has reached its quota of ${q?.total ?? 0} customers`, { resource: CUSTOMERS })
  }
}

/** The resources a subscription holds (its totals), for drawing and giving back. */
export async function heldResources(db: Db, subId: number): Promise<PlanResource[]> {
  return listHeldResources(db, subId)
}

/**
 * Ends a subscription (soft delete): gives its amounts back to the quota they were drawn from,
 * stops it metering its subscriber when it is a reseller subscription, and keeps the plan's and
 * the subscriber's counts. Unless `cascade` (its subscriber is being deleted), a reseller
 * subscription is refused while sales draw from it, or while its subscriber has live customers
 * and is not a reseller by the master organisation's say.
 */
export async function endSubscription(ctx: Ctx, trx: Db, sub: SubscriptionRow, opts: { cascade: boolean; subscriber?: OrgRow }): Promise<void> {
  const now = new Date(ctx.clock()).toISOString()
  if (!opts.cascade && sub.plan_type === 'reseller') await requireNoDependants(trx, sub, opts.subscriber!)
  if (sub.drawn_from !== null) await releaseTo(trx, sub.drawn_from, await heldResources(trx, sub.id))
  if (sub.plan_type === 'reseller') await stopMetering(ctx, trx, sub.id, sub.subscriber_id)
  await markSubscriptionDeleted(trx, sub.id, now)
  await handOver(ctx, trx, { id: sub.id, planId: sub.plan_id }, 'deleted')
  await uncountPlanSubscription(trx, sub.plan_id)
  await addOrgSubscriptionsCount(trx, sub.subscriber_id, -1, now)
  if (sub.plan_type === 'hosting') await refreshWebsitesCount(ctx, trx, sub.subscriber_id)
}

/** Refuses to take a reseller subscription away while sales draw from it or its customers depend on it. */
export async function requireNoDependants(trx: Db, sub: SubscriptionRow, subscriber: OrgRow): Promise<void> {
  if (subscriber.reseller_sub_id !== sub.id) return
  const sale = await findSaleDrawingFrom(trx, sub.id)
  if (sale !== undefined) {
    throw new DomainError('failed_precondition', `subscriptions sold by ${subscriber.name} still draw from this reseller subscription (e.g. ${sale}); cancel them first`)
  }
  if (subscriber.is_reseller !== 1 && (await countDescendants(trx, subscriber.number, LIVE_ORG_STATUSES, 1)) > 0) {
    throw new DomainError('failed_precondition', `${subscriber.name} still has live customers, which need it to stay a reseller; delete them first`)
  }
}

/**
 * For organisations being deleted (`victims`, already marked deleted): each metered parent
 * among their parents gets its `customers` places back, and every live subscription they hold
 * ends, giving its amounts back.
 */
export async function releaseForDeletedOrgs(ctx: Ctx, trx: Db, victims: readonly OrgRow[]): Promise<void> {
  const parentIds = [...new Set(victims.map((v) => v.parent_id).filter((p): p is string => p !== null))]
  if (parentIds.length > 0) {
    const metered = await listMeteredOrgs(trx, parentIds)
    for (const p of metered) {
      const n = victims.filter((v) => v.parent_id === p.id).length
      await releaseResource(trx, p.reseller_sub_id, CUSTOMERS, n)
    }
  }
  const subs = await listLiveSubscriptionsOf(trx, victims.map((v) => v.id))
  for (const s of subs) await endSubscription(ctx, trx, s, { cascade: true })
}

/**
 * Recomputes an organisation's `websitesCount`: the `websites` used by the hosting
 * subscriptions it holds (not deleted). Bumps its version, so that cached copies are renewed.
 */
export async function refreshWebsitesCount(ctx: Ctx, trx: Db, orgId: string): Promise<void> {
  await storeWebsitesCount(trx, orgId, new Date(ctx.clock()).toISOString())
}
