import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { findContactRow, toContact } from '../../store/exchange.repo.js'
import type { Contact } from '../../core/exchange.js'
import { getHeldService, OrgAndService, RefFields, refOf } from './exchange-access.js'

/**
 * Answers one contact of a customer's service, named by `id`, `syncObjectId`, `path` or
 * `displayName` (case-insensitive; the first given decides). `not_found` with resource
 * `contact` when there is none.
 */
export const getContact = defineOp({
  name: 'exchange_contact.get',
  input: Type.Object({ ...OrgAndService, ...RefFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<Contact> {
    const db = ctx.store.db
    const { cs, service } = await getHeldService(ctx, db, input.orgId, input.service, false)
    const row = await findContactRow(db, cs.id, refOf(input, 'contact'))
    if (!row) throw new DomainError('not_found', `${service.name} has no such contact`, { resource: 'contact' })
    return toContact(row)
  },
})
