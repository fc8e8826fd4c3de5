import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listPackageRows, toPackage, type ServicePackage } from '../../store/catalog.repo.js'
import { getServiceRow } from './catalog-access.js'

/** Lists a service's packages by name (`not_found` when the service does not exist); any authenticated actor may read them. */
export const listPackages = defineOp({
  name: 'service_package.list',
  input: Type.Object({ service: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ServicePackage[]> {
    const s = await getServiceRow(ctx, ctx.store.db, input.service)
    return (await listPackageRows(ctx.store.db, s.id)).map(toPackage)
  },
})
