import { contextOf, type Actor, type Deps } from '../context.js'
import { recorded } from '../record-request.js'
import { DomainError } from '../../core/errors.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { listDueCancellations, moveCancellation } from '../../store/cancellations.repo.js'
import { findSubscription, listLiveSubscriptionsOf } from '../../store/subscriptions.repo.js'
import { findRequestByGuid } from '../../store/requests.repo.js'
import { noteRequest } from '../../store/jobs.repo.js'
import { endSubscription } from '../subscriptions/quota.js'

/**
 * The cancellation sweep (`cancellation.complete`), run by housekeeping and by tests with a
 * controlled clock (`deps.clock`): each approved cancellation whose `effectiveAt` has come
 * becomes `cancelled`, and every subscription its customer holds ends as `subscription.delete`
 * ends one (soft-deleted, its amounts given back to the seller's quota, a reseller
 * subscription no longer metering, a deprovisioning job for a plan with a provisioning
 * service), whatever depends on it: the customer asked to go. The organisation itself, its
 * users and its own customers stay (deleting it is `customer.delete`'s, an administrator's
 * decision).
 *
 * Each one is a request of its own, a child of the request that asked for the cancellation
 * (`GET /jobs/{requestGuid}` lists it), made by the system on the customer's behalf; its
 * outcome is noted in the parent's log too. Each runs in its own transaction and changes the
 * cancellation only from `approved`, so several processes sweeping at once cancel it once (the
 * loser's child request fails with `failed_precondition`). Answers how many it cancelled.
 */
export async function sweepCancellations(deps: Deps, limit = 200): Promise<number> {
  let done = 0
  for (const c of await listDueCancellations(deps.store.db, new Date(deps.clock()).toISOString(), limit)) {
    const org = await findOrgById(deps.store.db, c.org_id)
    if (!org) continue
    const actor: Actor = {
      userId: c.requested_by ?? '',
      username: 'system',
      orgId: org.id,
      orgNumber: org.number,
      orgPath: org.path,
      orgDepth: org.depth,
      role: 'superadmin',
      via: 'system',
    }
    const ctx = contextOf(deps, actor, { parentGuid: c.request_guid })
    try {
      await recorded(ctx, 'cancellation.complete', (inner) =>
        inner.store.write(async (trx) => {
          inner.request!.noteTarget(org.path, `cancellation:${c.id}`)
          const now = inner.clock()
          if (!(await moveCancellation(trx, c.id, ['approved'], 'cancelled', new Date(now).toISOString()))) {
            throw new DomainError('failed_precondition', `cancellation ${c.id} is no longer approved`)
          }
          let ended = 0
          for (const s of await listLiveSubscriptionsOf(trx, [org.id])) {
            const sub = await findSubscription(trx, s.id, true)
            if (!sub || sub.status === 'deleted') continue
            await endSubscription(inner, trx, sub, { cascade: true })
            ended++
          }
          const parent = await findRequestByGuid(trx, c.request_guid)
          if (parent) await noteRequest(trx, parent.id, now, 'info', `cancellation ${c.id} took effect: ${org.name} is cancelled, ${ended} subscription${ended === 1 ? '' : 's'} ended`)
        }),
      )
      done++
    } catch (err) {
      deps.log.warn({ err, cancellation: c.id }, 'cancellation sweep: could not complete a cancellation')
    }
  }
  return done
}
