import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { digest } from '../../core/secrets.js'
import { DEFAULT_MAIL_SETTINGS, type OutgoingMail } from '../../core/mail.js'
import { deleteEmailChanges, replaceEmailChange } from '../../store/account.repo.js'
import { updateUserRow } from '../../store/users.repo.js'
import { queueMail } from '../mail/queue-mail.js'
import { getCustomerOwner, requireAccountManager } from './owner-access.js'

/** How long an e-mail confirmation token works. */
export const EMAIL_CHANGE_TTL_MS = 24 * 3600_000

/** The answer of an e-mail change: the address in force, the one waiting for confirmation, and whether one is needed. */
export interface EmailChangeResult {
  current: string
  pending: string | null
  confirmationRequired: boolean
}

/**
 * Changes a customer's e-mail address (seed 001's `changeEmail`): the e-mail address of its
 * owner, the user holding the `owner` role (`users.email`, where its recovery links and login
 * PINs go). Who may: as for the password (`requireAccountManager`).
 *
 * Where mail is configured (an SMTP transport, `ctx.mail.smtpUrl`) the old address stays in
 * force: the new one is stored as pending with a confirmation token (a random UUID, stored only
 * as its SHA-256, single use, valid `EMAIL_CHANGE_TTL_MS`; a newer change replaces it) that is
 * mailed to the new address through the outbox, in the same transaction; the answer is
 * `{current: old, pending: new, confirmationRequired: true}` and `confirmEmailChange` makes it
 * current. Where mail is not configured nothing could prove the address, and the change is
 * made at once: `{current: new, pending: null, confirmationRequired: false}`. The address
 * already in force changes nothing and drops a pending change.
 */
export const changeCustomerEmail = defineOp({
  name: 'customer.email.change',
  input: Type.Object({ orgId: Type.String(), email: Type.String({ format: 'email', maxLength: 254 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<EmailChangeResult> {
    const email = input.email.trim()
    const { org } = await getCustomerOwner(ctx, ctx.store.db, input.orgId)
    requireAccountManager(ctx, org)
    return ctx.store.write(async (trx) => {
      const { owner } = await getCustomerOwner(ctx, trx, org.id)
      const now = ctx.clock()
      if (email === owner.email) {
        await deleteEmailChanges(trx, owner.id)
        return { current: owner.email, pending: null, confirmationRequired: false }
      }
      if (!ctx.mail?.smtpUrl) {
        const set = { email, updated_at: new Date(now).toISOString(), version: owner.version + 1 }
        if (!(await updateUserRow(trx, owner.id, owner.version, set))) throw new DomainError('version_mismatch', 'the owner changed meanwhile; try again')
        await deleteEmailChanges(trx, owner.id)
        return { current: email, pending: null, confirmationRequired: false }
      }
      const token = randomUUID()
      await replaceEmailChange(trx, {
        token_hash: digest(token),
        user_id: owner.id,
        org_id: org.id,
        new_email: email,
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + EMAIL_CHANGE_TTL_MS).toISOString(),
      })
      await queueMail(trx, ctx, confirmationMail(ctx, owner.username, email, token), () => ctx.request!.queue(trx))
      return { current: owner.email, pending: email, confirmationRequired: true }
    })
  },
})

function confirmationMail(ctx: Ctx, username: string, to: string, token: string): OutgoingMail {
  const base = (ctx.mail ?? DEFAULT_MAIL_SETTINGS).publicUrl.replace(/\/+$/, '')
  return {
    to,
    subject: 'Confirm your new Clientele e-mail address',
    text:
      `Someone (we hope you) asked to make this the e-mail address of the Clientele login ${username}.\n\n` +
      `To confirm it, open this link within 24 hours:\n\n  ${base}/email-change/confirm?token=${token}\n\n` +
      `or give this token to POST ${base}/email-change/confirm: ${token}\n\n` +
      `It works once. Until then the old address stays in force. If you did not ask for this, ignore this message.\n`,
  }
}

