/**
 * Input shapes shared by the plan and subscription operations, and the checks on what a plan
 * or subscription names: resource names, servers and server groups.
 */
import { Type } from 'typebox'
import { DomainError } from '../../core/errors.js'
import type { Db } from '../../store/store.js'
import { isEmptyPlacement, placementServerIds, resolveResourceNames, serverGroupExists, serverRoles, type Placement, type PlanResource } from '../../store/plans.repo.js'

const STRICT = { additionalProperties: false } as const
const Id = Type.String({ maxLength: 64 })

export const PlanName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
export const PlanId = Type.Integer({ minimum: 1, maximum: 2147483647 })
/** The largest total or usage of a resource (safe as a JavaScript number, with room to add). */
export const MAX_AMOUNT = 1e15
export const ResourceInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    total: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, description: 'Absent: unlimited' })),
  },
  STRICT,
)
export const ResourcesInput = Type.Array(ResourceInput, { maxItems: 100 })
export const DedicatedServersInput = Type.Object(
  { appServerId: Type.Optional(Id), backupServerId: Type.Optional(Id), dbServerId: Type.Optional(Id), emailServerId: Type.Optional(Id), postgresqlServerId: Type.Optional(Id) },
  STRICT,
)

/** The resource name every reseller plan has: its subscribers may have customers. */
export const CUSTOMERS = 'customers'

/**
 * Checks a plan's resources and answers them with the stored spelling of each name, ordered by
 * name: every name known (`invalid_argument` otherwise), none twice.
 */
export async function resolveResources(db: Db, resources: readonly { name: string; total?: number }[]): Promise<PlanResource[]> {
  const known = await resolveResourceNames(db, resources.map((r) => r.name))
  const seen = new Set<string>()
  const out: PlanResource[] = []
  for (const r of resources) {
    const name = known.get(r.name)
    if (!name) throw new DomainError('invalid_argument', `no resource named ${JSON.stringify(r.name)} (GET /resource-names lists them)`, { field: 'resources', resource: r.name })
    if (seen.has(name)) throw new DomainError('invalid_argument', `resource ${name} is given twice`, { field: 'resources', resource: name })
    seen.add(name)
    out.push(r.total === undefined ? { name } : { name, total: r.total })
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * Checks that a placement names a server group or servers (not both) that exist, each server
 * with the role it is named for.
 */
export async function checkPlacement(db: Db, p: Placement): Promise<void> {
  if (isEmptyPlacement(p)) return
  if (p.serverGroupId && placementServerIds(p).length > 0) {
    throw new DomainError('invalid_argument', 'give serverGroupId or dedicatedServers, not both', { field: 'serverGroupId' })
  }
  if (p.serverGroupId) {
    if (!(await serverGroupExists(db, p.serverGroupId))) throw new DomainError('invalid_argument', `no server group ${p.serverGroupId}`, { field: 'serverGroupId' })
  }
  const wanted = Object.entries(p.dedicatedServers ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')
  if (wanted.length === 0) return
  const byId = await serverRoles(db, wanted.map(([, id]) => id))
  for (const [field, id] of wanted) {
    const roles = byId.get(id)
    if (!roles) throw new DomainError('invalid_argument', `no server ${id}`, { field: `dedicatedServers.${field}` })
    const role = field.replace(/ServerId$/, '')
    if (!roles.includes(role)) throw new DomainError('invalid_argument', `server ${id} has no ${role} role`, { field: `dedicatedServers.${field}` })
  }
}
