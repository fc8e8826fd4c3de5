import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { getOrgInScope, requirePermission } from '../access.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { deleteCapacityEntries, findCapacityUnitTypeCode, insertCapacityEntry, listCapacityRows } from '../../store/capacity.repo.js'
import { CapacityKind, UnitTypeCode, type CapacityEntry, type CustomerCapacity } from './schema.js'

/** Loads an organisation whose capacity the actor may change (in its subtree, `org.write`; not deleted). */
async function orgForCapacity(ctx: Ctx, db: Db, orgId: string): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  requirePermission(ctx, 'org.write')
  if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
  return org
}

/** The stored code of a unit type named in any case, or `invalid_argument` naming it. */
async function unitType(ctx: Ctx, db: Db, code: string): Promise<string> {
  const c = code.toUpperCase()
  // Inside a write transaction, the type is kept from being deleted until it commits.
  const t = await findCapacityUnitTypeCode(db, ctx.store.dialect, c, db !== ctx.store.db ? 'key share' : undefined)
  if (t === undefined) throw new DomainError('invalid_argument', `unknown capacity unit type ${JSON.stringify(code)} (see GET /capacity-unit-types)`, { field: 'capacityunittype' })
  return t
}

/**
 * Adds an entry of available or consumed capacity to an organisation (seed 000's
 * `addCapacityAvailable` / `addCapacityConsumed`). An unknown unit type is refused.
 */
export const addCapacity = defineOp({
  name: 'capacity.add',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      kind: CapacityKind,
      amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 }),
      capacityunittype: UnitTypeCode,
      name: Type.Optional(Type.String({ maxLength: 200 })),
      description: Type.Optional(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<CapacityEntry> {
    return ctx.store.write(async (trx) => {
      const org = await orgForCapacity(ctx, trx, input.orgId)
      const code = await unitType(ctx, trx, input.capacityunittype)
      const entry = { amount: input.amount, capacityunittype: code, name: input.name ?? '', description: input.description ?? '' }
      await insertCapacityEntry(trx, {
        org_id: org.id,
        kind: input.kind,
        unit_type: code,
        amount: entry.amount,
        name: entry.name,
        description: entry.description,
        created_at: new Date(ctx.clock()).toISOString(),
      })
      return entry
    })
  },
})

/**
 * Removes every entry of one unit type from an organisation's available or consumed capacity
 * (seed 000's `removeCapacityAvailable` / `removeCapacityConsumed`); answers how many went. An
 * unknown unit type is refused; a known one with no entries removes nothing.
 */
export const removeCapacity = defineOp({
  name: 'capacity.remove',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), kind: CapacityKind, capacityunittype: UnitTypeCode }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ removed: number }> {
    return ctx.store.write(async (trx) => {
      const org = await orgForCapacity(ctx, trx, input.orgId)
      const code = await unitType(ctx, trx, input.capacityunittype)
      return { removed: await deleteCapacityEntries(trx, org.id, input.kind, code) }
    })
  },
})

/** An organisation's capacity (seed 000's `listCapacity`): its available and consumed entries, oldest first. */
export const listCapacity = defineOp({
  name: 'capacity.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<CustomerCapacity> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    const rows = await listCapacityRows(db, org.id)
    const of = (kind: string): CapacityEntry[] =>
      rows.filter((r) => r.kind === kind).map((r) => ({ amount: Number(r.amount), capacityunittype: r.unit_type, name: r.name, description: r.description }))
    return { customerguid: org.id, capacityavailable: of('available'), capacityconsumed: of('consumed') }
  },
})
