/**
 * Roles a user holds in its organisation, what each may do, and how they map to seed 003's
 * role names.
 *
 * The hierarchy decides *where* an actor acts (its organisation and descendants); the role
 * decides *what* it may do there.
 *
 * | role       | seed 003     | may                                                               |
 * |------------|--------------|-------------------------------------------------------------------|
 * | superadmin | SuperAdmin   | everything, including granting superadmin                         |
 * | owner      | Owner        | everything but granting superadmin                                |
 * | admin      | Sysadmin     | manage customers, members (up to admin), groups, keys, providers  |
 * | support    | Support      | read everything; manage groups and their membership               |
 * | billing    | Business     | read everything; edit billing and contact fields                  |
 * | member     | SiteAccess   | read; manage its own API keys and its own profile                 |
 * | readonly   | (none)       | read only; no keys                                                |
 */
export const ROLES = ['superadmin', 'owner', 'admin', 'support', 'billing', 'member', 'readonly'] as const
export type Role = (typeof ROLES)[number]

/** Seed 003's role names. */
export const ENHANCE_ROLES = ['Owner', 'SuperAdmin', 'Business', 'SiteAccess', 'Support', 'Sysadmin'] as const
export type EnhanceRole = (typeof ENHANCE_ROLES)[number]

const toEnhance: Record<Role, EnhanceRole | null> = {
  superadmin: 'SuperAdmin',
  owner: 'Owner',
  admin: 'Sysadmin',
  support: 'Support',
  billing: 'Business',
  member: 'SiteAccess',
  readonly: null,
}

/** Maps a core role to seed 003's role list (empty for `readonly`). */
export function enhanceRoles(r: Role): EnhanceRole[] {
  const e = toEnhance[r]
  return e ? [e] : []
}

/** Maps a seed 003 role name to the core role. */
export function roleFromEnhance(e: EnhanceRole): Role {
  for (const r of ROLES) if (toEnhance[r] === e) return r
  return 'readonly'
}

/** Rank for "may grant": a role may grant roles of lower or equal rank (owner cannot grant superadmin). */
const rank: Record<Role, number> = { superadmin: 6, owner: 5, admin: 4, support: 3, billing: 3, member: 2, readonly: 1 }

/** The actions a role may take inside its subtree. */
export type Permission =
  | 'org.read'
  | 'org.write'
  | 'org.billing'
  | 'org.delete'
  | 'member.write'
  | 'group.write'
  | 'key.write'
  | 'catalog.write'

const grants: Record<Role, readonly Permission[]> = {
  superadmin: ['org.read', 'org.write', 'org.billing', 'org.delete', 'member.write', 'group.write', 'key.write', 'catalog.write'],
  owner: ['org.read', 'org.write', 'org.billing', 'org.delete', 'member.write', 'group.write', 'key.write', 'catalog.write'],
  admin: ['org.read', 'org.write', 'org.billing', 'org.delete', 'member.write', 'group.write', 'key.write', 'catalog.write'],
  support: ['org.read', 'group.write', 'key.write'],
  billing: ['org.read', 'org.billing', 'key.write'],
  member: ['org.read', 'key.write'],
  readonly: ['org.read'],
}

/** A role's display name (seed 001's `listRoles`). */
export const ROLE_NAMES: Record<Role, string> = {
  superadmin: 'Super administrator',
  owner: 'Owner',
  admin: 'Administrator',
  support: 'Support',
  billing: 'Billing',
  member: 'Member',
  readonly: 'Read-only',
}

/** The permissions `role` carries, in a fixed order. */
export function permissionsOf(role: Role): Permission[] {
  return [...grants[role]]
}

/** True when `role` carries `perm`. */
export function can(role: Role, perm: Permission): boolean {
  return grants[role].includes(perm)
}

/** True when an actor with `granter` may give `target` to a user. */
export function mayGrant(granter: Role, target: Role): boolean {
  if (target === 'superadmin') return granter === 'superadmin'
  return rank[granter] >= rank[target]
}

/**
 * The core role a list of seed 003 roles stands for, since a Clientele user and an API key
 * hold one role: the listed role with the most rights (in `ROLES` order, so `Support` before
 * `Business`); `readonly` for an empty list.
 */
export function roleFromEnhanceList(roles: readonly EnhanceRole[]): Role {
  for (const r of ROLES) if (roles.includes(toEnhance[r] as EnhanceRole)) return r
  return 'readonly'
}

/** True when `inner` carries no right that `outer` lacks (and `outer` could grant it). */
export function withinRole(inner: Role, outer: Role): boolean {
  if (inner === outer) return true
  return mayGrant(outer, inner) && grants[inner].every((p) => grants[outer].includes(p))
}

/**
 * The role with the most rights that lies within both `a` and `b`: what a key made with role
 * `a` acts as when its user now holds `b` (a key never does more than its user may).
 */
export function meetRole(a: Role, b: Role): Role {
  for (const r of ROLES) if (withinRole(r, a) && withinRole(r, b)) return r
  return 'readonly'
}
