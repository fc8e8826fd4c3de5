/**
 * The caller's own sessions (seed 003's `/login/sessions`): listed by a public id, ended one by
 * one or all at once. A session's public id is a digest of its token's digest, so neither the
 * token nor what the database keeps of it is ever shown.
 */
import { createHash } from 'node:crypto'
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteSession, listUserSessions } from '../../store/credentials.repo.js'
import { deleteUserSessions } from '../../store/users.repo.js'
import { nowIso } from '../../store/store.js'

/** A session as its user sees it. */
export interface SessionView {
  id: string
  createdAt: string
  expiresAt: string
}

/** The public id of the session whose token digest is `idHash`. */
export function sessionPublicId(idHash: string): string {
  return createHash('sha256').update(`session-id\0${idHash}`).digest('hex').slice(0, 32)
}

/** Lists the caller's live sessions, oldest first. */
export const listMySessions = defineOp({
  name: 'session.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<SessionView[]> {
    const rows = await listUserSessions(ctx.store.db, ctx.actor.userId, nowIso(ctx.clock))
    return rows.map((r) => ({ id: sessionPublicId(r.id_hash), createdAt: r.created_at, expiresAt: r.expires_at }))
  },
})

/**
 * Ends one of the caller's sessions by its public id. An id that names none of the caller's
 * live sessions ends nothing and is not an error: seed 003's document answers this call 200 or
 * 401 only, and the session may have ended by itself meanwhile.
 */
export const deleteMySession = defineOp({
  name: 'session.delete',
  input: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    await ctx.store.write(async (trx) => {
      const rows = await listUserSessions(trx, ctx.actor.userId, nowIso(ctx.clock))
      const row = rows.find((r) => sessionPublicId(r.id_hash) === input.sessionId)
      if (row) await deleteSession(trx, row.id_hash)
    })
  },
})

/** Ends every session of the caller (on every device); its API keys are left alone. */
export const deleteMySessions = defineOp({
  name: 'session.deleteAll',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<void> {
    await ctx.store.write((trx) => deleteUserSessions(trx, ctx.actor.userId))
  },
})
