import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findUserById } from '../../store/users.repo.js'

/**
 * Checks that `managerUserId` may be the manager of `userId` (null: a user being created) in
 * `orgId`: a user of the same organisation, not the user itself, and not one whose own chain of
 * managers leads back to the user (`invalid_argument` otherwise, naming `managerUserId`).
 */
export async function checkManager(db: Db, orgId: string, userId: string | null, managerUserId: string): Promise<void> {
  const m = isUuid(managerUserId) ? await findUserById(db, managerUserId) : undefined
  if (!m || m.org_id !== orgId) throw new DomainError('invalid_argument', 'managerUserId must be a user of the same organisation', { field: 'managerUserId' })
  if (userId === null) return
  const seen = new Set<string>()
  for (let cur: typeof m | undefined = m; cur; cur = cur.manager_user_id ? await findUserById(db, cur.manager_user_id) : undefined) {
    if (cur.id === userId) throw new DomainError('invalid_argument', 'managerUserId would make a circle of managers', { field: 'managerUserId' })
    if (seen.has(cur.id)) break
    seen.add(cur.id)
  }
}
