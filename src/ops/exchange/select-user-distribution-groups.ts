import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { MAX_GROUP_LIST, type DistributionGroup } from '../../core/exchange.js'
import { addUserMember, countGroupList, findGroupRow, isUserMember, listUserGroupRows, removeUserMember, updateGroupRow } from '../../store/exchange.repo.js'
import { nowIso } from '../../store/store.js'
import { CatalogName } from '../catalog/schema.js'
import { getHeldUserService, RefFields, refOf } from './exchange-access.js'
import { groupsOf } from './group-view.js'

/**
 * Selects a user into distribution groups of a customer's service, or out of them (seed 004's
 * SET `<user><service><distributiongroups><distributiongroup><path|displayname>…<selected>`).
 * Each change names a group by `id`, `syncObjectId`, `path` or `displayName` and says
 * `selected`: true adds the user to the group's member list (an entry with its name, address
 * and id; nothing when it is there already), false removes it (nothing when it is not). All or
 * nothing: an unknown group (`not_found`, resource `distributiongroup`) or a full member list
 * (`failed_precondition`) changes none. Needs `member.write`; the user must hold the service.
 * Answers the user's groups afterwards.
 */
export const selectUserDistributionGroups = defineOp({
  name: 'user_distribution_group.select',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      userId: Type.String({ maxLength: 64 }),
      service: CatalogName,
      groups: Type.Array(Type.Object({ ...RefFields, selected: Type.Boolean() }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: DistributionGroup[]; total: number }> {
    const refs = input.groups.map((g) => ({ ref: refOf(g, 'distribution group'), selected: g.selected }))
    return ctx.store.write(async (trx) => {
      const { cs, service, user } = await getHeldUserService(ctx, trx, input.orgId, input.userId, input.service, true)
      const now = nowIso(ctx.clock)
      for (const { ref, selected } of refs) {
        const g = await findGroupRow(trx, cs.id, ref)
        if (!g) throw new DomainError('not_found', `${service.name} has no distribution group ${JSON.stringify(ref.displayName ?? ref.path ?? ref.syncObjectId ?? ref.id)}`, { resource: 'distributiongroup' })
        const member = await isUserMember(trx, g.id, user.id)
        if (selected && !member) {
          if ((await countGroupList(trx, g.id, 'members')) >= MAX_GROUP_LIST) {
            throw new DomainError('failed_precondition', `distribution group ${g.display_name} already has ${MAX_GROUP_LIST} members`)
          }
          const name = [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username
          await addUserMember(trx, g.id, { displayName: name, syncObjectId: '', path: '', email: user.email, enabled: user.enabled === 1, userId: user.id })
          await updateGroupRow(trx, g.id, { updated_at: now })
        } else if (!selected && member) {
          await removeUserMember(trx, g.id, user.id)
          await updateGroupRow(trx, g.id, { updated_at: now })
        }
      }
      const items = await groupsOf(trx, await listUserGroupRows(trx, cs.id, user.id), false)
      return { items, total: items.length }
    })
  },
})
