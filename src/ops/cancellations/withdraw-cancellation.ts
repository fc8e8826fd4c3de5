import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import type { Cancellation } from '../../core/cancellations.js'
import { findCancellation, moveCancellation, toCancellation } from '../../store/cancellations.repo.js'
import { findApprovalRowLocked } from '../../store/approvals.repo.js'
import { findRequestByGuid } from '../../store/requests.repo.js'
import { noteRequest } from '../../store/jobs.repo.js'
import { refuseApproval } from '../approvals/gate.js'
import { getCancellationInScope } from './cancellation-access.js'

/**
 * Withdraws cancellation `id` while it is open (`requested` or `approved`); afterwards
 * `failed_precondition` saying its status. Needs `org.write` on its customer (own or an
 * ancestor's); outside the actor's subtree `not_found`. A cancellation still waiting for its
 * approval ends that approval (as `Rejected`, its responses `Closed`), and its request fails
 * with `withdrawn by <username>`; an approved one notes the withdrawal in its request's log.
 * The customer's subscriptions are untouched. Answers the cancellation as it now stands.
 */
export const withdrawCancellation = defineOp({
  name: 'cancellation.withdraw',
  input: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Cancellation> {
    requirePermission(ctx, 'org.write')
    return ctx.store.write(async (trx) => {
      const { row } = await getCancellationInScope(ctx, trx, input.id)
      const now = ctx.clock()
      const at = new Date(now).toISOString()
      if (!(await moveCancellation(trx, row.id, ['requested', 'approved'], 'withdrawn', at))) {
        const fresh = await findCancellation(trx, row.id)
        throw new DomainError('failed_precondition', `cancellation ${row.id} is ${fresh?.status ?? 'gone'} and can no longer be withdrawn`)
      }
      const message = `withdrawn by ${ctx.actor.username}`
      const approval = row.approval_id ? await findApprovalRowLocked(trx, ctx.store.dialect, row.approval_id) : undefined
      if (approval && approval.status === 'Pending') {
        await refuseApproval(trx, approval, now, 'Rejected', `cancellation ${message} before its approval`)
      } else {
        const req = await findRequestByGuid(trx, row.request_guid)
        if (req) await noteRequest(trx, req.id, now, 'info', `cancellation ${row.id} ${message}`)
      }
      return toCancellation((await findCancellation(trx, row.id))!)
    })
  },
})
