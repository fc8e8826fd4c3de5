import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { readProperties } from '../../store/properties.repo.js'
import type { PropertyMap } from '../../core/account.js'
import { organizationOf, type Organization } from '../../store/orgs.repo.js'

/**
 * Answers one organisation in the actor's subtree (any role may read); with `withProperties`,
 * its customer properties too (seed 004's `<customerproperties/>`).
 */
export const getOrg = defineOp({
  name: 'org.get',
  input: Type.Object({ orgId: Type.String(), withProperties: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Organization & { customerProperties?: PropertyMap }> {
    const org = organizationOf(ctx.store.db, await getOrgInScope(ctx, ctx.store.db, input.orgId))
    if (!input.withProperties) return org
    return { ...org, customerProperties: await readProperties(ctx.store.db, 'org', org.id) }
  },
})
