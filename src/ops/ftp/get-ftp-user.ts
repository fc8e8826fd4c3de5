import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { FtpUser } from '../../core/ftp.js'
import { toFtpUser } from '../../store/ftp-users.repo.js'
import { FtpUserId, getFtpUserIn, OptionalOrgId } from './ftp-access.js'

/** One FTP user of a customer (never its password). Any role of the customer's subtree may read; another customer's is `not_found`. */
export const getFtpUser = defineOp({
  name: 'ftp_user.get',
  input: Type.Object({ orgId: OptionalOrgId, id: FtpUserId }, { additionalProperties: false }),
  async run(ctx, input): Promise<FtpUser> {
    return toFtpUser((await getFtpUserIn(ctx, ctx.store.db, input.orgId, input.id, false)).row)
  },
})
