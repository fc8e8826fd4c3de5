import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { insertGroup, toGroup, type Group } from '../../store/groups.repo.js'
import { mapUnique, nowIso } from '../../store/store.js'

/** Creates a group of users in an organisation; names are unique per organisation. Needs `group.write`. */
export const createGroup = defineOp({
  name: 'group.create',
  input: Type.Object(
    {
      orgId: Type.String(),
      name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
      description: Type.Optional(Type.String({ maxLength: 1000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Group> {
    requirePermission(ctx, 'group.write')
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
      const row = { id: newId(), org_id: org.id, name: input.name.trim(), description: input.description ?? '', created_at: nowIso(ctx.clock) }
      await mapUnique(
        () => insertGroup(trx, row),
        () => `a group named ${JSON.stringify(row.name)} already exists`,
      )
      return toGroup(row)
    })
  },
})
