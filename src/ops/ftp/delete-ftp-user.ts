import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteFtpUserRow } from '../../store/ftp-users.repo.js'
import { FtpUserId, getFtpUserIn, OptionalOrgId } from './ftp-access.js'

/** Deletes an FTP user of a customer (seed 001's `destroyFTPUser`); needs `org.write`; another customer's is `not_found`. */
export const deleteFtpUser = defineOp({
  name: 'ftp_user.delete',
  input: Type.Object({ orgId: OptionalOrgId, id: FtpUserId }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ id: string }> {
    return ctx.store.write(async (trx) => {
      const { row } = await getFtpUserIn(ctx, trx, input.orgId, input.id, true)
      await deleteFtpUserRow(trx, row.id)
      return { id: row.id }
    })
  },
})
