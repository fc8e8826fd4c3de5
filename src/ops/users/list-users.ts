import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { ROLES } from '../../core/roles.js'
import { countUsersMatching, listUserRowsMatching, toUser, type User, type UserCriteria } from '../../store/users.repo.js'

/** Paging and sorting of user listings (by username unless told). */
export const UserListing = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  sortBy: Type.Optional(Type.Enum(['username', 'email', 'name', 'createdAt', 'enabled'] as const)),
  sortOrder: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
}

/**
 * Lists the users of an organisation in the actor's subtree (by username unless told),
 * optionally only those holding one of `roles`. Clientele has no websites yet, so nobody has
 * access to the site `siteAccess` names: with it, the list is empty.
 */
export const listUsers = defineOp({
  name: 'user.list',
  input: Type.Object(
    {
      orgId: Type.String(),
      roles: Type.Optional(Type.Array(Type.Enum(ROLES), { maxItems: ROLES.length })),
      siteAccess: Type.Optional(Type.String({ maxLength: 64 })),
      ...UserListing,
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: User[]; total: number }> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId)
    const roles = input.siteAccess !== undefined ? [] : input.roles
    const c: UserCriteria = { orgId: org.id, ...(roles ? { roles } : {}) }
    const total = await countUsersMatching(db, c)
    const rows = await listUserRowsMatching(db, c, input.sortBy ?? 'username', input.sortOrder ?? 'asc', input.offset ?? 0, input.limit ?? 100)
    return { items: rows.map(toUser), total }
  },
})

/** A user with its organisation's locale (what seed 003's `Login` answers). */
export type LoginView = User & { orgLocale: string }

/**
 * Lists the users (seed 003's logins) of an organisation, with `recursive` of every
 * organisation below it too: the actor's own organisation unless `orgId` names another in its
 * subtree.
 */
export const listLogins = defineOp({
  name: 'user.login.list',
  input: Type.Object({ orgId: Type.Optional(Type.String()), recursive: Type.Optional(Type.Boolean()), ...UserListing }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: LoginView[]; total: number }> {
    const db = ctx.store.db
    const org = await getOrgInScope(ctx, db, input.orgId ?? ctx.actor.orgId)
    const c: UserCriteria = input.recursive ? { subtreePath: org.path } : { orgId: org.id }
    const total = await countUsersMatching(db, c)
    const rows = await listUserRowsMatching(db, c, input.sortBy ?? 'username', input.sortOrder ?? 'asc', input.offset ?? 0, input.limit ?? 100)
    return { items: rows.map((r) => ({ ...toUser(r), orgLocale: r.org_locale })), total }
  },
})
