import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deleteContactRow, findContactRow } from '../../store/exchange.repo.js'
import { getHeldService, OrgAndService, RefFields, refOf } from './exchange-access.js'

/** Deletes a contact of a customer's service (named as `exchange_contact.get` names it); needs `org.write`. */
export const deleteContact = defineOp({
  name: 'exchange_contact.delete',
  input: Type.Object({ ...OrgAndService, ...RefFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ id: string }> {
    const ref = refOf(input, 'contact')
    return ctx.store.write(async (trx) => {
      const { cs, service } = await getHeldService(ctx, trx, input.orgId, input.service, true)
      const row = await findContactRow(trx, cs.id, ref)
      if (!row) throw new DomainError('not_found', `${service.name} has no such contact`, { resource: 'contact' })
      await deleteContactRow(trx, row.id)
      return { id: row.id }
    })
  },
})
