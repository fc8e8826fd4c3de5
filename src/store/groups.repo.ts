/** Groups of users ("cloud user groups") as stored. */
import type { GroupTable } from './schema.js'
import type { Group } from '../core/users.js'
export type { Group } from '../core/users.js'

/** Maps a stored row to a Group. */
export function toGroup(r: GroupTable): Group {
  return { id: r.id, orgId: r.org_id, name: r.name, description: r.description, createdAt: r.created_at }
}
