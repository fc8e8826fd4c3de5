import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import type { Site } from '../../core/sites.js'
import { findSiteById, readSite } from '../../store/sites.repo.js'
import { inScope } from '../access.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { SiteId } from './site-access.js'

/**
 * Reads a site by id with its aliases, container, environments and DNS records, each with its
 * provisioning status (and error). A site of a customer outside the actor's subtree is
 * `not_found`, as an unknown id is.
 */
export const getSite = defineOp({
  name: 'site.get',
  input: Type.Object({ id: SiteId }, { additionalProperties: false }),
  async run(ctx, input): Promise<Site> {
    const gone = () => new DomainError('not_found', 'site not found', { resource: 'site' })
    const row = await findSiteById(ctx.store.db, input.id)
    if (!row) throw gone()
    const org = await findOrgById(ctx.store.db, row.org_id)
    if (!org || !inScope(ctx, org.path)) throw gone()
    return readSite(ctx.store.db, row)
  },
})
