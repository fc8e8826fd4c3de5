/** Groups of users ("cloud user groups") as stored. */
import type { GroupTable } from './schema.js'

/** A group as the core sees it. */
export interface Group {
  id: string
  orgId: string
  name: string
  description: string
  createdAt: string
}

/** Maps a stored row to a Group. */
export function toGroup(r: GroupTable): Group {
  return { id: r.id, orgId: r.org_id, name: r.name, description: r.description, createdAt: r.created_at }
}
