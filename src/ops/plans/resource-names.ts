/**
 * The names plans' resources may take: data the master organisation manages, starting with
 * seed 003's set (customers, diskspace, domainAliases, …). Every authenticated user reads them.
 */
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { listResourceNames as listNames, nameKey } from '../../store/plans.repo.js'
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
        () => trx.insertInto('resource_names').values({ name: input.name, name_key: nameKey(input.name), created_at: nowIso(ctx.clock) }).execute(),
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
      const row = await trx.selectFrom('resource_names').select('name').where('name_key', '=', nameKey(input.name)).executeTakeFirst()
      if (!row) throw new DomainError('not_found', `no resource named ${JSON.stringify(input.name)}`)
      if (row.name === CUSTOMERS) throw new DomainError('failed_precondition', 'customers is what makes a plan a reseller plan; it is never removed')
      const inPlan = await trx.selectFrom('plan_resources').select('plan_id').where('name', '=', row.name).limit(1).executeTakeFirst()
      const inSub = await trx.selectFrom('subscription_resources').select('subscription_id').where('name', '=', row.name).limit(1).executeTakeFirst()
      if (inPlan || inSub) {
        throw new DomainError('failed_precondition', `resource ${row.name} is used by ${inPlan ? `plan ${inPlan.plan_id}` : `subscription ${inSub!.subscription_id}`}`)
      }
      await trx.deleteFrom('resource_names').where('name', '=', row.name).execute()
    })
  },
})
