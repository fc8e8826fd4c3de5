import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { Service } from '../../core/catalog.js'
import { getServiceRow, serviceFor } from './catalog-access.js'

/**
 * Answers one service by name, case-insensitively (`not_found` when there is none).
 *
 * Any authenticated actor may read it; driver settings are shown to catalogue writers only.
 */
export const getService = defineOp({
  name: 'service.get',
  input: Type.Object({ service: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Service> {
    return serviceFor(ctx, await getServiceRow(ctx, ctx.store.db, input.service))
  },
})
