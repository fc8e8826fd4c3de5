import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { FtpUser } from '../../core/ftp.js'
import { listFtpUserRows, toFtpUser } from '../../store/ftp-users.repo.js'
import { ftpOrg, OrgId, PlaceName } from './ftp-access.js'

/**
 * Lists a customer's FTP users by username (seed 001's `listFTPUsers`), optionally only those of
 * a site and/or an environment (exact names). Any role of the customer's subtree may read.
 */
export const listFtpUsers = defineOp({
  name: 'ftp_user.list',
  input: Type.Object({ orgId: OrgId, siteName: Type.Optional(PlaceName), environmentName: Type.Optional(PlaceName) }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: FtpUser[]; total: number }> {
    const db = ctx.store.db
    const org = await ftpOrg(ctx, db, input.orgId, false)
    const items = (await listFtpUserRows(db, org.id, input)).map(toFtpUser)
    return { items, total: items.length }
  },
})
