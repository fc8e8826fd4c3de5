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
import type { Db, Dialect } from './store.js'
import type { SubscriptionTable } from './schema.js'
import { placementOf, placementServerIds, serverGroupRefs, serverRefs, serversOf, type Placement, type PlanKind } from './plans.repo.js'
import { preparedQuery } from './prepared.js'
import type { PlanResource, SubscriptionStatus, UsedResource, Subscription } from '../core/plans.js'
import { hostingFromJson, SUBSCRIPTION_STATUSES, type ServerGroupRef } from '../core/plans.js'
import { JOB_STEP_STATUS, type JobEvent, type JobEventInfo, type JobSubjectHandler } from '../core/jobs.js'
import type { ProvisioningStatus } from '../core/provisioning.js'
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

/**
 * Loads subscriptions with their plan names, resources, hosting settings and the servers and
 * server groups they are placed on, in the order of `rows` (a few statements for any number).
 */
export async function toSubscriptions(db: Db, rows: readonly SubscriptionRow[]): Promise<Subscription[]> {
  if (rows.length === 0) return []
  const resources = await subscriptionResources(db, rows.map((r) => r.id))
  const planIds = [...new Set(rows.map((r) => r.plan_id))]
  const plans = await db
    .selectFrom('plans')
    .select(['id', 'name', 'server_group_id', 'app_server_id', 'backup_server_id', 'db_server_id', 'email_server_id', 'postgresql_server_id'])
    .where('id', 'in', planIds)
    .execute()
  const byId = new Map(plans.map((p) => [p.id, p]))
  const shaped = rows.map((r) => {
    const plan = byId.get(r.plan_id)
    const own = placementOf(r)
    const fromPlan = plan ? placementOf(plan) : {}
    const placement: Subscription['placement'] = Object.keys(own).length > 0 ? 'subscription' : Object.keys(fromPlan).length > 0 ? 'plan' : 'automatic'
    const effective: Placement = placement === 'subscription' ? own : placement === 'plan' ? fromPlan : {}
    const hosting = hostingFromJson(r.hosting)
    const groupIds = effective.serverGroupId ? [effective.serverGroupId] : hosting.serverGroupIds
    return { r, plan, placement, effective, hosting, groupIds }
  })
  const servers = await serverRefs(db, shaped.flatMap((x) => placementServerIds(x.effective)))
  const groups = await serverGroupRefs(db, shaped.flatMap((x) => x.groupIds))
  return shaped.map(({ r, plan, placement, effective, hosting, groupIds }) => ({
    id: r.id,
    planId: r.plan_id,
    planName: plan?.name ?? '',
    kind: r.plan_type as PlanKind,
    hosting,
    subscriberId: r.subscriber_id,
    vendorId: r.vendor_id,
    status: r.status as SubscriptionStatus,
    isSuspended: r.is_suspended === 1,
    ...(r.suspended_by ? { suspendedBy: r.suspended_by } : {}),
    friendlyName: r.friendly_name,
    resources: resources.get(r.id) ?? [],
    ...effective,
    placement,
    servers: serversOf(effective, servers),
    serverGroups: groupIds.map((id) => groups.get(id)).filter((g): g is ServerGroupRef => g !== undefined),
    provisioningStatus: r.provisioning_status,
    ...(r.request_id !== null ? { provisioningRequestId: r.request_id } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }))
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

/** A subscription row's values before it is stored (every column but its generated id). */
export type NewSubscription = Omit<SubscriptionRow, 'id'>

/** The columns of a subscription row to change (every column but its id may be given). */
export type SubscriptionPatch = Partial<NewSubscription>

/** A resource row of a subscription to store: `total` null is unlimited. */
export interface NewSubscriptionResource {
  name: string
  total: number | null
  usage: number
}

/** The keys subscriptions are listed by besides their id. */
export const SUBSCRIPTION_SORT_KEYS = ['plan', 'subscriberId', 'vendorId'] as const
export type SubscriptionSortKey = (typeof SUBSCRIPTION_SORT_KEYS)[number]
const sortColumn = { plan: 'plans.name', subscriberId: 'subscriptions.subscriber_id', vendorId: 'subscriptions.vendor_id' } as const

/** Stores a new subscription and answers its id. */
export async function insertSubscription(db: Db, values: NewSubscription): Promise<number> {
  const { id } = await db.insertInto('subscriptions').values(values).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Sets the given columns of subscription `id`. */
export async function updateSubscription(db: Db, id: number, patch: SubscriptionPatch): Promise<void> {
  await db.updateTable('subscriptions').set(patch).where('id', '=', id).execute()
}

/** Marks subscription `id` deleted, holding nothing from any quota, and bumps its version. */
export async function markSubscriptionDeleted(db: Db, id: number, now: string): Promise<void> {
  await db
    .updateTable('subscriptions')
    .set((eb) => ({ status: 'deleted', drawn_from: null, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute()
}

/** Adds resource rows to subscription `subId` (none when `resources` is empty). */
export async function insertSubscriptionResources(db: Db, subId: number, resources: readonly NewSubscriptionResource[]): Promise<void> {
  if (resources.length === 0) return
  await db
    .insertInto('subscription_resources')
    .values(resources.map((r) => ({ subscription_id: subId, name: r.name, total: r.total, usage: r.usage })))
    .execute()
}

/** Replaces subscription `subId`'s resource rows with `resources`. */
export async function replaceSubscriptionResources(db: Db, subId: number, resources: readonly NewSubscriptionResource[]): Promise<void> {
  await db.deleteFrom('subscription_resources').where('subscription_id', '=', subId).execute()
  await insertSubscriptionResources(db, subId, resources)
}

/** Lists the names and totals (NULL: unlimited) of subscription `subId`'s resources, in no given order. */
export async function listResourceTotals(db: Db, subId: number): Promise<{ name: string; total: number | null }[]> {
  return db.selectFrom('subscription_resources').select(['name', 'total']).where('subscription_id', '=', subId).execute()
}

/** Lists the resources subscription `subId` holds (its totals; unlimited ones without), ordered by name. */
export async function listHeldResources(db: Db, subId: number): Promise<PlanResource[]> {
  const rows = await db.selectFrom('subscription_resources').select(['name', 'total']).where('subscription_id', '=', subId).orderBy('name').execute()
  return rows.map((r) => (r.total === null ? { name: r.name } : { name: r.name, total: Number(r.total) }))
}

/** Lists the names and usages of subscription `subId`'s resources, in no given order. */
export async function listResourceUsage(db: Db, subId: number): Promise<{ name: string; usage: number }[]> {
  return db.selectFrom('subscription_resources').select(['name', 'usage']).where('subscription_id', '=', subId).execute()
}

/**
 * Finds a subscription `id` held by `subscriberId` (and sold by `vendorId` when given) that is
 * not deleted.
 */
export async function findLiveSubscription(db: Db, id: number, of: { subscriberId: string; vendorId?: string }): Promise<SubscriptionRow | undefined> {
  let q = db.selectFrom('subscriptions').selectAll().where('id', '=', id).where('subscriber_id', '=', of.subscriberId).where('status', '<>', 'deleted')
  if (of.vendorId) q = q.where('vendor_id', '=', of.vendorId)
  return q.executeTakeFirst()
}

/**
 * Lists one page of the subscriptions (not deleted) held by `subscriberId`, and sold by
 * `vendorId` when given, with the number of them all (counted first, by its own statement).
 * Ordered by `sortBy` (`plan` is the plan's name) when given, then by id, both in `sortOrder`.
 */
export async function listLiveSubscriptions(
  db: Db,
  filter: { subscriberId: string; vendorId?: string },
  page: { limit: number; offset: number; sortBy?: SubscriptionSortKey; sortOrder: 'asc' | 'desc' },
): Promise<{ rows: SubscriptionRow[]; total: number }> {
  let base = db.selectFrom('subscriptions').where('subscriptions.subscriber_id', '=', filter.subscriberId).where('subscriptions.status', '<>', 'deleted')
  if (filter.vendorId) base = base.where('subscriptions.vendor_id', '=', filter.vendorId)
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const dir = page.sortOrder
  let q = base.innerJoin('plans', 'plans.id', 'subscriptions.plan_id').selectAll('subscriptions')
  if (page.sortBy) q = q.orderBy(sortColumn[page.sortBy], dir)
  const rows = await q.orderBy('subscriptions.id', dir).limit(page.limit).offset(page.offset).execute()
  return { rows, total }
}

/** Lists the subscriptions (not deleted) held by any of `subscriberIds`, by id. */
export async function listLiveSubscriptionsOf(db: Db, subscriberIds: readonly string[]): Promise<SubscriptionRow[]> {
  return db.selectFrom('subscriptions').selectAll().where('subscriber_id', 'in', subscriberIds).where('status', '<>', 'deleted').orderBy('id').execute()
}

/** Finds the id of a subscription (any status) whose amounts are drawn from reseller subscription `subId`. */
export async function findSaleDrawingFrom(db: Db, subId: number): Promise<number | undefined> {
  return (await db.selectFrom('subscriptions').select('id').where('drawn_from', '=', subId).limit(1).executeTakeFirst())?.id
}

/**
 * Makes reseller subscription `subId` the one that meters organisation `orgId`, bumping its
 * version: one conditional UPDATE, answering false (nothing changed) when the organisation is
 * metered by another.
 */
export async function setResellerSubscription(db: Db, orgId: string, subId: number, now: string): Promise<boolean> {
  const r = await db
    .updateTable('orgs')
    .set((eb) => ({ reseller_sub_id: subId, version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', orgId)
    .where((eb) => eb.or([eb('reseller_sub_id', 'is', null), eb('reseller_sub_id', '=', subId)]))
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Stops reseller subscription `subId` metering organisation `orgId` (if it does), bumping its version. */
export async function clearResellerSubscription(db: Db, orgId: string, subId: number, now: string): Promise<void> {
  await db
    .updateTable('orgs')
    .set((eb) => ({ reseller_sub_id: null, version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', orgId)
    .where('reseller_sub_id', '=', subId)
    .execute()
}

/** Lists those of organisations `ids` that are metered, with the reseller subscription metering each. */
export async function listMeteredOrgs(db: Db, ids: readonly string[]): Promise<{ id: string; reseller_sub_id: number }[]> {
  const rows = await db.selectFrom('orgs').select(['id', 'reseller_sub_id']).where('id', 'in', ids).where('reseller_sub_id', 'is not', null).execute()
  return rows.map((r) => ({ id: r.id, reseller_sub_id: r.reseller_sub_id! }))
}

/** Adds `by` (one more or one fewer) to organisation `orgId`'s count of subscriptions it holds, bumping its version. */
export async function addOrgSubscriptionsCount(db: Db, orgId: string, by: 1 | -1, now: string): Promise<void> {
  await db
    .updateTable('orgs')
    .set((eb) => ({ subscriptions_count: by > 0 ? eb('subscriptions_count', '+', 1) : eb('subscriptions_count', '-', 1), version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', orgId)
    .execute()
}

/**
 * Recomputes organisation `orgId`'s `websites_count`: the `websites` used by the hosting
 * subscriptions it holds (not deleted). Bumps its version only when the count changes.
 */
export async function refreshWebsitesCount(db: Db, orgId: string, now: string): Promise<void> {
  const row = await db
    .selectFrom('subscription_resources')
    .innerJoin('subscriptions', 'subscriptions.id', 'subscription_resources.subscription_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('subscription_resources.usage'), eb.lit(0)).as('n'))
    .where('subscriptions.subscriber_id', '=', orgId)
    .where('subscriptions.status', '<>', 'deleted')
    .where('subscriptions.plan_type', '=', 'hosting')
    .where('subscription_resources.name', '=', 'websites')
    .executeTakeFirstOrThrow()
  await db
    .updateTable('orgs')
    .set((eb) => ({ websites_count: Number(row.n), version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', orgId)
    .where('websites_count', '<>', Number(row.n))
    .execute()
}

/**
 * Applies a job's step to the subscription it hands to a provisioning service, if the job
 * belongs to the subscription's latest hand-over (an older job changes nothing).
 */
async function onSubscriptionJob(trx: Db, event: JobEvent, info: JobEventInfo): Promise<void> {
  const id = Number(info.id)
  if (!Number.isSafeInteger(id)) return
  const status: ProvisioningStatus | undefined =
    JOB_STEP_STATUS[event] ?? (event === 'failed' ? 'Failed' : event === 'succeeded' ? (info.action === 'provision' ? 'Provisioned' : 'NotProvisioned') : undefined)
  if (!status) return
  await trx.updateTable('subscriptions').set({ provisioning_status: status }).where('id', '=', id).where('request_id', '=', info.requestId).execute()
}

/** What a provisioning job's steps do to a subscription (`subscription:<id>`); see subjects.ts. */
export const subscriptionSubjectHandlers: Record<string, JobSubjectHandler<Db>> = { subscription: onSubscriptionJob }

/** Notes that request `requestId` hands subscription `id` to its plan's provisioning service. */
export async function markHandedOver(db: Db, id: number, requestId: number): Promise<void> {
  await db.updateTable('subscriptions').set({ provisioning_status: 'Requested', request_id: requestId }).where('id', '=', id).execute()
}
