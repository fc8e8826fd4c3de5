import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { nowIso } from '../../store/store.js'
import { deleteDomainIf, findDomainByName, updateDomainIf, type DomainFence } from '../../store/domains.repo.js'
import { normalizeDomain } from './domain-name.js'
import { orgForDomains } from './domain-access.js'
import { callRegistrar, isStale, registrarByName } from './registrars.js'
import { Credential, DomainInput, type DomainChange } from './schema.js'

/**
 * Unregisters a domain name an organisation holds (seed 000's `customer.unregisterDomain`):
 * asks the registrar that holds it, passing the customer's portal `username` and `password`
 * (never stored, logged or shown), then forgets it.
 *
 * The actor needs `org.write` in the organisation's subtree; a name the organisation does not
 * hold is `not_found`. The registrar is asked outside any transaction: the domain is marked
 * `unregistering` first, deleted once the registrar agreed, and restored as it was when the
 * registrar refused (`failed_precondition`) or could not be asked (`unavailable`).
 */
export const unregisterDomain = defineOp({
  name: 'domain.unregister',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), domain: DomainInput, username: Type.Optional(Credential), password: Type.Optional(Credential) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<DomainChange> {
    const startedAt = ctx.clock()
    const name = normalizeDomain(input.domain)
    const plan = await ctx.store.write(async (trx) => {
      const org = await orgForDomains(ctx, trx, input.orgId)
      const row = await findDomainByName(trx, ctx.store.dialect, name.ascii, 'update')
      if (!row || row.org_id !== org.id) throw new DomainError('not_found', `domain ${name.ascii} is not registered to this organisation`)
      if (row.status !== 'registered' && !isStale(row, ctx.clock())) {
        throw new DomainError('conflict', `domain ${name.ascii} is being ${row.status === 'pending' ? 'registered' : 'unregistered'} by another request; try again shortly`)
      }
      const registrar = await registrarByName(ctx, trx, row.registrar)
      const before: DomainFence = { id: row.id, status: row.status as DomainFence['status'], updatedAt: row.updated_at }
      const now = nowIso(ctx.clock)
      await updateDomainIf(trx, before, { status: 'unregistering', updated_at: now })
      return { org, registrar, before, fence: { id: row.id, status: 'unregistering', updatedAt: now } satisfies DomainFence }
    })
    try {
      await callRegistrar(ctx, plan.registrar, 'unregister', name, plan.org, input, startedAt)
    } catch (e) {
      try {
        await ctx.request!.undo((trx) => updateDomainIf(trx, plan.fence, { status: plan.before.status, updated_at: plan.before.updatedAt }))
      } catch (err) {
        ctx.log.warn({ err, domain: name.ascii }, 'could not restore a domain after its registrar failed; it is taken over once stale')
      }
      throw e
    }
    // Gone already when its organisation was deleted meanwhile: the domain is released either way.
    await ctx.store.write((trx) => deleteDomainIf(trx, plan.fence))
    return { domain: name.ascii, registrar: plan.registrar.name }
  },
})
