import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findAvatarBySha256, type AvatarFile } from '../../store/avatars.repo.js'

/**
 * An avatar by its id (the SHA-256 of its bytes, 64 lowercase hex digits), for any
 * authenticated actor whatever its organisation: the id is known only to whoever was answered
 * it (or holds the picture), and a picture shown in a panel is no secret of its tenant.
 * `not_found` for an id no avatar has.
 */
export const getAvatar = defineOp({
  name: 'avatar.get',
  input: Type.Object({ sha256: Type.String({ maxLength: 128 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<AvatarFile> {
    const a = /^[0-9a-f]{64}$/.test(input.sha256) ? await findAvatarBySha256(ctx.store.db, input.sha256) : undefined
    if (!a) throw new DomainError('not_found', 'no such avatar')
    return a
  },
})
