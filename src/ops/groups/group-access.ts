import type { Ctx } from '../context.js'
import { getOrgInScope } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import type { Db } from '../../store/store.js'
import type { GroupTable } from '../../store/schema.js'
import { findGroupById } from '../../store/groups.repo.js'

/** Loads a group of `orgId` that the actor may see, or throws `not_found`. */
export async function getGroupInOrg(ctx: Ctx, db: Db, orgId: string, groupId: string): Promise<GroupTable> {
  await getOrgInScope(ctx, db, orgId)
  const g = isUuid(groupId) ? await findGroupById(db, groupId) : undefined
  if (!g || g.org_id !== orgId) throw new DomainError('not_found', 'group not found')
  return g
}
