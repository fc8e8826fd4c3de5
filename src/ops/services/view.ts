/**
 * Customer services and user services as callers see them: the catalogue's service with this
 * customer's (or user's) settings laid over it, and the provisioning status with its seed 004
 * label and colour. A service the customer does not hold is shown `NotProvisioned` with the
 * catalogue's defaults.
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { provisioningInfo, type ProvisioningColour, type ProvisioningStatus } from '../../core/provisioning.js'
import { listPackageRows, listPlanRows, listPropertyRows, toUserLimit, type ServiceRow, type UserLimit } from '../../store/catalog.repo.js'
import {
  findLocationName,
  listCustomerServiceInstanceRows,
  listCustomerServicePackageStates,
  listCustomerServicePlanRows,
  listUserServiceInstanceNames,
  listUserServicePlanNames,
  requestStates,
  type CustomerServiceRow,
  type UserServiceRow,
} from '../../store/services.repo.js'
import { actsForMaster } from '../access.js'

export interface ServiceStatusView {
  status: ProvisioningStatus
  statusLabel: string
  statusColour: ProvisioningColour
  /** Where the latest request takes it: `Provisioned` or `NotProvisioned`. */
  desiredStatus: 'Provisioned' | 'NotProvisioned'
  /** The last failure's text, while the status is `Failed`. */
  error: string | null
  /** The guid of the latest request that changed it (`GET /jobs/{guid}`). */
  requestGuid: string | null
  /** True while that request waits for approval (the status is then `Pending`). */
  approvalPending: boolean
}

export interface CustomerPlanView {
  name: string
  fullname: string
  userLimit: UserLimit
  usersCount: number
  used: boolean
  enabled: boolean
}

export interface CustomerServiceView extends ServiceStatusView {
  id: string | null
  orgId: string
  service: string
  fullname: string
  version: string
  location: string | null
  userLimit: UserLimit
  usersCount: number
  isBilled: boolean
  multipleUserPlans: boolean
  packages: { name: string; fullname: string; enabled: boolean }[]
  userPlans: CustomerPlanView[]
  properties: { name: string; value: string; hidden: boolean }[]
  instances: { name: string; description: string; properties: Record<string, string> }[]
  etagVersion: number
  createdAt: string | null
  updatedAt: string | null
  provisionedAt: string | null
}

export interface UserServiceView extends ServiceStatusView {
  id: string | null
  orgId: string
  userId: string
  service: string
  fullname: string
  userPlans: { name: string; fullname: string }[]
  instances: string[]
  properties: { name: string; value: string }[]
  etagVersion: number
  createdAt: string | null
  updatedAt: string | null
  provisionedAt: string | null
}

function statusOf(row: { status: string; desired: string; error: string | null; request_id: number | null } | undefined, requests: Map<number, { guid: string; status: string }>): ServiceStatusView {
  const latest = row?.request_id != null ? requests.get(row.request_id) : undefined
  const status = (row?.status ?? 'NotProvisioned') as ProvisioningStatus
  const info = provisioningInfo(status)
  return {
    status,
    statusLabel: info.label,
    statusColour: info.colour,
    desiredStatus: row?.desired === 'provisioned' ? 'Provisioned' : 'NotProvisioned',
    error: status === 'Failed' ? (row?.error ?? null) : null,
    requestGuid: latest?.guid ?? null,
    approvalPending: latest?.status === 'pending',
  }
}

/** True when hidden properties are shown: `filter=all` by an actor of the master organisation. */
export function withHidden(ctx: Ctx, filter: 'all' | undefined): boolean {
  return filter === 'all' && actsForMaster(ctx)
}

