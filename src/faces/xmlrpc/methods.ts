/**
 * Seed 000's methods: for each, its parameters in the seed's order (each call also takes the
 * trailing `jobguid` and `executionparams`), whether it changes anything, and the one operation
 * it calls with the answer shaped as the seed's Return line says. No rules live here.
 */
import type { Ctx } from '../../ops/context.js'
import { DomainError } from '../../core/errors.js'
import { CLOUDAPI_STATUSES, cloudApiStatus, type OrgStatus } from '../../core/status.js'
import type { Organization } from '../../core/org.js'
import { createCustomer } from '../../ops/orgs/create-customer.js'
import { deleteOrg } from '../../ops/orgs/delete-org.js'
import { findOrgs } from '../../ops/orgs/find-orgs.js'
import { getOrg } from '../../ops/orgs/get-org.js'
import { updateOrg } from '../../ops/orgs/update-org.js'
import { exportOrg } from '../../ops/orgs/export-org.js'
import { addCapacity, listCapacity, removeCapacity } from '../../ops/capacity/capacity.js'
import { listCapacityUnitTypes } from '../../ops/capacity/unit-types.js'
import { attachGroup } from '../../ops/groups/attach-group.js'
import { deleteGroup } from '../../ops/groups/delete-group.js'
import { listGroups } from '../../ops/groups/list-groups.js'
import { registerDomain, unregisterDomain } from '../../ops/domains/domains.js'
import { listCloudAccounts } from '../../ops/cloud/list-cloud-accounts.js'
import { rootObjectJson, rootObjectXml, rootObjectYaml, ROOT_OBJECT_XSD } from '../root-object/index.js'
import { EncodedValue, type XmlRpcValue } from './codec.js'

/** How a parameter arrives: a guid or text (strings), an integer, or a struct. */
export type ParamType = 'guid' | 'string' | 'int' | 'struct'

export interface ParamSpec {
  name: string
  type: ParamType
  /** A required parameter may not be omitted, nil or (for guids and strings) empty. */
  required?: boolean
}

/** The parameters after checking: absent, nil and (for optional ones) '' are undefined. */
export type Args = Record<string, XmlRpcValue | undefined>

export interface MethodSpec {
  params: ParamSpec[]
  /** A mutating method records a request; its answer's `jobguid` is that request's guid. */
  mutates: boolean
  call(ctx: Ctx, args: Args): Promise<XmlRpcValue>
}

const guid = (name: string, required = true): ParamSpec => ({ name, type: 'guid', required })
const text = (name: string, required = false): ParamSpec => ({ name, type: 'string', required })
const str = (a: Args, k: string): string | undefined => a[k] as string | undefined
const req = (a: Args, k: string): string => a[k] as string

/** Seed 000's status words to the core's (setStatus) and back to the core's sets (find). */
const STATUS_OF: Record<(typeof CLOUDAPI_STATUSES)[number], Exclude<OrgStatus, 'suspended' | 'deleted'>> = { ACTIVE: 'active', CONFIGURED: 'configured', DISABLED: 'disabled' }
const STATUSES_FOR: Record<(typeof CLOUDAPI_STATUSES)[number], OrgStatus[]> = {
  ACTIVE: ['active'],
  CONFIGURED: ['configured'],
  DISABLED: ['suspended', 'disabled'],
}

function statusWord(s: string, field: string): (typeof CLOUDAPI_STATUSES)[number] {
  const w = s.toUpperCase() as (typeof CLOUDAPI_STATUSES)[number]
  if (!CLOUDAPI_STATUSES.includes(w)) {
    throw new DomainError('invalid_argument', `${field} must be one of ${CLOUDAPI_STATUSES.join(', ')}`, { field })
  }
  return w
}

/** List rows, encoded once per Organization object (the store hands out one per version). */
const rows = new WeakMap<Organization, EncodedValue>()

/** A `list` row: the fields PyLabs' cloud API answers for a customer. */
function customerRow(o: Organization): XmlRpcValue {
  let row = rows.get(o)
  if (row === undefined) rows.set(o, (row = EncodedValue.of(customerFields(o))))
  return row
}

function customerFields(o: Organization): XmlRpcValue {
  return {
    guid: o.id,
    name: o.name,
    description: o.description,
    address: o.address,
    city: o.city,
    country: o.country,
    status: cloudApiStatus(o.status),
  }
}

