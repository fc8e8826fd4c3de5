import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { answerResponseRow, findApprovalRow, findApprovalRowLocked, findResponseRow, listAcceptedGateIds, listGateRows } from '../../store/approvals.repo.js'
import { noteRequest } from '../../store/jobs.repo.js'
import type { ApprovalView } from './model.js'
import { approvalViews } from './views.js'
import { acceptApproval, refuseApproval } from './gate.js'
import { notFound } from './get-approval.js'

/**
 * Answers one approval response (seed 004's SET of `<approvalresponses>…<subscription><id>GUID</id>
 * <status>Accepted|Rejected</status><reason>…</reason>`), as the approver it is addressed to —
 * nobody else, whatever their role (`not_found`, as for an unknown GUID). `orgId` and `userId`
 * scope the call as the seed's customer-level and user-level SETs do: given, they must be the
 * request's organisation and the response's user (`not_found` otherwise).
 *
 * One `Rejected` ends the approval: the gated request fails with `rejected by <username>:
 * <reason>`, its subject goes back to where it was, and the other responses close. An
 * `Accepted` counts towards its provider's gate; once every gate has its acceptances
 * (`membersToApprove` for a group; every manager of the chain, or one fallback approver, for
 * "Workflow Managers"), the work goes on: a service's job goes to the workers, a user is
 * created or deleted. A response already answered, or an approval already ended, is refused
 * with `failed_precondition` saying which. Answers the approval as the approver sees it.
 */
export const decideApproval = defineOp({
  name: 'approval.decide',
  input: Type.Object(
    {
      id: Type.String({ maxLength: 64, description: 'The GUID of the response (the seed\'s subscription id)' }),
      status: Type.Union([Type.Literal('Accepted'), Type.Literal('Rejected')]),
      reason: Type.Optional(Type.String({ maxLength: 2000 })),
      orgId: Type.Optional(Type.String({ maxLength: 64 })),
      userId: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ApprovalView> {
    let released = false
    const out = await ctx.store.write(async (trx) => {
      const resp = isUuid(input.id) ? await findResponseRow(trx, input.id) : undefined
      if (!resp || resp.user_id !== ctx.actor.userId || (input.userId !== undefined && input.userId !== resp.user_id)) throw notFound(input.id)
      const approval = await findApprovalRowLocked(trx, ctx.store.dialect, resp.approval_id)
      if (!approval || (input.orgId !== undefined && input.orgId !== approval.org_id)) throw notFound(input.id)
      const org = await findOrgById(trx, approval.org_id)
      if (org) ctx.request?.noteTarget(org.path, `approval:${approval.id}`)
      if (resp.status !== 'Pending') throw new DomainError('failed_precondition', `approval response ${resp.id} was already answered (${resp.status})`)
      if (approval.status !== 'Pending') throw new DomainError('failed_precondition', `approval request ${approval.id} has already ended (${approval.status})`)
      const now = ctx.clock()
      const reason = input.reason ?? ''
      if (!(await answerResponseRow(trx, resp.id, input.status, reason, new Date(now).toISOString()))) {
        throw new DomainError('failed_precondition', `approval response ${resp.id} was already answered`)
      }
      const gates = await listGateRows(trx, [approval.id])
      const gate = gates.find((g) => g.id === resp.gate_id)
      await noteRequest(trx, approval.request_id, now, 'info', `approval ${approval.id}: ${ctx.actor.username} (${gate?.provider ?? ''}) answered ${input.status}${reason ? `: ${reason}` : ''}`)
      if (input.status === 'Rejected') {
        await refuseApproval(trx, approval, now, 'Rejected', `rejected by ${ctx.actor.username}: ${reason || 'no reason given'}`)
      } else {
        const accepted = await listAcceptedGateIds(trx, approval.id)
        const done = gates.every((g) => accepted.filter((id) => id === g.id).length >= g.required)
        if (done) released = await acceptApproval(trx, approval, now)
      }
      const fresh = (await findApprovalRow(trx, approval.id))!
      return (await approvalViews(trx, [fresh], ctx.actor.userId))[0]!
    })
    if (released) ctx.jobs?.ring()
    return out
  },
})
