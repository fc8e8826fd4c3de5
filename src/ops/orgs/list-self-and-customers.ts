import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listCustomers } from './list-customers.js'
import { findOrgById, toOrganization, type Organization } from '../../store/orgs.repo.js'
import { DomainError } from '../../core/errors.js'

const PAGE = 1000

/**
 * Answers the actor's own organisation and all of its direct customers that are not deleted,
 * by name (the shape of seed 002's customer listing, where the caller's own organisation is
 * the "admin customer").
 *
 * Any role may read; nothing outside the actor's own organisation and its direct customers is
 * answered. An organisation that is not a reseller has no customers.
 */
export const listSelfAndCustomers = defineOp({
  name: 'customer.list_self_and_direct',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<{ self: Organization; customers: Organization[] }> {
    const row = await findOrgById(ctx.store.db, ctx.actor.orgId)
    if (!row) throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
    const customers: Organization[] = []
    for (let offset = 0; ; offset += PAGE) {
      const page = await listCustomers(ctx, { orgId: row.id, offset, limit: PAGE, sortBy: 'name', sortOrder: 'asc' })
      customers.push(...page.items)
      if (page.items.length < PAGE || customers.length >= page.total) break
    }
    return { self: toOrganization(row), customers }
  },
})