const addCapacityMethod = (kind: 'available' | 'consumed'): MethodSpec => ({
  params: [guid('customerguid'), { name: 'amount', type: 'int', required: true }, text('capacityunittype', true), text('name'), text('description')],
  mutates: true,
  async call(ctx, a) {
    await addCapacity(ctx, {
      orgId: req(a, 'customerguid'),
      kind,
      amount: a.amount as number,
      capacityunittype: req(a, 'capacityunittype'),
      ...(a.name !== undefined && { name: str(a, 'name') }),
      ...(a.description !== undefined && { description: str(a, 'description') }),
    })
    return true
  },
})

const removeCapacityMethod = (kind: 'available' | 'consumed'): MethodSpec => ({
  params: [guid('customerguid'), text('capacityunittype', true)],
  mutates: true,
  async call(ctx, a) {
    await removeCapacity(ctx, { orgId: req(a, 'customerguid'), kind, capacityunittype: req(a, 'capacityunittype') })
    return true
  },
})

const domainMethod = (op: typeof registerDomain): MethodSpec => ({
  params: [guid('customerguid'), text('username'), text('password'), text('domain', true)],
  mutates: true,
  async call(ctx, a) {
    await op(ctx, {
      orgId: req(a, 'customerguid'),
      domain: req(a, 'domain'),
      ...(a.username !== undefined && { username: str(a, 'username') }),
      ...(a.password !== undefined && { password: str(a, 'password') }),
    })
    return true
  },
})

const exportMethod = (format: (root: Awaited<ReturnType<typeof exportOrg>>) => string, param = 'customerguid'): MethodSpec => ({
  params: [guid(param)],
  mutates: false,
  async call(ctx, a) {
    return format(await exportOrg(ctx, { orgId: req(a, param) }))
  },
})

