import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { SiteSummary } from '../../core/sites.js'
import { listSites as listSiteRows } from '../../store/sites.repo.js'
import { OrgId, siteOrg } from './site-access.js'

/** Lists a customer's sites by name, each with its status and the guid of its wizard request. Any role of the customer's subtree (or its providers') may read. */
export const listSites = defineOp({
  name: 'site.list',
  input: Type.Object({ orgId: OrgId }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: SiteSummary[]; total: number }> {
    const org = await siteOrg(ctx, ctx.store.db, input.orgId, false)
    const items = await listSiteRows(ctx.store.db, org.id)
    return { items, total: items.length }
  },
})
