import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { findCustomerService, listCustomerServiceRows } from '../../store/services.repo.js'
import { listServiceRows } from '../../store/catalog.repo.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { CatalogName, PropertyFilter } from '../catalog/schema.js'
import { customerServiceView, withHidden, type CustomerServiceView } from './view.js'

/**
 * Answers one service of a customer in the actor's subtree (`NotProvisioned` with the
 * catalogue's defaults when the customer does not hold it). `filter: 'all'` shows hidden
 * properties to actors of the master organisation.
 */
export const getCustomerService = defineOp({
  name: 'customer_service.get',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), service: CatalogName, filter: Type.Optional(PropertyFilter) }, { additionalProperties: false }),
  async run(ctx, input): Promise<CustomerServiceView> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    const service = await getServiceRow(ctx, db, input.service)
    return customerServiceView(db, org.id, service, await findCustomerService(db, org.id, service.id), withHidden(ctx, input.filter))
  },
})

/**
 * Lists a customer's services (the seed's FIND of `<customer><service/>`): those it holds or
 * held, by service name; with `all: true`, every service of the catalogue, those it never held
 * shown `NotProvisioned`.
 */
export const listCustomerServices = defineOp({
  name: 'customer_service.list',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), all: Type.Optional(Type.Boolean()), filter: Type.Optional(PropertyFilter) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<CustomerServiceView[]> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    const rows = new Map((await listCustomerServiceRows(db, org.id)).map((r) => [r.service_id, r]))
    const services = (await listServiceRows(db)).filter((s) => input.all || rows.has(s.id))
    const hidden = withHidden(ctx, input.filter)
    return Promise.all(services.map((s) => customerServiceView(db, org.id, s, rows.get(s.id), hidden)))
  },
})
