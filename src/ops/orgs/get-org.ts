import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { organizationOf, type Organization } from '../../store/orgs.repo.js'

/** Answers one organisation in the actor's subtree (any role may read). */
export const getOrg = defineOp({
  name: 'org.get',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<Organization> {
    return organizationOf(ctx.store.db, await getOrgInScope(ctx, ctx.store.db, input.orgId))
  },
})
