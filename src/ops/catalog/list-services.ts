import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listServiceRows, type Service } from '../../store/catalog.repo.js'
import { serviceFor } from './catalog-access.js'

/**
 * Lists every service of the catalogue, by name.
 *
 * Any authenticated actor may read it; driver settings are shown to catalogue writers only.
 */
export const listServices = defineOp({
  name: 'service.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<Service[]> {
    return (await listServiceRows(ctx.store.db)).map((r) => serviceFor(ctx, r))
  },
})
