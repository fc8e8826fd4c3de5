/**
 * Where an actor may act and what it may do there. An organisation outside the actor's
 * subtree is reported exactly like one that does not exist (`not_found`); an action the
 * actor's role forbids inside its subtree is `forbidden`.
 */
import type { Ctx } from './context.js'
import type { Db } from '../store/store.js'
import { findOrgById, type OrgRow } from '../store/orgs.repo.js'
import { DomainError } from '../core/errors.js'
import { can, type Permission } from '../core/roles.js'
import { isUuid } from '../core/ids.js'

/** True when `path` is the actor's organisation or one of its descendants. */
export function inScope(ctx: Ctx, path: string): boolean {
  return path.startsWith(ctx.actor.orgPath)
}

/** Loads an organisation the actor may see, or throws `not_found`. */
export async function getOrgInScope(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  if (!isUuid(orgId)) throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  // Outside a transaction the row may come from the store's memo (exact: see Store.memo).
  const org = db === ctx.store.db ? await ctx.store.memo(`org:${orgId}`, () => findOrgById(db, orgId)) : await findOrgById(db, orgId)
  if (!org || !inScope(ctx, org.path)) throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  ctx.request?.noteTarget(org.path, `org:${org.id}`)
  return org
}

/** Throws `forbidden` unless the actor's role carries `perm`. */
export function requirePermission(ctx: Ctx, perm: Permission): void {
  if (!can(ctx.actor.role, perm)) {
    throw new DomainError('forbidden', `role ${ctx.actor.role} may not do this (${perm})`)
  }
}

/** Throws `forbidden` unless the actor acts from a strict ancestor of `org`. */
export function requireAncestor(ctx: Ctx, org: OrgRow, what: string): void {
  if (org.path === ctx.actor.orgPath) {
    throw new DomainError('forbidden', `only a parent organisation may ${what}`)
  }
}

/** True when the actor acts for the master (root) organisation. */
export function actsForMaster(ctx: Ctx): boolean {
  return ctx.actor.orgDepth === 0
}
