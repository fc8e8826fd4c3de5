/**
 * Customer-controlled FTP users (seed 001's `createFTPUser` … `destroyFTPUser`): their shape,
 * their types and where their root may point.
 */
import { posix } from 'node:path'
import { DomainError } from './errors.js'

/**
 * What an FTP user may do in its root (seed 001's `FTPUserType`, which the seed does not spell
 * out): `full` reads and writes, `readonly` only reads.
 */
export const FTP_USER_TYPES = ['full', 'readonly'] as const
export type FtpUserType = (typeof FTP_USER_TYPES)[number]

/** An FTP user as every face sees it; its password is never part of it. */
export interface FtpUser {
  id: string
  orgId: string
  name: string
  username: string
  /** The user's root inside the customer's space: `/` for the space itself, else `a/b`. */
  relativeRoot: string
  type: FtpUserType
  siteName: string | null
  environmentName: string | null
  createdAt: string
  updatedAt: string
}

/** An FTP user's login name: 1–64 characters, letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const FTP_USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
/** The longest relative root accepted, in characters (before normalising). */
export const MAX_RELATIVE_ROOT = 1024
/** The longest segment of a relative root. */
const MAX_SEGMENT = 255

// C0 controls, DEL and the C1 controls; also the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * Checks and normalises an FTP user's root relative to the customer's space. `''`, `.` and `/`
 * name the space itself and give `/`; anything else is normalised with POSIX rules
 * (`a/./b//c/` → `a/b/c`) and must stay inside the space. Refused (`invalid_argument`, field
 * `relativeRoot`): an absolute path other than `/`, a path whose `..` leaves the space, NUL and
 * other control characters, backslashes, segments over 255 characters.
 */
export function normaliseRelativeRoot(raw: string): string {
  const bad = (why: string): never => {
    throw new DomainError('invalid_argument', `relativeRoot ${why}`, { field: 'relativeRoot' })
  }
  if (raw.length > MAX_RELATIVE_ROOT) bad(`is longer than ${MAX_RELATIVE_ROOT} characters`)
  if (CONTROL.test(raw)) bad('may not hold control characters')
  if (raw.includes('\\')) bad('may not hold backslashes (use /)')
  if (raw === '' || raw === '.' || raw === '/') return '/'
  if (raw.startsWith('/')) bad('must be relative to the customer\'s space (no leading /)')
  const norm = posix.normalize(raw).replace(/\/+$/, '')
  if (norm === '..' || norm.startsWith('../')) bad('may not leave the customer\'s space')
  if (norm === '.' || norm === '') return '/'
  if (norm.split('/').some((s) => s.length > MAX_SEGMENT)) bad(`has a segment longer than ${MAX_SEGMENT} characters`)
  return norm
}
