import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { getUserInOrg } from './get-user.js'
import { DomainError } from '../../core/errors.js'
import { mayGrant, type Role } from '../../core/roles.js'
import { lockOrgForUpdate } from '../../store/orgs.repo.js'
import { countOrgUsers, deleteUserRow, setUserApprovalState, userHoldsServices } from '../../store/users.repo.js'
import { getOrgInScope } from '../access.js'
import { gateEvent } from '../approvals/gate.js'
import { holdRequest } from '../../store/jobs.repo.js'

/**
 * Deletes a user, with its sessions, keys and group memberships.
 *
 * Needs `member.write` and a role at least the user's. An organisation's last user cannot be
 * deleted (`failed_precondition`): every customer keeps someone who can log in. Nobody deletes
 * themselves. A user holding services (not `NotProvisioned`) is not deleted until they are
 * deprovisioned (`failed_precondition`).
 *
 * When an approval provider of the organisation subscribes to `users` Deprovision
 * (ops/approvals/), the user stays (`approvalPending`) and the request waits `pending`
 * (`approvalPending: true` answered): acceptance deletes it, checking again that it is not the
 * last user; refusal or timeout keeps it. A user waiting for approval is not deleted (`conflict`).
 */
export const deleteUser = defineOp({
  name: 'user.delete',
  input: Type.Object(
    { orgId: Type.String(), userId: Type.String(), expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ approvalPending: boolean }> {
    requirePermission(ctx, 'member.write')
    if (input.userId === ctx.actor.userId) throw new DomainError('failed_precondition', 'you may not delete yourself')
    return ctx.store.write(async (trx) => {
      // Concurrent deletes in one organisation queue on its row, so that each counts the users
      // the others left (SQLite's write transactions are serial already).
      await lockOrgForUpdate(trx, ctx.store.dialect, input.orgId)
      const u = await getUserInOrg(ctx, trx, input.orgId, input.userId)
      if (!mayGrant(ctx.actor.role, u.role as Role)) {
        throw new DomainError('forbidden', `role ${ctx.actor.role} may not delete a user with role ${u.role}`)
      }
      if (input.expectedVersion !== undefined && input.expectedVersion !== u.version) {
        throw new DomainError('version_mismatch', `user was changed since version ${input.expectedVersion}`)
      }
      if ((await countOrgUsers(trx, u.org_id)) <= 1) {
        throw new DomainError('failed_precondition', `${u.username} is the organisation's last user and cannot be deleted`, { resource: 'user', reason: 'last_user' })
      }
      if (await userHoldsServices(trx, u.id)) throw new DomainError('failed_precondition', `${u.username} holds services; deprovision them first`)
      if (u.approval_state != null) throw new DomainError('conflict', `${u.username} waits for an approval; try again when it is decided`)
      const gate = await gateEvent(ctx, trx, {
        org: await getOrgInScope(ctx, trx, u.org_id),
        object: 'users',
        action: 'Deprovision',
        chainOf: u.id,
        description: `Deprovision User - ${[u.first_name, u.last_name].filter(Boolean).join(' ') || u.username}`,
        effect: { kind: 'user-delete', userId: u.id },
      })
      if (gate) {
        await setUserApprovalState(trx, u.id, 'pending-delete')
        await holdRequest(trx, gate.requestId, ctx.clock(), `user ${u.username} is deleted once its approval ${gate.approvalId} is accepted`)
        return { approvalPending: true }
      }
      await deleteUserRow(trx, u.id)
      return { approvalPending: false }
    })
  },
})