/** Builds the view of `service` for the customer `orgId`, whose row (if it holds the service) is `row`. */
export async function customerServiceView(db: Db, orgId: string, service: ServiceRow, row: CustomerServiceRow | undefined, hidden: boolean): Promise<CustomerServiceView> {
  const [packages, plans, props, guids] = await Promise.all([
    listPackageRows(db, service.id),
    listPlanRows(db, service.id),
    listPropertyRows(db, service.id, true),
    requestStates(db, row?.request_id != null ? [row.request_id] : []),
  ])
  const enabledPackages = new Map<string, boolean>()
  const customerPlans = new Map<string, { enabled: number; user_limit: number | null; users_count: number }>()
  let instances: CustomerServiceView['instances'] = []
  let location: string | null = null
  if (row) {
    const [cp, cpl, inst, loc] = await Promise.all([
      listCustomerServicePackageStates(db, row.id),
      listCustomerServicePlanRows(db, row.id),
      listCustomerServiceInstanceRows(db, row.id),
      row.location_id ? findLocationName(db, row.location_id) : Promise.resolve(undefined),
    ])
    for (const p of cp) enabledPackages.set(p.package_id, p.enabled === 1)
    for (const p of cpl) customerPlans.set(p.plan_id, p)
    instances = inst.map((i) => ({ name: i.name, description: i.description, properties: JSON.parse(i.properties) as Record<string, string> }))
    location = loc ?? null
  }
  const values = row ? (JSON.parse(row.properties) as Record<string, string>) : {}
  return {
    id: row?.id ?? null,
    orgId,
    service: service.name,
    fullname: service.display_name || service.name,
    version: service.version,
    location,
    ...statusOf(row, guids),
    userLimit: row ? toUserLimit(row.user_limit) : 'Unlimited',
    usersCount: row?.users_count ?? 0,
    isBilled: row ? row.is_billed === 1 : true,
    multipleUserPlans: service.multiple_user_plans === 1,
    packages: packages.map((p) => ({ name: p.name, fullname: p.display_name || p.name, enabled: enabledPackages.get(p.id) ?? false })),
    userPlans: plans.map((p) => {
      const c = customerPlans.get(p.id)
      return {
        name: p.name,
        fullname: p.fullname || p.name,
        userLimit: toUserLimit(c ? c.user_limit : p.user_limit),
        usersCount: c?.users_count ?? 0,
        used: (c?.users_count ?? 0) > 0,
        enabled: c?.enabled === 1,
      }
    }),
    properties: props
      .filter((p) => hidden || p.hidden === 0)
      .map((p) => ({ name: p.name, value: values[p.name_key] ?? p.value, hidden: p.hidden === 1 })),
    instances,
    etagVersion: row?.version ?? 0,
    createdAt: row?.created_at ?? null,
    updatedAt: row?.updated_at ?? null,
    provisionedAt: row?.provisioned_at ?? null,
  }
}

/** Builds the view of a user's service (`row` when the user holds or held it). */
export async function userServiceView(
  db: Db,
  orgId: string,
  userId: string,
  service: ServiceRow,
  row: UserServiceRow | undefined,
  hidden: boolean,
): Promise<UserServiceView> {
  const [props, guids] = await Promise.all([listPropertyRows(db, service.id, true), requestStates(db, row?.request_id != null ? [row.request_id] : [])])
  let plans: { name: string; fullname: string }[] = []
  let instances: string[] = []
  if (row) {
    const [p, i] = await Promise.all([listUserServicePlanNames(db, row.id), listUserServiceInstanceNames(db, row.id)])
    plans = p.map((x) => ({ name: x.name, fullname: x.fullname || x.name }))
    instances = i
  }
  const values = row ? (JSON.parse(row.properties) as Record<string, string>) : {}
  return {
    id: row?.id ?? null,
    orgId,
    userId,
    service: service.name,
    fullname: service.display_name || service.name,
    ...statusOf(row, guids),
    userPlans: plans,
    instances,
    properties: props.filter((p) => (hidden || p.hidden === 0) && values[p.name_key] !== undefined).map((p) => ({ name: p.name, value: values[p.name_key]! })),
    etagVersion: row?.version ?? 0,
    createdAt: row?.created_at ?? null,
    updatedAt: row?.updated_at ?? null,
    provisionedAt: row?.provisioned_at ?? null,
  }
}
