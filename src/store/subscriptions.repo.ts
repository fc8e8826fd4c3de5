/**
 * Subscriptions and the quotas they draw on, as stored. Knows SQL and nothing of actors; the
 * rules (who may sell what, when amounts are drawn and given back) are in `src/ops/subscriptions/`.
 *
 * A quota is taken by one conditional UPDATE per resource row of the reseller subscription
 * (`usage + n <= total`), in the caller's transaction: never read-then-write, so it holds under
 * read-committed isolation and any number of processes (PostgreSQL re-checks the condition on
 * the row's newest version when a concurrent writer committed first).
 */
import { PostgresAdapter, sql, type Selectable } from 'kysely'
import type { Db } from './store.js'
import type { SubscriptionTable } from './schema.js'
import { placementOf, type Placement, type PlanType } from './plans.repo.js'
import { preparedQuery } from './prepared.js'
import type { SubscriptionStatus, UsedResource, Subscription } from '../core/plans.js'
import { SUBSCRIPTION_STATUSES } from '../core/plans.js'
export type { SubscriptionStatus, UsedResource, Subscription } from '../core/plans.js'
export { SUBSCRIPTION_STATUSES } from '../core/plans.js'

export type SubscriptionRow = Selectable<SubscriptionTable>

/** True when the subscription holds its amounts (they are drawn from its vendor's quota). */
export function holdsAmounts(status: string, isSuspended: boolean | number): boolean {
  return status === 'active' && !isSuspended
}

/** A subscription's resources, by subscription id, each list ordered by name. */
export async function subscriptionResources(db: Db, ids: readonly number[]): Promise<Map<number, UsedResource[]>> {
  const out = new Map<number, UsedResource[]>()
  for (const id of ids) out.set(id, [])
  if (ids.length === 0) return out
  const rows = await db.selectFrom('subscription_resources').selectAll().where('subscription_id', 'in', ids).orderBy('subscription_id').orderBy('name').execute()
  for (const r of rows) out.get(r.subscription_id)!.push(r.total === null ? { name: r.name, usage: r.usage } : { name: r.name, total: r.total, usage: r.usage })
  return out
}

/** Loads subscriptions with their plan names and resources, in the order of `rows`. */
export async function toSubscriptions(db: Db, rows: readonly SubscriptionRow[]): Promise<Subscription[]> {
  if (rows.length === 0) return []
  const resources = await subscriptionResources(db, rows.map((r) => r.id))
  const planIds = [...new Set(rows.map((r) => r.plan_id))]
  const plans = await db
    .selectFrom('plans')
    .select(['id', 'name', 'server_group_id', 'app_server_id', 'backup_server_id', 'db_server_id', 'email_server_id'])
    .where('id', 'in', planIds)
    .execute()
  const byId = new Map(plans.map((p) => [p.id, p]))
  return rows.map((r) => {
    const plan = byId.get(r.plan_id)
    const own = placementOf(r)
    const fromPlan = plan ? placementOf(plan) : {}
    const placement = Object.keys(own).length > 0 ? 'subscription' : Object.keys(fromPlan).length > 0 ? 'plan' : 'automatic'
    return {
      id: r.id,
      planId: r.plan_id,
      planName: plan?.name ?? '',
      planType: r.plan_type as PlanType,
      subscriberId: r.subscriber_id,
      vendorId: r.vendor_id,
      status: r.status as SubscriptionStatus,
      isSuspended: r.is_suspended === 1,
      ...(r.suspended_by ? { suspendedBy: r.suspended_by } : {}),
      friendlyName: r.friendly_name,
      resources: resources.get(r.id) ?? [],
      ...(placement === 'subscription' ? own : placement === 'plan' ? fromPlan : {}),
      placement,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      version: r.version,
    }
  })
}

/** Finds a subscription by id (deleted ones too); locks its row on PostgreSQL when `lock`. */
export async function findSubscription(db: Db, id: number, lock = false): Promise<SubscriptionRow | undefined> {
  let q = db.selectFrom('subscriptions').selectAll().where('id', '=', id)
  if (lock && isPg(db)) q = q.forUpdate()
  return q.executeTakeFirst()
}

function isPg(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

const drawQ = preparedQuery((d, slot) =>
  d
    .updateTable('subscription_resources')
    .set({ usage: sql`usage + ${slot('n')}` })
    .where('subscription_id', '=', slot('sub'))
    .where('name', '=', slot('name'))
    .where((eb) => eb.or([eb('total', 'is', null), eb(sql`usage + ${slot('n2')}`, '<=', eb.ref('total'))])),
)
const drawUnlimitedQ = preparedQuery((d, slot) =>
  d
    .updateTable('subscription_resources')
    .set({ usage: sql`usage` })
    .where('subscription_id', '=', slot('sub'))
    .where('name', '=', slot('name'))
    .where('total', 'is', null),
)
const releaseQ = preparedQuery((d, slot) =>
  d
    .updateTable('subscription_resources')
    .set({ usage: sql`case when usage >= ${slot('n')} then usage - ${slot('n2')} else 0 end` })
    .where('subscription_id', '=', slot('sub'))
    .where('name', '=', slot('name')),
)

/**
 * Takes `amount` of resource `name` from subscription `sub`'s quota: one conditional UPDATE
 * (`usage + amount <= total`, or an unlimited total). `amount` undefined asks for an unlimited
 * share, which only an unlimited total grants (and takes nothing from). Answers false, having
 * changed nothing, when the quota does not allow it or the subscription has no such resource.
 */
export async function drawResource(db: Db, sub: number, name: string, amount: number | undefined): Promise<boolean> {
  const r =
    amount === undefined
      ? await drawUnlimitedQ(db, { sub, name })
      : await drawQ(db, { sub, name, n: amount, n2: amount })
  return Number(r.numAffectedRows ?? 0n) > 0
}

/** Gives `amount` of resource `name` back to subscription `sub`'s quota. */
export async function releaseResource(db: Db, sub: number, name: string, amount: number): Promise<void> {
  await releaseQ(db, { sub, name, n: amount, n2: amount })
}

/** Sets a resource's usage to `usage` when its total allows it; false (nothing changed) otherwise. */
export async function setUsageWithin(db: Db, sub: number, name: string, usage: number): Promise<boolean> {
  const r = await db
    .updateTable('subscription_resources')
    .set({ usage })
    .where('subscription_id', '=', sub)
    .where('name', '=', name)
    .where((eb) => eb.or([eb('total', 'is', null), eb('total', '>=', usage)]))
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** A resource row of a subscription (total and usage), or undefined. */
export async function findResource(db: Db, sub: number, name: string): Promise<{ total: number | null; usage: number } | undefined> {
  return db.selectFrom('subscription_resources').select(['total', 'usage']).where('subscription_id', '=', sub).where('name', '=', name).executeTakeFirst()
}
