import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { hashSecret } from '../../core/passwords.js'
import { normaliseRelativeRoot, type FtpUser } from '../../core/ftp.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { countFtpUsers, findFtpUserRow, insertFtpUserRow, toFtpUser } from '../../store/ftp-users.repo.js'
import { FtpName, FtpPassword, FtpType, FtpUsername, ftpOrg, MAX_FTP_USERS, OrgId, PlaceName, RelativeRoot, usernameTaken } from './ftp-access.js'

/**
 * Creates an FTP user of a customer (seed 001's `createFTPUser`). The username is unique across
 * the system whatever its case (`already_exists`, also when two creates race); the password is
 * stored only as an argon2id hash and never answered; the relative root is confined to the
 * customer's space and stored normalised (core/ftp.ts). At most 1000 FTP users a customer
 * (`failed_precondition`). Needs `org.write`.
 */
export const createFtpUser = defineOp({
  name: 'ftp_user.create',
  input: Type.Object(
    {
      orgId: OrgId,
      name: FtpName,
      username: FtpUsername,
      password: FtpPassword,
      relativeRoot: RelativeRoot,
      type: FtpType,
      siteName: Type.Optional(PlaceName),
      environmentName: Type.Optional(PlaceName),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<FtpUser> {
    const relativeRoot = normaliseRelativeRoot(input.relativeRoot)
    // Checked before hashing, so that a refusal costs no hash; the write checks again.
    await ftpOrg(ctx, ctx.store.db, input.orgId, true)
    const hash = await hashSecret(input.password)
    return ctx.store.write(async (trx) => {
      const org = await ftpOrg(ctx, trx, input.orgId, true)
      if ((await countFtpUsers(trx, org.id)) >= MAX_FTP_USERS) {
        throw new DomainError('failed_precondition', `${org.name} already has ${MAX_FTP_USERS} FTP users`)
      }
      const now = nowIso(ctx.clock)
      const id = newId()
      await mapUnique(
        () =>
          insertFtpUserRow(trx, {
            id,
            org_id: org.id,
            name: input.name.trim(),
            username: input.username,
            username_key: input.username.toLowerCase(),
            password_hash: hash,
            relative_root: relativeRoot,
            type: input.type,
            site_name: input.siteName ?? null,
            environment_name: input.environmentName ?? null,
            created_at: now,
            updated_at: now,
          }),
        usernameTaken(input.username),
      )
      return toFtpUser((await findFtpUserRow(trx, org.id, id))!)
    })
  },
})
