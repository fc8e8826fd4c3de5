import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { countOrgTags, findOrgTagRow, insertOrgTag, setOrgTagColor } from '../../store/org-tags.repo.js'
import { defaultTagColor, MAX_ORG_TAGS, TagColor, TagName } from './tags.js'

/**
 * Creates a tag of an organisation in the actor's subtree (seed 003's `createTag`) and answers
 * its id; needs `org.write`. The name is trimmed; without `colorCode` the colour comes from the
 * name. A name the organisation already has answers that tag's id (its colour changed when one
 * is given), so that creating twice, or from two clients at once, makes one tag. At most
 * `MAX_ORG_TAGS` per organisation (`invalid_argument` past it); a deleted one takes none.
 */
export const createOrgTag = defineOp({
  name: 'org_tag.create',
  input: Type.Object({ orgId: Type.String(), tag: TagName, colorCode: Type.Optional(TagColor) }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ id: number; created: boolean }> {
    requirePermission(ctx, 'org.write')
    const tag = input.tag.trim()
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.status === 'deleted') throw new DomainError('failed_precondition', 'a deleted organisation cannot be changed')
      const existing = await findOrgTagRow(trx, org.id, tag)
      if (existing === undefined && (await countOrgTags(trx, org.id)) >= MAX_ORG_TAGS) {
        throw new DomainError('invalid_argument', `an organisation has at most ${MAX_ORG_TAGS} tags`, { field: 'tag' })
      }
      const id = existing ? Number(existing.id) : await insertOrgTag(trx, { org_id: org.id, tag, color_code: input.colorCode ?? defaultTagColor(tag), created_at: nowIso(ctx.clock) })
      if (id !== undefined) {
        if (existing && input.colorCode !== undefined && input.colorCode !== existing.color_code) await setOrgTagColor(trx, id, input.colorCode)
        return { id, created: existing === undefined }
      }
      // Another writer made it meanwhile (PostgreSQL): answer theirs.
      const theirs = (await findOrgTagRow(trx, org.id, tag))!
      if (input.colorCode !== undefined && input.colorCode !== theirs.color_code) await setOrgTagColor(trx, Number(theirs.id), input.colorCode)
      return { id: Number(theirs.id), created: false }
    })
  },
})
