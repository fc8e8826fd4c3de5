/**
 * What the FTP-user operations share: the customer they act on, who may change its FTP users,
 * finding one of them, and the input schemas of their fields.
 */
import { Type } from 'typebox'
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { DomainError } from '../../core/errors.js'
import { FTP_USER_TYPES, FTP_USERNAME_PATTERN, MAX_RELATIVE_ROOT } from '../../core/ftp.js'
import { findFtpUserById, findFtpUserRow, type FtpUserRow } from '../../store/ftp-users.repo.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { Password } from '../users/schema.js'

// Printable text with at least one non-space character (no tabs or line breaks either).
const PRINTABLE = '^(?=.*\\S)[^\\x00-\\x1f\\x7f]+$'

/** An FTP user's display name (seed 001's `CustomerName`): 1–100 printable characters. */
export const FtpName = Type.String({ minLength: 1, maxLength: 100, pattern: PRINTABLE })
/** An FTP user's login name: 1–64 characters, `[A-Za-z0-9._-]`, starting with a letter or digit. */
export const FtpUsername = Type.String({ minLength: 1, maxLength: 64, pattern: FTP_USERNAME_PATTERN })
/** An FTP user's password: as a user's, 8–256 characters. */
export const FtpPassword = Password
/** The root relative to the customer's space; checked and normalised by core/ftp.ts `normaliseRelativeRoot`. */
export const RelativeRoot = Type.String({ maxLength: MAX_RELATIVE_ROOT })
/** What the FTP user may do: `full` or `readonly`. */
export const FtpType = Type.Enum(FTP_USER_TYPES)
/** A site's or an environment's name (seed 001's `SiteName`, `EnvironmentName`): 1–253 printable characters. */
export const PlaceName = Type.String({ minLength: 1, maxLength: 253, pattern: PRINTABLE })

export const OrgId = Type.String({ maxLength: 64 })
/** The customer, optional where an FTP user is named by its id (seed 001 names it by id alone). */
export const OptionalOrgId = Type.Optional(OrgId)
export const FtpUserId = Type.String({ maxLength: 64 })

/** The most FTP users a customer may have. */
export const MAX_FTP_USERS = 1000

/**
 * Loads the customer whose FTP users are read or changed: any role of its subtree may read
 * (`not_found` outside it); `write` needs `org.write`, and a deleted customer is
 * `failed_precondition`.
 */
export async function ftpOrg(ctx: Ctx, db: Db, orgId: string, write: boolean): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (write) {
    requirePermission(ctx, 'org.write')
    if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  }
  return org
}

/**
 * Loads FTP user `id` of the customer `orgId` (`not_found`, resource `ftp_user`, when it has
 * none such). Without `orgId` (seed 001 names an FTP user by its id alone) the FTP user's own
 * customer is used, and one outside the actor's subtree is `not_found` as an unknown id is.
 */
export async function getFtpUserIn(ctx: Ctx, db: Db, orgId: string | undefined, id: string, write: boolean): Promise<{ org: OrgRow; row: FtpUserRow }> {
  const gone = () => new DomainError('not_found', 'FTP user not found', { resource: 'ftp_user' })
  let owner = orgId
  if (owner === undefined) {
    const found = await findFtpUserById(db, id)
    if (!found) throw gone()
    owner = found.org_id
  }
  let org: OrgRow
  try {
    org = await ftpOrg(ctx, db, owner, write)
  } catch (e) {
    if (orgId === undefined && e instanceof DomainError && e.code === 'not_found') throw gone()
    throw e
  }
  const row = await findFtpUserRow(db, org.id, id)
  if (!row) throw gone()
  return { org, row }
}

/** The message of a taken username (usernames are unique across the system, whatever their case). */
export const usernameTaken = (username: string) => () => `FTP username ${username} is taken`
