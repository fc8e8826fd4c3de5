import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { permissionsOf, ROLE_NAMES, ROLES, type Permission, type Role } from '../../core/roles.js'

/** A role as `role.list` shows it (seed 001's `Role`). */
export interface RoleView {
  id: Role
  name: string
  permissions: Permission[]
}

/**
 * Lists the roles a customer's users and API keys may hold (seed 001's `listRoles`), from the
 * most rights to the fewest, each with its display name and permissions. With `orgId` the
 * organisation must be in the actor's scope (`not_found` otherwise); every organisation offers
 * the same roles. A key's "type" (`APIKeyType`) is one of these ids.
 */
export const listRoles = defineOp({
  name: 'role.list',
  input: Type.Object({ orgId: Type.Optional(Type.String()) }, { additionalProperties: false }),
  async run(ctx, input): Promise<RoleView[]> {
    if (input.orgId !== undefined) await getOrgInScope(ctx, ctx.store.db, input.orgId)
    return ROLES.map((id) => ({ id, name: ROLE_NAMES[id], permissions: permissionsOf(id) }))
  },
})
