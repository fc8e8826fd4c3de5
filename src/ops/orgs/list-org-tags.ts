import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { listOrgTagRows } from '../../store/org-tags.repo.js'
import { toOrgTag, type OrgTag } from './tags.js'

/** Lists the tags of an organisation in the actor's subtree, by name (any role may read). */
export const listOrgTags = defineOp({
  name: 'org_tag.list',
  input: Type.Object({ orgId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<OrgTag[]> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    return (await listOrgTagRows(ctx.store.db, org.id)).map(toOrgTag)
  },
})
