/** Removing a login's or an organisation's avatar (seed 003's `deleteLoginAvatar`, `deleteOrgAvatar`). */
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { removeAvatar } from '../../store/avatars.repo.js'

/** Removes the actor's own avatar; having none is no error (nothing changes). */
export const deleteLoginAvatar = defineOp({
  name: 'login_avatar.delete',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<void> {
    await ctx.store.write((trx) => removeAvatar(trx, { kind: 'login', userId: ctx.actor.userId }, nowIso(ctx.clock)))
  },
})

/**
 * Removes the avatar of an organisation in the actor's subtree; needs `org.write`. Having none
 * is no error (nothing changes); otherwise the organisation gets a new version.
 */
export const deleteOrgAvatar = defineOp({
  name: 'org_avatar.delete',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePermission(ctx, 'org.write')
    await ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.avatar_sha256 == null) return
      const owner = { kind: 'org', orgNumber: org.number, orgId: org.id, orgVersion: org.version } as const
      if (!(await removeAvatar(trx, owner, nowIso(ctx.clock)))) throw new DomainError('conflict', 'the organisation changed meanwhile; try again')
    })
  },
})
