/** Setting a login's or an organisation's avatar (seed 003's `setLoginAvatar`, `setOrgAvatar`). */
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { putAvatar } from '../../store/avatars.repo.js'
import { AvatarBytes, avatarFile } from './avatar-file.js'

/**
 * Sets the actor's own avatar (any role: it is the caller's picture), replacing the one it had,
 * and answers its id (the SHA-256 of the bytes). The bytes must be a PNG or JPEG within bounds
 * (`avatarFile`); otherwise `invalid_argument` and nothing changes.
 */
export const setLoginAvatar = defineOp({
  name: 'login_avatar.set',
  input: Type.Object({ avatar: AvatarBytes }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ sha256: string }> {
    const file = avatarFile(input.avatar)
    await ctx.store.write((trx) => putAvatar(trx, { kind: 'login', userId: ctx.actor.userId }, file, nowIso(ctx.clock)))
    return { sha256: file.sha256 }
  },
})

/**
 * Sets the avatar of an organisation in the actor's subtree, replacing the one it had; needs
 * `org.write` (whoever may edit the organisation). The organisation gets a new version. A
 * deleted organisation takes none (`failed_precondition`).
 */
export const setOrgAvatar = defineOp({
  name: 'org_avatar.set',
  input: Type.Object({ orgId: Type.String(), avatar: AvatarBytes }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ sha256: string }> {
    requirePermission(ctx, 'org.write')
    const file = avatarFile(input.avatar)
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.status === 'deleted') throw new DomainError('failed_precondition', 'a deleted organisation cannot be changed')
      const owner = { kind: 'org', orgNumber: org.number, orgId: org.id, orgVersion: org.version } as const
      if (!(await putAvatar(trx, owner, file, nowIso(ctx.clock)))) throw new DomainError('conflict', 'the organisation changed meanwhile; try again')
      return { sha256: file.sha256 }
    })
  },
})
