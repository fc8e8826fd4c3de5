/**
 * Fixture for operation tests: a migrated store of the dialect with the master organisation,
 * and contexts acting as its superadmin or as any user.
 */
import { createDeps } from '../../src/server.js'
import { ensureMaster } from '../../src/ops/orgs/bootstrap.js'
import type { Actor, Ctx, Deps } from '../../src/ops/context.js'
import type { Dialect } from '../../src/store/store.js'
import { findOrgById } from '../../src/store/orgs.repo.js'
import { findUserByUsername } from '../../src/store/users.repo.js'
import type { Role } from '../../src/core/roles.js'
import { freshDb, ADMIN_PASSWORD } from './harness.js'

export interface OpsFixture {
  deps: Deps
  masterId: string
  /** A context acting as the master organisation's superadmin. */
  master: Ctx
  /** A context acting as `username` (its own organisation and role, or `role` instead). */
  as(username: string, role?: Role): Promise<Ctx>
  close(): Promise<void>
}

const quiet = { info() {}, warn() {}, error() {} }

/** The actor `username` is: its own organisation and role, or `role` instead. */
export async function actorOf(deps: Deps, username: string, role?: Role): Promise<Actor> {
  const u = await findUserByUsername(deps.store.db, username)
  if (!u) throw new Error(`no user ${username}`)
  const o = (await findOrgById(deps.store.db, u.org_id))!
  return {
    userId: u.id,
    username: u.username,
    orgId: o.id,
    orgNumber: o.number,
    orgPath: o.path,
    orgDepth: o.depth,
    role: role ?? (u.role as Role),
    via: 'system',
  }
}

export async function opsFixture(dialect: Dialect): Promise<OpsFixture> {
  const db = await freshDb(dialect)
  const deps = createDeps({ db: db.location, logger: quiet, poolSize: 8 })
  await deps.store.migrate()
  const boot = await ensureMaster(deps, ADMIN_PASSWORD)
  async function as(username: string, role?: Role): Promise<Ctx> {
    return { ...deps, actor: await actorOf(deps, username, role) }
  }
  return {
    deps,
    masterId: boot.orgId,
    master: await as('admin'),
    as,
    async close() {
      await deps.store.close()
      await db.drop()
    },
  }
}
