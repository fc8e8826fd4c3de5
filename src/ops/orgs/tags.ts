/** Organisations' tags as the core sees them, and their limits. */
import { createHash } from 'node:crypto'
import { Type } from 'typebox'
import type { OrgTagRow } from '../../store/org-tags.repo.js'

/** An organisation's tag (seed 003's `Tag`). */
export interface OrgTag {
  id: number
  tag: string
  colorCode: string
}

/** The most tags one organisation may have. */
export const MAX_ORG_TAGS = 1000

export const TagName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })
export const TagColor = Type.String({ minLength: 1, maxLength: 32 })

/** Maps a stored tag. */
export function toOrgTag(r: OrgTagRow): OrgTag {
  return { id: Number(r.id), tag: r.tag, colorCode: r.color_code }
}

/** The colour of a tag given none: `#rrggbb` from its name, the same every time. */
export function defaultTagColor(tag: string): string {
  return `#${createHash('sha256').update(tag).digest('hex').slice(0, 6)}`
}
