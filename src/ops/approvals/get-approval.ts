import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { inScope } from '../access.js'
import { can } from '../../core/roles.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { findApprovalRow, findResponseRow } from '../../store/approvals.repo.js'
import type { ApprovalView } from './model.js'
import { approvalViews } from './views.js'

/**
 * One approval request by the GUID of one of its responses (seed 004's GET of
 * `<approval><id>GUID</id></approval>`). The approver the response is addressed to sees the
 * request with its own response only; an actor with `org.write` on the request's organisation
 * (or an ancestor) sees every response. Anyone else: `not_found`, as for an unknown GUID.
 */
export const getApproval = defineOp({
  name: 'approval.get',
  input: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApprovalView> {
    const db = ctx.store.db
    const resp = isUuid(input.id) ? await findResponseRow(db, input.id) : undefined
    const approval = resp ? await findApprovalRow(db, resp.approval_id) : undefined
    if (!resp || !approval) throw notFound(input.id)
    const admin = await administers(ctx, approval.org_id)
    if (!admin && resp.user_id !== ctx.actor.userId) throw notFound(input.id)
    return (await approvalViews(db, [approval], admin ? undefined : resp.user_id))[0]!
  },
})

/** True when the actor may manage the approvals of `orgId` (`org.write` there). */
export async function administers(ctx: Ctx, orgId: string): Promise<boolean> {
  if (!can(ctx.actor.role, 'org.write')) return false
  const org = await findOrgById(ctx.store.db, orgId)
  return org !== undefined && inScope(ctx, org.path)
}

export function notFound(id: string): DomainError {
  return new DomainError('not_found', `no approval response ${id} addressed to you`)
}
