/**
 * Who may sell: the master organisation (unlimited), or a reseller holding a reseller
 * subscription to a plan of its parent (which its sales draw from).
 */
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { findSubscription, holdsAmounts, listResourceTotals } from '../../store/subscriptions.repo.js'

/**
 * Answers the reseller subscription `org`'s sales draw from, or null for the master organisation
 * (which is unlimited). Throws `forbidden` for an organisation that is not a reseller, and
 * `failed_precondition` for a reseller without a reseller subscription (set `isReseller` by the
 * master organisation: it may have customers but sells nothing) or whose reseller subscription
 * is suspended or cancelled.
 */
export async function quotaOfSeller(db: Db, org: OrgRow, what = 'sell plans'): Promise<number | null> {
  if (org.depth === 0) return null
  const subId = org.reseller_sub_id ?? null
  if (subId === null) {
    if (org.is_reseller === 1) {
      throw new DomainError('failed_precondition', `${org.name} holds no reseller subscription, so it may not ${what}`)
    }
    throw new DomainError('forbidden', `${org.name} is not a reseller: only the master organisation or a reseller may ${what}`)
  }
  const sub = await findSubscription(db, subId)
  if (!sub || !holdsAmounts(sub.status, sub.is_suspended)) {
    throw new DomainError('failed_precondition', `the reseller subscription of ${org.name} is ${sub?.is_suspended ? 'suspended' : (sub?.status ?? 'gone')}, so it may not ${what}`)
  }
  return subId
}

/**
 * Checks that a reseller may offer `resources` from its reseller subscription `quotaSubId`:
 * each one must be in the subscription; a resource is offered unlimited only where the
 * subscription has it unlimited, and a total never above the subscription's own
 * (`failed_precondition`, naming the resource).
 */
export async function checkOfferable(db: Db, quotaSubId: number, resources: readonly { name: string; total?: number }[], seller: string): Promise<void> {
  if (resources.length === 0) return
  const own = new Map((await listResourceTotals(db, quotaSubId)).map((r) => [r.name, r.total]))
  for (const r of resources) {
    if (!own.has(r.name)) {
      throw new DomainError('failed_precondition', `the reseller subscription of ${seller} does not include ${r.name}, so it may not offer it`, { field: 'resources', resource: r.name })
    }
    const limit = own.get(r.name)!
    if (limit === null) continue
    if (r.total === undefined) {
      throw new DomainError('failed_precondition', `${seller} may offer ${r.name} as unlimited only if its own reseller subscription has it unlimited (it has ${limit})`, { field: 'resources', resource: r.name })
    }
    if (r.total > limit) {
      throw new DomainError('failed_precondition', `${seller} may not offer ${r.total} ${r.name}: its own reseller subscription has ${limit}`, { field: 'resources', resource: r.name })
    }
  }
}
