import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { listOrgDomainRows, toDomain } from '../../store/domains.repo.js'
import type { Domain } from './schema.js'

/**
 * The domain names an organisation holds (status `registered`; those being registered or
 * unregistered are not shown), by ASCII name. Anyone who may see the organisation may read them.
 */
export const listDomains = defineOp({
  name: 'domain.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<Domain[]> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    return (await listOrgDomainRows(db, org.id, 'registered')).map(toDomain)
  },
})
