import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { actsForMaster } from '../access.js'
import { can } from '../../core/roles.js'
import { DomainError } from '../../core/errors.js'
import type { MailState } from '../../core/mail.js'
import { listMail } from '../../store/mail.repo.js'

/** A message of the outbox as its readers see it: never its body. */
export interface OutboxEntry {
  id: number
  to: string
  subject: string
  state: MailState
  attempts: number
  lastError: string | null
  createdAt: string
  sentAt: string | null
  failedAt: string | null
}

/**
 * Lists the mail outbox, newest first: recipient, subject, state, attempts and times, never a
 * body (bodies are sealed: they may hold a recovery link or a PIN). Only the master
 * organisation's users with `member.write` (superadmin, owner, admin) read it; anyone else is
 * answered `not_found`, as for a route they cannot see.
 */
export const listOutbox = defineOp({
  name: 'mail.list',
  input: Type.Object(
    {
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      state: Type.Optional(Type.Enum(['held', 'queued', 'sent', 'failed'] as const)),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ items: OutboxEntry[]; total: number }> {
    if (!actsForMaster(ctx) || !can(ctx.actor.role, 'member.write')) {
      throw new DomainError('not_found', 'no such route')
    }
    const page = await listMail(ctx.store.db, { offset: input.offset ?? 0, limit: input.limit ?? 100, state: input.state })
    return {
      items: page.items.map((r) => ({
        id: r.id,
        to: r.recipient,
        subject: r.subject,
        state: r.state,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at,
        sentAt: r.sent_at,
        failedAt: r.failed_at,
      })),
      total: page.total,
    }
  },
})
