/** The check every uploaded avatar passes, whoever it is for. */
import { createHash } from 'node:crypto'
import { Type } from 'typebox'
import { DomainError } from '../../core/errors.js'
import { MAX_AVATAR_BYTES, sniffImage } from '../../core/images.js'
import type { AvatarFile } from '../../store/avatars.repo.js'

/** An uploaded picture's bytes, as an operation's input (checked by `avatarFile`). */
export const AvatarBytes = Type.Unsafe<Uint8Array>({ description: "The picture's bytes (PNG or JPEG)" })

/**
 * The avatar `bytes` make: a whole PNG or JPEG of at most `MAX_AVATAR_BYTES` and
 * `MAX_AVATAR_PIXELS` a side (core/images.ts), its content type taken from the bytes themselves
 * and its id their SHA-256. Anything else is `invalid_argument` naming the field `avatar`.
 */
export function avatarFile(bytes: unknown): AvatarFile {
  if (!(bytes instanceof Uint8Array)) throw new DomainError('invalid_argument', 'avatar must be the bytes of a file', { field: 'avatar' })
  if (bytes.length === 0) throw new DomainError('invalid_argument', 'avatar is an empty file', { field: 'avatar' })
  if (bytes.length > MAX_AVATAR_BYTES) throw new DomainError('invalid_argument', `avatar is larger than ${MAX_AVATAR_BYTES / 1024} KiB`, { field: 'avatar' })
  const image = sniffImage(bytes)
  if (!image.ok) throw new DomainError('invalid_argument', `avatar: ${image.reason}; send a PNG or JPEG image`, { field: 'avatar' })
  return { sha256: createHash('sha256').update(bytes).digest('hex'), contentType: image.contentType, size: bytes.length, bytes }
}
