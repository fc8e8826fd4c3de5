/**
 * A plan's parts one at a time (seed 003's `createPlanResources`, `updatePlanResource`,
 * `createPlanAllowances`, `updatePlanAllowance`, `deletePlanAllowance`,
 * `createPlanSelections`, `updatePlanSelection`): each reads the plan, makes the whole new list
 * and saves it through `changePlan`, so the checks are those of `updatePlan` (a reseller's
 * resources within its own, names known and given once, at most 200 allowances or selections).
 * Like a plan's change, none touches the subscriptions already made.
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { hostingFromJson } from '../../core/plans.js'
import { nameKey, planResources, type Plan, type PlanRow } from '../../store/plans.repo.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import type { Db } from '../../store/store.js'
import { PlanId, ResourceInput, ResourcesInput } from './schema.js'
import { AllowanceInput, AllowancesInput, SelectionInput, SelectionsInput } from './hosting.js'
import { changePlan, type PlanChange } from './update-plan.js'
import { getPlanOwner, getPlanRow } from './plan-access.js'

const Where = { orgId: Type.String({ maxLength: 64 }), planId: PlanId }
const PartName = Type.String({ minLength: 1, maxLength: 100 })
const STRICT = { additionalProperties: false } as const

/** Runs `make` on the live plan `planId` of `orgId` and saves the change it answers, in one write transaction. */
async function withPlan(ctx: Ctx, orgId: string, planId: number, make: (row: PlanRow, db: Db) => Promise<PlanChange> | PlanChange): Promise<Plan> {
  requirePermission(ctx, 'org.write')
  return ctx.store.write(async (trx) => {
    const org: OrgRow = await getPlanOwner(ctx, trx, orgId)
    const row = await getPlanRow(trx, org, planId)
    return changePlan(ctx, trx, org, row, await make(row, trx))
  })
}

const same = (a: string, b: string) => nameKey(a) === nameKey(b)

/** Adds resources to a plan; one it already has is `already_exists` (set it with `setPlanResource`). */
export const addPlanResources = defineOp({
  name: 'plan.resources.add',
  input: Type.Object({ ...Where, resources: ResourcesInput }, STRICT),
  async run(ctx, input): Promise<Plan> {
    return withPlan(ctx, input.orgId, input.planId, async (row, db) => {
      const have = (await planResources(db, [row.id])).get(row.id) ?? []
      const taken = input.resources.find((r) => have.some((h) => same(h.name, r.name)))
      if (taken) throw new DomainError('already_exists', `the plan already has resource ${taken.name}`, { field: 'resources', resource: taken.name })
      return { resources: [...have, ...input.resources] }
    })
  },
})

/** Sets the total of one of a plan's resources (absent: unlimited); the body names the same resource. */
export const setPlanResource = defineOp({
  name: 'plan.resource.set',
  input: Type.Object({ ...Where, name: PartName, resource: ResourceInput }, STRICT),
  async run(ctx, input): Promise<Plan> {
    if (!same(input.name, input.resource.name)) throw new DomainError('invalid_argument', `the body names resource ${input.resource.name}, the path ${input.name}`, { field: 'name' })
    return withPlan(ctx, input.orgId, input.planId, async (row, db) => {
      const have = (await planResources(db, [row.id])).get(row.id) ?? []
      if (!have.some((h) => same(h.name, input.name))) throw new DomainError('not_found', `the plan has no resource ${input.name}`)
      return { resources: have.map((h) => (same(h.name, input.name) ? input.resource : h)) }
    })
  },
})

/** Adds allowances to a plan; one it already has stays as it is. */
export const addPlanAllowances = defineOp({
  name: 'plan.allowances.add',
  input: Type.Object({ ...Where, allowances: AllowancesInput }, STRICT),
  async run(ctx, input): Promise<Plan> {
    return withPlan(ctx, input.orgId, input.planId, (row) => {
      const have = hostingFromJson(row.hosting).allowances
      const seen = new Set(have.map((a) => a.name))
      const added = input.allowances.filter((a) => !seen.has(a.name) && (seen.add(a.name), true))
      return { allowances: [...have, ...added] }
    })
  },
})

/** Renames one of a plan's allowances (`not_found` when it has none by that name; `already_exists` when the new name is taken). */
export const setPlanAllowance = defineOp({
  name: 'plan.allowance.set',
  input: Type.Object({ ...Where, name: PartName, allowance: AllowanceInput }, STRICT),
  async run(ctx, input): Promise<Plan> {
    return withPlan(ctx, input.orgId, input.planId, (row) => {
      const have = hostingFromJson(row.hosting).allowances
      if (!have.some((a) => a.name === input.name)) throw new DomainError('not_found', `the plan has no allowance ${input.name}`)
      if (input.allowance.name !== input.name && have.some((a) => a.name === input.allowance.name)) {
        throw new DomainError('already_exists', `the plan already has allowance ${input.allowance.name}`, { field: 'name' })
      }
      return { allowances: have.map((a) => (a.name === input.name ? { name: input.allowance.name } : a)) }
    })
  },
})

/** Removes one of a plan's allowances (`not_found` when it has none by that name). */
export const deletePlanAllowance = defineOp({
  name: 'plan.allowance.delete',
  input: Type.Object({ ...Where, name: PartName }, STRICT),
  async run(ctx, input): Promise<Plan> {
    return withPlan(ctx, input.orgId, input.planId, (row) => {
      const have = hostingFromJson(row.hosting).allowances
      if (!have.some((a) => a.name === input.name)) throw new DomainError('not_found', `the plan has no allowance ${input.name}`)
      return { allowances: have.filter((a) => a.name !== input.name) }
    })
  },
})

/** Adds selections to a plan, or sets the value of those it has by the same names. */
export const addPlanSelections = defineOp({
  name: 'plan.selections.add',
  input: Type.Object({ ...Where, selections: SelectionsInput }, STRICT),
  async run(ctx, input): Promise<Plan> {
    return withPlan(ctx, input.orgId, input.planId, (row) => {
      const out = new Map(hostingFromJson(row.hosting).selections.map((s) => [s.name, s.value]))
      const given = new Set<string>()
      for (const s of input.selections) {
        if (given.has(s.name)) throw new DomainError('invalid_argument', `selections names ${JSON.stringify(s.name)} twice`, { field: 'selections' })
        given.add(s.name)
        out.set(s.name, s.value)
      }
      return { selections: [...out].map(([name, value]) => ({ name, value })) }
    })
  },
})

/** Sets one of a plan's selections: its value, and its name if the body gives another (`not_found` when the plan has none by the path's name). */
export const setPlanSelection = defineOp({
  name: 'plan.selection.set',
  input: Type.Object({ ...Where, name: PartName, selection: SelectionInput }, STRICT),
  async run(ctx, input): Promise<Plan> {
    return withPlan(ctx, input.orgId, input.planId, (row) => {
      const have = hostingFromJson(row.hosting).selections
      if (!have.some((s) => s.name === input.name)) throw new DomainError('not_found', `the plan has no selection ${input.name}`)
      if (input.selection.name !== input.name && have.some((s) => s.name === input.selection.name)) {
        throw new DomainError('already_exists', `the plan already has selection ${input.selection.name}`, { field: 'name' })
      }
      return { selections: have.map((s) => (s.name === input.name ? { ...input.selection } : s)) }
    })
  },
})
