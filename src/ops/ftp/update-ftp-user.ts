import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { hashSecret } from '../../core/passwords.js'
import { normaliseRelativeRoot, type FtpUser } from '../../core/ftp.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { findFtpUserRow, toFtpUser, updateFtpUserRow, type FtpUserRow } from '../../store/ftp-users.repo.js'
import { FtpName, FtpPassword, FtpType, FtpUserId, FtpUsername, getFtpUserIn, OptionalOrgId, PlaceName, RelativeRoot, usernameTaken } from './ftp-access.js'

const Clearable = Type.Optional(Type.Union([PlaceName, Type.Null()]))

/**
 * Changes an FTP user of a customer (seed 001's `updateFTPUser`): the fields given replace,
 * the rest are kept; `siteName`/`environmentName` null clears them. The same rules as
 * `ftp_user.create` (unique username, hashed password, confined root); a refused change
 * changes nothing. Needs `org.write`; another customer's FTP user is `not_found`.
 */
export const updateFtpUser = defineOp({
  name: 'ftp_user.update',
  input: Type.Object(
    {
      orgId: OptionalOrgId,
      id: FtpUserId,
      name: Type.Optional(FtpName),
      username: Type.Optional(FtpUsername),
      password: Type.Optional(FtpPassword),
      relativeRoot: Type.Optional(RelativeRoot),
      type: Type.Optional(FtpType),
      siteName: Clearable,
      environmentName: Clearable,
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<FtpUser> {
    const fields: Partial<Omit<FtpUserRow, 'id' | 'org_id'>> = {}
    if (input.relativeRoot !== undefined) fields.relative_root = normaliseRelativeRoot(input.relativeRoot)
    if (input.name !== undefined) fields.name = input.name.trim()
    if (input.username !== undefined) Object.assign(fields, { username: input.username, username_key: input.username.toLowerCase() })
    if (input.type !== undefined) fields.type = input.type
    if (input.siteName !== undefined) fields.site_name = input.siteName
    if (input.environmentName !== undefined) fields.environment_name = input.environmentName
    if (input.password !== undefined) {
      await getFtpUserIn(ctx, ctx.store.db, input.orgId, input.id, true)
      fields.password_hash = await hashSecret(input.password)
    }
    return ctx.store.write(async (trx) => {
      const { org, row } = await getFtpUserIn(ctx, trx, input.orgId, input.id, true)
      fields.updated_at = nowIso(ctx.clock)
      await mapUnique(() => updateFtpUserRow(trx, row.id, fields), usernameTaken(input.username ?? row.username))
      return toFtpUser((await findFtpUserRow(trx, org.id, row.id))!)
    })
  },
})
