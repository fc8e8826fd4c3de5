import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { mayGrant } from '../../core/roles.js'
import { hashSecret } from '../../core/passwords.js'
import { insertUser, setUserApprovalState, toUser, usernameKey, type User } from '../../store/users.repo.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { Email, ExpiryInput, Password, PersonName, PropertyChange, RoleInput, Username } from './schema.js'
import { checkManager } from './manager.js'
import { gateEvent } from '../approvals/gate.js'
import { holdRequest } from '../../store/jobs.repo.js'
import { applyAdditionalProperties, parseAccountOptions, requireExpiryAllowed } from './account-options.js'
import type { PropertyMap } from '../../core/account.js'

/**
 * Creates a user in an organisation of the actor's subtree.
 *
 * Needs `member.write`; the actor may grant only roles it could hold (`superadmin` only by a
 * superadmin). Usernames are unique across the system, case-insensitively. The password is
 * hashed (argon2id) before the transaction and never stored or returned in clear.
 *
 * When an approval provider of the organisation subscribes to `users` Provision
 * (ops/approvals/), the user is made disabled and `approvalPending`, its request `pending`: the
 * approvers' acceptance enables it (as `enabled` asked), a refusal or a timeout removes it.
 *
 * Seed 004's password options: `changePasswordAtNextLogon`, `passwordExpiresAt` (a day
 * `YYYY-MM-DD`, or `NEVER`/null for never: refused with `failed_precondition` on
 * `password.expires` where the organisation does not allow it; malformed: `invalid_argument`
 * on `password.expires`) and `accountExpiresAt` (malformed: `invalid_argument` on
 * `accountExpires`); `additionalProperties` sets the user's additional properties (see
 * core/account.ts; errors on `property.<name>`). The answer carries `additionalProperties`
 * when they were given.
 */
export const createUser = defineOp({
  name: 'user.create',
  input: Type.Object(
    {
      orgId: Type.String(),
      username: Username,
      password: Password,
      email: Type.Optional(Email),
      firstName: Type.Optional(PersonName),
      lastName: Type.Optional(PersonName),
      role: Type.Optional(RoleInput),
      enabled: Type.Optional(Type.Boolean()),
      managerUserId: Type.Optional(Type.String({ maxLength: 64, description: "The user's manager: a user of the same organisation (Workflow Managers approvals go up this chain)" })),
      changePasswordAtNextLogon: Type.Optional(Type.Boolean()),
      passwordExpiresAt: Type.Optional(ExpiryInput),
      accountExpiresAt: Type.Optional(ExpiryInput),
      additionalProperties: Type.Optional(PropertyChange),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<User & { additionalProperties?: PropertyMap }> {
    requirePermission(ctx, 'member.write')
    const options = parseAccountOptions(input)
    const role = input.role ?? 'member'
    if (!mayGrant(ctx.actor.role, role)) throw new DomainError('forbidden', `role ${ctx.actor.role} may not grant ${role}`)
    await getOrgInScope(ctx, ctx.store.db, input.orgId)
    const passwordHash = await hashSecret(input.password)
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      if (org.status === 'deleted') throw new DomainError('not_found', 'organisation not found', { resource: 'customer' })
      if (input.managerUserId !== undefined) await checkManager(trx, org.id, null, input.managerUserId)
      requireExpiryAllowed(org, options)
      const now = nowIso(ctx.clock)
      const row = {
        id: newId(),
        org_id: org.id,
        username: input.username,
        username_key: usernameKey(input.username),
        email: input.email ?? '',
        first_name: input.firstName ?? '',
        last_name: input.lastName ?? '',
        password_hash: passwordHash,
        cred_version: 1,
        role,
        enabled: input.enabled === false ? 0 : 1,
        created_at: now,
        updated_at: now,
        version: 1,
        manager_user_id: input.managerUserId ?? null,
        approval_state: null as string | null,
        ...options,
      }
      await mapUnique(
        () => insertUser(trx, row),
        () => `username ${input.username} is taken`,
      )
      const name = [row.first_name, row.last_name].filter(Boolean).join(' ') || row.username
      const gate = await gateEvent(ctx, trx, {
        org,
        object: 'users',
        action: 'Provision',
        chainOf: row.id,
        description: `Provision User - ${name}`,
        effect: { kind: 'user-create', userId: row.id, enabled: row.enabled === 1 },
      })
      if (gate) {
        row.enabled = 0
        row.approval_state = 'pending-create'
        await setUserApprovalState(trx, row.id, 'pending-create', { enabled: false })
        await holdRequest(trx, gate.requestId, ctx.clock(), `user ${row.username} is made disabled until its approval ${gate.approvalId} is decided`)
      }
      if (input.additionalProperties === undefined) return toUser(row)
      return { ...toUser(row), additionalProperties: await applyAdditionalProperties(ctx, trx, row.id, input.additionalProperties) }
    })
  },
})