/** Every method, by its full XML-RPC name. */
export const METHODS: Record<string, MethodSpec> = {
  'cloud_api_customer.getObject': exportMethod(rootObjectJson, 'rootobjectguid'),

  'cloud_api_customer.create': {
    params: [text('name', true), guid('resourcegroupguid', false), text('description'), text('address'), text('city'), text('country')],
    mutates: true,
    async call(ctx, a) {
      const o = await createCustomer(ctx, {
        parentId: str(a, 'resourcegroupguid') ?? ctx.actor.orgId,
        name: req(a, 'name'),
        ...(a.description !== undefined && { description: str(a, 'description') }),
        ...(a.address !== undefined && { address: str(a, 'address') }),
        ...(a.city !== undefined && { city: str(a, 'city') }),
        ...(a.country !== undefined && { country: str(a, 'country') }),
      })
      return o.id
    },
  },

  'cloud_api_customer.find': {
    params: [text('name'), text('status'), guid('resourcegroupguid', false)],
    mutates: false,
    async call(ctx, a) {
      const found = await findOrgs(ctx, {
        ...(a.name !== undefined && { name: str(a, 'name') }),
        ...(a.status !== undefined && { statuses: STATUSES_FOR[statusWord(req(a, 'status'), 'status')] }),
        ...(a.resourcegroupguid !== undefined && { parentId: str(a, 'resourcegroupguid') }),
      })
      return found.map((o) => o.id)
    },
  },

  'cloud_api_customer.list': {
    params: [guid('customerguid', false)],
    mutates: false,
    async call(ctx, a) {
      if (a.customerguid !== undefined) {
        const o = await getOrg(ctx, { orgId: req(a, 'customerguid') })
        return o.status === 'deleted' ? [] : [customerRow(o)]
      }
      return (await findOrgs(ctx, {})).map(customerRow)
    },
  },

  'cloud_api_customer.setStatus': {
    params: [guid('customerguid'), text('status', true)],
    mutates: true,
    async call(ctx, a) {
      await updateOrg(ctx, { orgId: req(a, 'customerguid'), status: STATUS_OF[statusWord(req(a, 'status'), 'status')] })
      return true
    },
  },

  'cloud_api_customer.updateModelProperties': {
    params: [guid('customerguid'), text('name'), text('description'), text('address'), text('city'), text('country'), guid('retentionpolicyguid', false)],
    mutates: true,
    async call(ctx, a) {
      // Every field passed as '' (or not passed) stays unchanged: optional '' arrives undefined.
      const o = await updateOrg(ctx, {
        orgId: req(a, 'customerguid'),
        ...(a.name !== undefined && { name: str(a, 'name') }),
        ...(a.description !== undefined && { description: str(a, 'description') }),
        ...(a.address !== undefined && { address: str(a, 'address') }),
        ...(a.city !== undefined && { city: str(a, 'city') }),
        ...(a.country !== undefined && { country: str(a, 'country') }),
        ...(a.retentionpolicyguid !== undefined && { retentionPolicyGuid: str(a, 'retentionpolicyguid') }),
      })
      return o.id
    },
  },

  'cloud_api_customer.delete': {
    params: [guid('customerguid')],
    mutates: true,
    async call(ctx, a) {
      await deleteOrg(ctx, { orgId: req(a, 'customerguid') })
      return true
    },
  },

  'cloud_api_customer.listStatuses': {
    params: [],
    mutates: false,
    async call() {
      return [...CLOUDAPI_STATUSES]
    },
  },

  'cloud_api_customer.addCapacityAvailable': addCapacityMethod('available'),
  'cloud_api_customer.addCapacityConsumed': addCapacityMethod('consumed'),
  'cloud_api_customer.removeCapacityAvailable': removeCapacityMethod('available'),
  'cloud_api_customer.removeCapacityConsumed': removeCapacityMethod('consumed'),

  'cloud_api_customer.listCapacity': {
    params: [guid('customerguid')],
    mutates: false,
    async call(ctx, a) {
      const c = await listCapacity(ctx, { orgId: req(a, 'customerguid') })
      const entries = (list: typeof c.capacityavailable) =>
        list.map((e) => ({ amount: e.amount, capacityunittype: e.capacityunittype, name: e.name, description: e.description }))
      return { customerguid: c.customerguid, capacityavailable: entries(c.capacityavailable), capacityconsumed: entries(c.capacityconsumed) }
    },
  },

  'cloud_api_customer.addCloudUserGroup': {
    params: [guid('customerguid'), guid('cloudusergroupguid')],
    mutates: true,
    async call(ctx, a) {
      await attachGroup(ctx, { orgId: req(a, 'customerguid'), groupId: req(a, 'cloudusergroupguid') })
      return true
    },
  },

  'cloud_api_customer.removeCloudUserGroup': {
    params: [guid('customerguid'), guid('cloudusergroupguid')],
    mutates: true,
    async call(ctx, a) {
      await deleteGroup(ctx, { orgId: req(a, 'customerguid'), groupId: req(a, 'cloudusergroupguid') })
      return true
    },
  },

  'cloud_api_customer.listGroups': {
    params: [guid('customerguid')],
    mutates: false,
    async call(ctx, a) {
      const groups = await listGroups(ctx, { orgId: req(a, 'customerguid') })
      return groups.map((g) => ({ cloudusergroupguid: g.id, name: g.name, description: g.description }))
    },
  },

  'cloud_api_customer.registerDomain': domainMethod(registerDomain),
  'cloud_api_customer.unregisterDomain': domainMethod(unregisterDomain),

  'cloud_api_customer.listCloudSpaces': {
    params: [guid('customerguid')],
    mutates: false,
    async call(ctx, a) {
      const orgId = req(a, 'customerguid')
      const out: XmlRpcValue[] = []
      for (let offset = 0; ; offset += 1000) {
        const page = await listCloudAccounts(ctx, { orgId, offset, limit: 1000 })
        for (const c of page.items) {
          out.push({ cloudspaceguid: c.id, name: c.name, cloudproviderguid: c.providerId, servers: c.servers, creationdate: c.createdAt })
        }
        if (offset + page.items.length >= page.total || page.items.length === 0) return out
      }
    },
  },

  'cloud_api_customer.getYAML': exportMethod(rootObjectYaml),
  'cloud_api_customer.getXML': exportMethod(rootObjectXml),
  'cloud_api_customer.getXMLSchema': {
    params: [guid('customerguid')],
    mutates: false,
    async call(ctx, a) {
      // The schema is the same for every customer; the customer must still be one the caller sees.
      await getOrg(ctx, { orgId: req(a, 'customerguid') })
      return ROOT_OBJECT_XSD
    },
  },

  'capacityplanning.listCapacityUnitTypes': {
    params: [],
    mutates: false,
    async call(ctx) {
      return (await listCapacityUnitTypes(ctx, {})).map((t) => t.code)
    },
  },
}

/** The names answered by `system.listMethods`. */
export const METHOD_NAMES = [...Object.keys(METHODS), 'system.listMethods'].sort()
