import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { findCustomerService, findUserService, listCustomerServiceRows, listUserServiceRows } from '../../store/services.repo.js'
import { listServiceRows } from '../../store/catalog.repo.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { CatalogName, PropertyFilter } from '../catalog/schema.js'
import { getUserInOrg } from '../users/get-user.js'
import { userServiceView, withHidden, type UserServiceView } from './view.js'

/** Answers one service of a user (`NotProvisioned` when the user does not hold it). */
export const getUserService = defineOp({
  name: 'user_service.get',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }), service: CatalogName, filter: Type.Optional(PropertyFilter) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<UserServiceView> {
    const db = ctx.store.db
    const user = await getUserInOrg(ctx, db, input.orgId, input.userId)
    const service = await getServiceRow(ctx, db, input.service)
    const cs = await findCustomerService(db, user.org_id, service.id)
    const us = cs ? await findUserService(db, user.id, cs.id) : undefined
    return userServiceView(db, user.org_id, user.id, service, us, withHidden(ctx, input.filter))
  },
})

/**
 * Lists a user's services: those the user holds or held; with `all: true`, every service the
 * customer holds (the seed's "services available to a user, including those not provisioned").
 */
export const listUserServices = defineOp({
  name: 'user_service.list',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }), all: Type.Optional(Type.Boolean()), filter: Type.Optional(PropertyFilter) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<UserServiceView[]> {
    const db = ctx.store.db
    const user = await getUserInOrg(ctx, db, input.orgId, input.userId)
    const customer = await listCustomerServiceRows(db, user.org_id)
    const held = new Map((await listUserServiceRows(db, user.id)).map((r) => [r.customer_service_id, r]))
    const serviceOf = new Map(customer.map((c) => [c.service_id, c]))
    const services = (await listServiceRows(db)).filter((s) => {
      const c = serviceOf.get(s.id)
      return c !== undefined && (held.has(c.id) || (input.all === true && c.desired === 'provisioned'))
    })
    const hidden = withHidden(ctx, input.filter)
    return Promise.all(services.map((s) => userServiceView(db, user.org_id, user.id, s, held.get(serviceOf.get(s.id)!.id), hidden)))
  },
})
