/**
 * What the distribution-group and contact operations share: finding the customer service they
 * live in (the customer must hold it), who may change them, their input schemas and paging.
 */
import { Type } from 'typebox'
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { getServiceRow } from '../catalog/catalog-access.js'
import { CatalogName } from '../catalog/schema.js'
import { findCustomerService, findUserService, type CustomerServiceRow } from '../../store/services.repo.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import type { ServiceRow } from '../../store/catalog.repo.js'
import type { UserTable } from '../../store/schema.js'
import { getUserInOrg } from '../users/get-user.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../core/exchange.js'
import type { ExchangeRef } from '../../store/exchange.repo.js'

/** A customer service the operation works in. */
export interface HeldService {
  org: OrgRow
  service: ServiceRow
  cs: CustomerServiceRow
}

/**
 * Loads the customer service of `service` that `orgId` holds (not `NotProvisioned`); an unknown
 * service or one the customer does not hold is `not_found` with `details.resource` `service`.
 * `write`: the actor needs `org.write` (the customer's own admins or its parents'), and a
 * deleted customer is `failed_precondition`.
 */
export async function getHeldService(ctx: Ctx, db: Db, orgId: string, serviceName: string, write: boolean): Promise<HeldService> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (write) {
    requirePermission(ctx, 'org.write')
    if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  }
  const service = await getServiceRow(ctx, db, serviceName, write ? 'share' : undefined)
  const cs = await findCustomerService(db, org.id, service.id)
  if (!cs || cs.status === 'NotProvisioned') throw new DomainError('not_found', `${org.name} does not hold ${service.name}`, { resource: 'service' })
  return { org, service, cs }
}

/**
 * Loads a user of the customer and the customer service it holds (its user service is not
 * `NotProvisioned`; otherwise `not_found` with `details.resource` `service`). `write`: the actor
 * needs `member.write`.
 */
export async function getHeldUserService(ctx: Ctx, db: Db, orgId: string, userId: string, serviceName: string, write: boolean): Promise<HeldService & { user: UserTable }> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (write) {
    requirePermission(ctx, 'member.write')
    if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  }
  const user = await getUserInOrg(ctx, db, org.id, userId)
  const service = await getServiceRow(ctx, db, serviceName, write ? 'share' : undefined)
  const cs = await findCustomerService(db, org.id, service.id)
  const us = cs ? await findUserService(db, user.id, cs.id) : undefined
  if (!cs || cs.status === 'NotProvisioned' || !us || us.status === 'NotProvisioned') {
    throw new DomainError('not_found', `${user.username} does not hold ${service.name}`, { resource: 'service' })
  }
  return { org, service, cs, user }
}

const Text = (max: number) => Type.String({ maxLength: max })

/** Where a listing's page starts and how long it is (`pageIndex` 1-based; `pageSize` ≤ 1000, default 100). */
export const Paging = {
  pageIndex: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE })),
}

/** The offset and limit of a page. */
export function pageOf(input: { pageIndex?: number | undefined; pageSize?: number | undefined }): { pageIndex: number; pageSize: number; offset: number } {
  const pageIndex = input.pageIndex ?? 1
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE
  return { pageIndex, pageSize, offset: (pageIndex - 1) * pageSize }
}

/** A lower-cased prefix filter ('' or absent: none). */
export const Filter = Text(256)

/** How one object is named in a request: by id, sync object id, path or display name (the first given decides). */
export const RefFields = {
  id: Type.Optional(Text(64)),
  syncObjectId: Type.Optional(Text(256)),
  path: Type.Optional(Text(1024)),
  displayName: Type.Optional(Text(256)),
}

/** The reference an input gives; `invalid_argument` when it gives none. */
export function refOf(input: ExchangeRef, what: string): ExchangeRef {
  if (!input.id && !input.syncObjectId && !input.path && !input.displayName) {
    throw new DomainError('invalid_argument', `name the ${what} by id, syncObjectId, path or displayName`, { field: 'displayName' })
  }
  return { id: input.id, syncObjectId: input.syncObjectId, path: input.path, displayName: input.displayName }
}

export const OrgAndService = { orgId: Type.String({ maxLength: 64 }), service: CatalogName }

/** One entry of a group's list as input. */
export const GroupMemberInput = Type.Object(
  {
    displayName: Type.Optional(Text(256)),
    syncObjectId: Type.Optional(Text(256)),
    path: Type.Optional(Text(1024)),
    email: Type.Optional(Text(320)),
    enabled: Type.Optional(Type.Boolean()),
    userId: Type.Optional(Text(64)),
  },
  { additionalProperties: false },
)

export { Text }
