/**
 * The context a command-line tool acts in when it runs operations straight against a database:
 * the master organisation's superadmin, as if it had called the API itself. Only for tools run
 * by whoever holds the database (`clientele catalog import`), never for a face.
 */
import { contextOf, type Actor, type Ctx, type Deps } from '../ops/context.js'
import type { Role } from '../core/roles.js'
import { findRootOrg } from '../store/orgs.repo.js'

/**
 * Builds the context of the master organisation's first enabled superadmin (the oldest one).
 * Throws when the database has no master organisation or it has no enabled superadmin.
 */
export async function masterContext(deps: Deps): Promise<Ctx> {
  const db = deps.store.db
  const root = await findRootOrg(db)
  if (!root) throw new Error('the database has no master organisation yet: start `clientele serve` once, or import a catalogue')
  const user = await db
    .selectFrom('users')
    .select(['id', 'username', 'role'])
    .where('org_id', '=', root.id)
    .where('role', '=', 'superadmin')
    .where('enabled', '=', 1)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst()
  if (!user) throw new Error(`the master organisation ${root.name} has no enabled superadmin to act as`)
  const actor: Actor = {
    userId: user.id,
    username: user.username,
    orgId: root.id,
    orgNumber: root.number,
    orgPath: root.path,
    orgDepth: root.depth,
    role: user.role as Role,
    via: 'system',
  }
  return contextOf(deps, actor)
}
