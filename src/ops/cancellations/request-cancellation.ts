import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { billingPeriodEnd, CANCELLATION_REASON_MAX, type Cancellation } from '../../core/cancellations.js'
import { findOpenCancellation, insertCancellation, moveCancellation, toCancellation, type CancellationRow } from '../../store/cancellations.repo.js'
import { holdRequest } from '../../store/jobs.repo.js'
import { mapUnique } from '../../store/store.js'
import { gateEvent } from '../approvals/gate.js'

/**
 * Asks for the cancellation of customer `orgId` (seed 001's `requestCancellation(id, reason)`),
 * recorded as a request of the core whose guid the answer carries (`requestGuid`, `GET
 * /jobs/{requestGuid}`).
 *
 * The actor needs `org.write` on the customer: its own owner or admin, or one of an ancestor
 * (a customer cannot reach its parent: `not_found`). The master organisation cannot be
 * cancelled (`failed_precondition`). At most one open (requested or approved) cancellation per
 * customer: another is refused with `already_exists`, also when two requests race (the
 * database's partial unique index decides).
 *
 * When an approval provider of the customer subscribes to `customers.Cancel`
 * (ops/approvals/), the cancellation stays `requested` with `approvalPending` and its request
 * `pending`; acceptance approves it, refusal or timeout rejects it. Otherwise it is `approved`
 * at once. An approved cancellation takes effect at `effectiveAt`, the end of the billing
 * period (the calendar month, UTC) it was approved in: the sweep (`sweepCancellations`) then
 * ends the customer's subscriptions.
 */
export const requestCancellation = defineOp({
  name: 'cancellation.request',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64, description: 'The customer to cancel' }),
      reason: Type.String({ maxLength: CANCELLATION_REASON_MAX, description: `Why (1 to ${CANCELLATION_REASON_MAX} characters, not blank)` }),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Cancellation> {
    requirePermission(ctx, 'org.write')
    const reason = input.reason.trim()
    if (reason === '') throw new DomainError('invalid_argument', 'reason must not be blank', { field: 'reason' })
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.depth === 0 || org.parent_id === null) throw new DomainError('failed_precondition', 'the master organisation cannot be cancelled')
      if (org.status === 'deleted' || org.tombstone !== 0) throw new DomainError('failed_precondition', `${org.name} is deleted`)
      const open = await findOpenCancellation(trx, org.id)
      if (open) throw alreadyOpen(org.name, open.id)
      const now = ctx.clock()
      const at = new Date(now).toISOString()
      const row: CancellationRow = {
        id: newId(),
        org_id: org.id,
        reason,
        status: 'approved',
        requested_by: ctx.actor.userId,
        request_guid: ctx.request!.guid,
        approval_id: null,
        effective_at: new Date(billingPeriodEnd(now)).toISOString(),
        created_at: at,
        updated_at: at,
        closed_at: null,
      }
      // Written first, so that a racing request meets the unique index before any approval is asked.
      await mapUnique(() => insertCancellation(trx, row), () => alreadyOpen(org.name).message)
      const gate = await gateEvent(ctx, trx, {
        org,
        object: 'customers',
        action: 'Cancel',
        chainOf: ctx.actor.orgId === org.id ? ctx.actor.userId : null,
        description: `Cancel Customer - ${org.name}`,
        effect: { kind: 'cancellation', cancellationId: row.id },
      })
      if (gate) {
        await moveCancellation(trx, row.id, ['approved'], 'requested', at, { effective_at: null, approval_id: gate.approvalId })
        await holdRequest(trx, gate.requestId, now, `cancellation ${row.id} waits for its approval ${gate.approvalId}`)
        return toCancellation({ ...row, status: 'requested', effective_at: null, approval_id: gate.approvalId })
      }
      return toCancellation(row)
    })
  },
})

function alreadyOpen(name: string, id?: string): DomainError {
  return new DomainError('already_exists', `${name} already has an open cancellation${id ? ` (${id})` : ''}; withdraw it first`, { field: 'orgId' })
}
