import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newSecret, digest } from '../../core/secrets.js'
import { isLiveStatus, type OrgStatus } from '../../core/status.js'
import { SESSION_TTL_MS } from '../../core/users.js'
import { insertSession } from '../../store/credentials.repo.js'
import { consumeLoginLink } from '../../store/login-links.repo.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { findUserById } from '../../store/users.repo.js'
import { nowIso } from '../../store/store.js'

/** A session opened by a one-time login link: its token, shown once (the cookie). */
export interface LinkSession {
  token: string
  expiresAt: string
}

/** What every refusal says: nothing about whether the link existed, was used or ran out. */
const refused = () => new DomainError('unauthenticated', 'invalid, used or expired one-time password')

/**
 * Exchanges a one-time login link (see `createLoginLink`) for a session of its member, who is
 * the actor (the authenticator finds the member from the link first; seed 003's
 * `createOtpSession`).
 *
 * In one transaction the link is taken by one conditional DELETE (of the actor's links, not
 * expired) and the session is inserted, so two concurrent exchanges of one link open exactly
 * one session; a link whose member has since changed credentials or role, been disabled, or
 * whose organisation is no longer live opens none. Every refusal is the same `unauthenticated`.
 * The request recorded is a child of the one that made the link: who opened whose session,
 * and when it was used. The password itself is never recorded.
 */
export const openLinkSession = defineOp({
  name: 'session.openWithLink',
  input: Type.Object({ otpHash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<LinkSession> {
    return ctx.store.write(async (trx) => {
      const link = await consumeLoginLink(trx, input.otpHash, ctx.actor.userId, nowIso(ctx.clock))
      if (!link) throw refused()
      const u = await findUserById(trx, link.user_id)
      const org = u ? await findOrgById(trx, u.org_id) : undefined
      if (!u || !org || u.enabled !== 1 || u.cred_version !== link.cred_version || u.role !== link.role || !isLiveStatus(org.status as OrgStatus)) {
        throw refused()
      }
      ctx.request?.noteTarget(org.path, `user:${u.id}`)
      const token = newSecret()
      const expiresAt = new Date(ctx.clock() + SESSION_TTL_MS).toISOString()
      await insertSession(trx, { idHash: digest(token), userId: u.id, createdAt: nowIso(ctx.clock), expiresAt })
      return { token, expiresAt }
    })
  },
})
