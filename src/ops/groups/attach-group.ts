/**
 * Seed 000's `addCloudUserGroup` / `removeCloudUserGroup`: a customer's cloud user groups are
 * the groups of its organisation. Adding a group hands it to the customer; removing it is
 * `group.delete` (the group goes, its users stay).
 */
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, inScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findGroupIdByName, findGroupMemberOutside, findGroupWithOrgPath, moveGroup } from '../../store/groups.repo.js'

/**
 * Gives the group `groupId` to the organisation `orgId`. A group the organisation already has
 * stays as it is (`moved` false). A group of another organisation of the actor's subtree moves
 * to it, provided every member is a user of `orgId` or of one of its descendants (a group's
 * members always are); otherwise `failed_precondition`. A group name the organisation already
 * uses is `already_exists`. Needs `group.write`.
 */
export const attachGroup = defineOp({
  name: 'group.attach',
  input: Type.Object({ orgId: Type.String(), groupId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ moved: boolean }> {
    requirePermission(ctx, 'group.write')
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
      const g = isUuid(input.groupId) ? await findGroupWithOrgPath(trx, input.groupId) : undefined
      if (!g || !inScope(ctx, g.path)) throw new DomainError('not_found', 'cloud user group not found')
      if (g.org_id === org.id) return { moved: false }
      const outside = await findGroupMemberOutside(trx, g.id, org.path)
      if (outside !== undefined) {
        throw new DomainError('failed_precondition', `group ${g.name} has members outside ${org.name} (${outside}); remove them first`)
      }
      const clash = await findGroupIdByName(trx, org.id, g.name)
      if (clash !== undefined) throw new DomainError('already_exists', `${org.name} already has a group named ${JSON.stringify(g.name)}`)
      await moveGroup(trx, g.id, org.id)
      return { moved: true }
    })
  },
})
