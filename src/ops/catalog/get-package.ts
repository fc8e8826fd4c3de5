import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findPackage, toPackage, type ServicePackage } from '../../store/catalog.repo.js'
import { getServiceRow } from './catalog-access.js'

/** Answers one package of a service by name, case-insensitively (`not_found` otherwise); any authenticated actor may read it. */
export const getPackage = defineOp({
  name: 'service_package.get',
  input: Type.Object({ service: Type.String({ maxLength: 200 }), package: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ServicePackage> {
    const s = await getServiceRow(ctx, ctx.store.db, input.service)
    const p = await findPackage(ctx.store.db, s.id, input.package)
    if (!p) throw new DomainError('not_found', `service ${s.name} has no package ${JSON.stringify(input.package)}`, { resource: 'package' })
    return toPackage(p)
  },
})
