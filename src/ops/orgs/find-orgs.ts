import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { ORG_STATUSES, type OrgStatus } from '../../core/status.js'
import { listOrgsMatching, toOrganization, type OrgCriteria, type Organization } from '../../store/orgs.repo.js'

/** The most organisations one search answers; a search that matches more is refused. */
export const FIND_MAX = 10_000

/**
 * Finds the organisations of the actor's subtree that meet every criterion given: an exact
 * `name`, one of `statuses` (deleted ones only when asked for), and `parentId` (the direct
 * customers of that organisation), an exact short `code` (any case), `number` or `billingId`
 * (seed 004's `<name>`, `<id>` and `<billingid>`). The master organisation itself is never answered (it is the
 * provider, not a customer); the actor's own organisation is, when it is not the master.
 * Answers in creation order. A search matching more than `FIND_MAX` organisations is refused
 * (`failed_precondition`) rather than cut short silently: narrow it.
 */
export const findOrgs = defineOp({
  name: 'customer.find',
  input: Type.Object(
    {
      name: Type.Optional(Type.String({ maxLength: 200 })),
      statuses: Type.Optional(Type.Array(Type.Enum(ORG_STATUSES), { minItems: 1, maxItems: ORG_STATUSES.length })),
      parentId: Type.Optional(Type.String()),
      code: Type.Optional(Type.String({ maxLength: 16 })),
      number: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
      billingId: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<Organization[]> {
    const db = ctx.store.db
    const statuses: OrgStatus[] = input.statuses ?? ['active', 'configured', 'suspended', 'disabled']
    const criteria: OrgCriteria = { statuses }
    if (input.parentId !== undefined) {
      const parent = await getOrgInScope(ctx, db, input.parentId)
      criteria.parentId = parent.id
    } else {
      // The actor's own organisation and its descendants, but never the master.
      criteria.subtreeOf = ctx.actor.orgPath
    }
    if (input.name !== undefined) criteria.name = input.name.trim()
    if (input.code !== undefined) criteria.code = input.code.trim().toUpperCase()
    if (input.number !== undefined) criteria.number = input.number
    if (input.billingId !== undefined) criteria.billingId = input.billingId.trim()
    // Kept in the store's memo while the database is unchanged (a search repeated by a face's lookups).
    const key = `orgs-find:${criteria.parentId ?? ''}|${criteria.subtreeOf ?? ''}|${statuses.join(',')}|${JSON.stringify([criteria.name, criteria.code, criteria.number, criteria.billingId])}`
    const rows = await ctx.store.memo(key, () => listOrgsMatching(db, criteria, FIND_MAX + 1))
    if (rows.length > FIND_MAX) {
      throw new DomainError('failed_precondition', `more than ${FIND_MAX} organisations match; narrow the search (name, status or parent)`)
    }
    return rows.map(toOrganization)
  },
})
