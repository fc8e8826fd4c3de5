import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listContactRows, toContact } from '../../store/exchange.repo.js'
import type { Contact } from '../../core/exchange.js'
import { Filter, getHeldService, OrgAndService, pageOf, Paging } from './exchange-access.js'

/**
 * Lists the contacts of a customer's service (seed 004's GET `<contacts>`), by display name.
 * `displayNameFilter` and `syncFilter` are case-insensitive prefixes of the display name and the
 * sync object id; `pageIndex` 1-based, `pageSize` at most 1000 (default 100). Any role of the
 * customer's subtree may read; `not_found` (resource `service`) when the customer does not hold
 * the service.
 */
export const listContacts = defineOp({
  name: 'exchange_contact.list',
  input: Type.Object({ ...OrgAndService, displayNameFilter: Type.Optional(Filter), syncFilter: Type.Optional(Filter), ...Paging }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: Contact[]; total: number; pageIndex: number; pageSize: number }> {
    const db = ctx.store.db
    const { cs } = await getHeldService(ctx, db, input.orgId, input.service, false)
    const page = pageOf(input)
    const { rows, total } = await listContactRows(db, cs.id, { nameKeyPrefix: input.displayNameFilter?.toLowerCase(), otherKeyPrefix: input.syncFilter?.toLowerCase() }, page.offset, page.pageSize)
    return { items: rows.map(toContact), total, pageIndex: page.pageIndex, pageSize: page.pageSize }
  },
})
