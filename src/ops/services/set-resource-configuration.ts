import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { mergeProperties, type PropertyMap } from '../../core/account.js'
import { readProperties, writeProperties } from '../../store/properties.repo.js'
import { PropertyChange } from '../users/schema.js'
import { getHeldService, OrgAndService } from '../exchange/exchange-access.js'

/**
 * Changes the resource configuration of a customer's service (SET semantics, core/account.ts:
 * a name given gets its value, `''` removes it, the rest is kept; at most 100 names of 1–64
 * characters `[A-Za-z0-9_.-]`, values up to 1000 characters; errors on `property.<name>`).
 * Needs `org.write` (the customer's admins or its parents'); answers the map as it now is.
 */
export const setResourceConfiguration = defineOp({
  name: 'resource_configuration.set',
  input: Type.Object({ ...OrgAndService, values: PropertyChange }, { additionalProperties: false }),
  async run(ctx, input): Promise<PropertyMap> {
    return ctx.store.write(async (trx) => {
      const { cs } = await getHeldService(ctx, trx, input.orgId, input.service, true)
      const current = await readProperties(trx, 'resource', cs.id)
      const next = mergeProperties(current, input.values, 'property')
      await writeProperties(trx, 'resource', cs.id, current, next)
      return next
    })
  },
})
