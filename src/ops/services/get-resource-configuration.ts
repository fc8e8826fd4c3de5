import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { readProperties } from '../../store/properties.repo.js'
import type { PropertyMap } from '../../core/account.js'
import { getHeldService, OrgAndService } from '../exchange/exchange-access.js'

/**
 * Answers the resource configuration of a customer's service (seed 004's GET
 * `<service><resourceconfiguration/></service>`): a name → value map, names in order. Any role
 * of the customer's subtree may read; `not_found` (resource `service`) when the customer does
 * not hold the service.
 */
export const getResourceConfiguration = defineOp({
  name: 'resource_configuration.get',
  input: Type.Object(OrgAndService, { additionalProperties: false }),
  async run(ctx, input): Promise<PropertyMap> {
    const { cs } = await getHeldService(ctx, ctx.store.db, input.orgId, input.service, false)
    return readProperties(ctx.store.db, 'resource', cs.id)
  },
})
