import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { getUserInOrg } from './get-user.js'
import { DomainError } from '../../core/errors.js'
import { mayGrant, type Role } from '../../core/roles.js'

/**
 * Deletes a user, with its sessions, keys and group memberships.
 *
 * Needs `member.write` and a role at least the user's. An organisation's last user cannot be
 * deleted (`failed_precondition`): every customer keeps someone who can log in. Nobody deletes
 * themselves. A user holding services (not `NotProvisioned`) is not deleted until they are
 * deprovisioned (`failed_precondition`).
 */
export const deleteUser = defineOp({
  name: 'user.delete',
  input: Type.Object(
    { orgId: Type.String(), userId: Type.String(), expectedVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'member.write')
    if (input.userId === ctx.actor.userId) throw new DomainError('failed_precondition', 'you may not delete yourself')
    await ctx.store.write(async (trx) => {
      // Concurrent deletes in one organisation queue on its row, so that each counts the users
      // the others left (SQLite's write transactions are serial already).
      if (ctx.store.dialect === 'postgres') {
        await trx.selectFrom('orgs').select('id').where('id', '=', input.orgId).forUpdate().execute()
      }
      const u = await getUserInOrg(ctx, trx, input.orgId, input.userId)
      if (!mayGrant(ctx.actor.role, u.role as Role)) {
        throw new DomainError('forbidden', `role ${ctx.actor.role} may not delete a user with role ${u.role}`)
      }
      if (input.expectedVersion !== undefined && input.expectedVersion !== u.version) {
        throw new DomainError('version_mismatch', `user was changed since version ${input.expectedVersion}`)
      }
      const { n } = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', u.org_id)
        .executeTakeFirstOrThrow()
      if (Number(n) <= 1) {
        throw new DomainError('failed_precondition', `${u.username} is the organisation's last user and cannot be deleted`)
      }
      const live = await trx.selectFrom('user_services').select('id').where('user_id', '=', u.id).where('status', '!=', 'NotProvisioned').limit(1).executeTakeFirst()
      if (live) throw new DomainError('failed_precondition', `${u.username} holds services; deprovision them first`)
      await trx.deleteFrom('user_services').where('user_id', '=', u.id).execute()
      await trx.deleteFrom('users').where('id', '=', u.id).execute()
    })
  },
})
