import type { Ctx } from '../context.js'
import { findOrgById } from '../../store/orgs.repo.js'
import type { Request } from '../../core/requests.js'

/** A request as an actor sees it: who acted, named without ids the actor may not see. */
export type SeenRequest = Request & {
  /** The acting organisation's name when it is in the viewer's subtree, else `provider`. */
  actorOrgName: string
}

/** The word shown for whoever acted from outside the viewer's subtree (an ancestor, the system). */
export const PROVIDER = 'provider'

/**
 * Shows `requests` to `ctx`'s actor. Work done on a customer by its reseller (or the master
 * organisation, or the system) shows the actor as `provider`, with no user or organisation id:
 * a customer never learns its ancestors' ids from its own requests.
 */
export async function seenBy(ctx: Ctx, requests: readonly Request[]): Promise<SeenRequest[]> {
  const names = new Map<string, string | null>()
  for (const r of requests) {
    if (r.actorOrgId === null || names.has(r.actorOrgId)) continue
    const id = r.actorOrgId
    const org = await ctx.store.memo(`org:${id}`, () => findOrgById(ctx.store.db, id))
    names.set(id, org && org.path.startsWith(ctx.actor.orgPath) ? org.name : null)
  }
  return requests.map((r) => {
    const name = r.actorOrgId === null ? null : (names.get(r.actorOrgId) ?? null)
    return name === null ? { ...r, actorUserId: null, actorOrgId: null, actorOrgName: PROVIDER } : { ...r, actorOrgName: name }
  })
}
