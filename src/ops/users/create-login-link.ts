import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { getUserInOrg } from './get-user.js'
import { DomainError } from '../../core/errors.js'
import { mayGrant, type Role } from '../../core/roles.js'
import { isLiveStatus, type OrgStatus } from '../../core/status.js'
import { digest } from '../../core/secrets.js'
import { LOGIN_LINK_TTL_MS } from '../../core/users.js'
import { insertLoginLink } from '../../store/login-links.repo.js'
import { nowIso } from '../../store/store.js'

/** A one-time login link's secret part, as its maker receives it once. */
export interface LoginLink {
  /** The one-time password (a random v4 UUID): shown in this answer only, stored as a digest. */
  otp: string
  userId: string
  expiresAt: string
}

/**
 * Makes a one-time password that opens a session of member `userId` of `orgId` (seed 003's
 * `getOrgMemberLogin`, for an administrator to open a member's control panel); see
 * `openLinkSession` for its use.
 *
 * The member must be in the actor's subtree (else `not_found`, as everywhere); the actor needs
 * `member.write` and a role that may grant the member's role — the same test as changing that
 * member (`user.update`), so a link is never a way up: an admin opens no owner's or
 * superadmin's session, an API key acts with its own (narrowed) role. Nobody opens their own
 * session this way (`forbidden`): a link would turn another credential, such as an access token
 * fenced to some addresses, into a session usable from anywhere. A disabled member, or a
 * member of an organisation that is not live, gets none (`failed_precondition`).
 *
 * The password is a random v4 UUID, stored only as its SHA-256, valid for `LOGIN_LINK_TTL_MS`,
 * once, and only while the member keeps the credential version and role it has now (a
 * password change, a disable or a new role voids it). The request recorded names the member
 * (`user:<id>`), never the password.
 */
export const createLoginLink = defineOp({
  name: 'member.createLoginLink',
  input: Type.Object({ orgId: Type.String(), userId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<LoginLink> {
    const member = await getUserInOrg(ctx, ctx.store.db, input.orgId, input.userId)
    requirePermission(ctx, 'member.write')
    if (member.id === ctx.actor.userId) {
      // The caller holds a credential already; a link to itself would only turn that one (an
      // access token fenced to some addresses, say) into a session usable from anywhere.
      throw new DomainError('forbidden', "a login link opens another member's session, never your own")
    }
    if (!mayGrant(ctx.actor.role, member.role as Role)) {
      throw new DomainError('forbidden', `role ${ctx.actor.role} may not open the session of a member with role ${member.role}`)
    }
    const otp = randomUUID()
    const createdAt = nowIso(ctx.clock)
    const expiresAt = new Date(Date.parse(createdAt) + LOGIN_LINK_TTL_MS).toISOString()
    await ctx.store.write(async (trx) => {
      // Read again in the transaction: the link binds the member's credentials as they are now.
      const org = await getOrgInScope(ctx, trx, input.orgId)
      const u = await getUserInOrg(ctx, trx, input.orgId, input.userId)
      if (u.enabled !== 1) throw new DomainError('failed_precondition', 'the member is disabled: it gets no login link')
      if (!isLiveStatus(org.status as OrgStatus)) {
        throw new DomainError('failed_precondition', `the member's organisation is ${org.status}: its members get no login link`)
      }
      if (ctx.request) {
        // The request says whose session the link opens; its scope stays the member's organisation.
        ctx.request.target = `user:${u.id}`
      }
      await insertLoginLink(trx, {
        otp_hash: digest(otp),
        user_id: u.id,
        cred_version: u.cred_version,
        role: u.role,
        request_guid: ctx.request?.guid ?? '',
        created_at: createdAt,
        expires_at: expiresAt,
      })
    })
    return { otp, userId: member.id, expiresAt }
  },
})
