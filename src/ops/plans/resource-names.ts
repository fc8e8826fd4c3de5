/**
 * The names plans' resources may take: data the master organisation manages, starting with
 * seed 003's set (customers, diskspace, domainAliases, …). Every authenticated user reads them.
 */
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique, nowIso } from '../../store/store.js'
import {
  deleteResourceName as deleteName,
  findPlanWithResource,
  findResourceName,
  findSubscriptionWithResource,
  insertResourceName,
  listResourceNames as listNames,
} from '../../store/plans.repo.js'
import { requireMasterWriter } from '../servers/servers.js'
import { CUSTOMERS } from './schema.js'

const ResourceName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_]*$' })

/** Lists every resource name, ordered. */
export const listResourceNames = defineOp({
  name: 'resource_name.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<{ items: string[]; total: number }> {
    const items = await listNames(ctx.store.db)
    return { items, total: items.length }
  },
})

/** Adds a resource name (master organisation only); unique case-insensitively. */
export const createResourceName = defineOp({
  name: 'resource_name.create',
  input: Type.Object({ name: ResourceName }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ name: string }> {
    requireMasterWriter(ctx, 'resource names')
    await ctx.store.write((trx) =>
      mapUnique(
        () => insertResourceName(trx, input.name, nowIso(ctx.clock)),
        () => `a resource named ${JSON.stringify(input.name)} already exists`,
      ),
    )
    return { name: input.name }
  },
})

/** Removes a resource name no plan or subscription uses; `customers` is never removed. */
export const deleteResourceName = defineOp({
  name: 'resource_name.delete',
  input: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireMasterWriter(ctx, 'resource names')
    await ctx.store.write(async (trx) => {
      const name = await findResourceName(trx, input.name)
      if (name === undefined) throw new DomainError('not_found', `no resource named ${JSON.stringify(input.name)}`)
      if (name === CUSTOMERS) throw new DomainError('failed_precondition', 'customers is what makes a plan a reseller plan; it is never removed')
      const inPlan = await findPlanWithResource(trx, name)
      const inSub = await findSubscriptionWithResource(trx, name)
      if (inPlan !== undefined || inSub !== undefined) {
        throw new DomainError('failed_precondition', `resource ${name} is used by ${inPlan !== undefined ? `plan ${inPlan}` : `subscription ${inSub}`}`)
      }
      await deleteName(trx, name)
    })
  },
})
