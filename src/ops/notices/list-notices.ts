import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import type { CustomerNotice } from '../../core/notices.js'
import { listNoticeTypes, listVisibleNotices } from '../../store/notices.repo.js'
import { ancestorPaths, orgFor, toNotice } from './notice-access.js'
import { OrgId } from './schema.js'

/**
 * The notices organisation `orgId` sees (seed 001's listNotices): its own, and the subtree-wide
 * notices of the master organisation and of each reseller above it (another reseller's never),
 * oldest first, each with whether this organisation acknowledged it. `since` (ISO 8601 text or
 * Unix seconds, the seed's UnixTime) leaves out notices created or updated before it.
 */
export const listNotices = defineOp({
  name: 'notice.list',
  input: Type.Object({ orgId: OrgId, since: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 253402300799 }), Type.String({ maxLength: 40 })])) }, { additionalProperties: false }),
  async run(ctx, input): Promise<CustomerNotice[]> {
    const org = await orgFor(ctx, ctx.store.db, input.orgId, false)
    const since = input.since === undefined ? undefined : sinceIso(input.since)
    const types = new Map((await listNoticeTypes(ctx.store.db)).map((t) => [t.id, t.code]))
    const rows = await listVisibleNotices(ctx.store.db, org.id, ancestorPaths(org.path), since)
    return rows.map((r) => toNotice(r, types))
  },
})

/** `since` as ISO text: Unix seconds (a number or digits) or an ISO 8601 time; `invalid_argument` otherwise. */
export function sinceIso(v: number | string): string {
  const n = typeof v === 'number' ? v : /^\d{1,12}$/.test(v.trim()) ? Number(v.trim()) : undefined
  if (n !== undefined) return new Date(n * 1000).toISOString()
  const text = String(v).trim()
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN
  if (Number.isNaN(t)) throw new DomainError('invalid_argument', 'since must be Unix seconds or an ISO 8601 time', { field: 'since' })
  return new Date(t).toISOString()
}
