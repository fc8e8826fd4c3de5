import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { can } from '../../core/roles.js'
import { DomainError } from '../../core/errors.js'
import { listApprovalRows } from '../../store/approvals.repo.js'
import { getUserInOrg } from '../users/get-user.js'
import type { ApprovalView } from './model.js'
import { approvalViews } from './views.js'

const Status = Type.Union([Type.Literal('Pending'), Type.Literal('Accepted'), Type.Literal('Rejected'), Type.Literal('TimedOut')])
const Limit = Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many, newest first (default 200)' })

/**
 * The approval requests of a customer (seed 004's GET of a customer's `<approvalresponses />`),
 * newest first, each with every approver's response. Needs `org.write` on the organisation
 * (those who manage its approval providers); `status` filters.
 */
export const listApprovals = defineOp({
  name: 'approval.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), status: Type.Optional(Status), limit: Type.Optional(Limit) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ApprovalView[]> {
    requirePermission(ctx, 'org.write')
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const rows = await listApprovalRows(ctx.store.db, { orgId: org.id, ...(input.status ? { status: input.status } : {}) }, input.limit ?? 200)
    return approvalViews(ctx.store.db, rows)
  },
})

/**
 * The approval requests addressed to one user (seed 004's GET of a user's `<approvalresponses />`),
 * each with only that user's response. The user itself may list them (`userId` omitted: the
 * actor); anyone else needs `org.write` on the user's organisation (`orgId` then required).
 */
export const listUserApprovals = defineOp({
  name: 'user_approval.list',
  input: Type.Object(
    { orgId: Type.Optional(Type.String({ maxLength: 64 })), userId: Type.Optional(Type.String({ maxLength: 64 })), status: Type.Optional(Status), limit: Type.Optional(Limit) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ApprovalView[]> {
    const userId = input.userId ?? ctx.actor.userId
    if (userId === ctx.actor.userId) {
      if (input.orgId !== undefined && input.orgId !== ctx.actor.orgId) throw new DomainError('not_found', 'user not found')
    } else {
      if (input.orgId === undefined) throw new DomainError('invalid_argument', "orgId is required to list another user's approvals", { field: 'orgId' })
      await getUserInOrg(ctx, ctx.store.db, input.orgId, userId)
      if (!can(ctx.actor.role, 'org.write')) throw new DomainError('not_found', 'user not found')
    }
    const rows = await listApprovalRows(ctx.store.db, { userId, ...(input.status ? { status: input.status } : {}) }, input.limit ?? 200)
    return approvalViews(ctx.store.db, rows, userId)
  },
})
