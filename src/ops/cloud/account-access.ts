import type { Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { findAccount, type CloudAccountRow } from '../../store/cloud.repo.js'
import { getLiveOrgInScope } from './cloud-access.js'

/**
 * Loads a cloud account of `orgId` (a live organisation of the actor's subtree) with its
 * organisation, or throws `not_found`; an account of another organisation is not found.
 */
export async function getAccountInOrg(ctx: Ctx, db: Db, orgId: string, accountId: string): Promise<{ org: OrgRow; account: CloudAccountRow }> {
  const org = await getLiveOrgInScope(ctx, db, orgId)
  const account = isUuid(accountId) ? await findAccount(db, accountId) : undefined
  if (!account || account.org_id !== org.id) throw new DomainError('not_found', 'cloud account not found')
  return { org, account }
}
