/**
 * The mail outbox (`mail_outbox`): messages written in the transaction of the change that sends
 * them, their bodies sealed; what the `mail` job does to a message at each of its steps (the
 * subject handler `mail`, see subjects.ts); and the listing, which never reads a body.
 */
import { sql } from 'kysely'
import type { Db } from './store.js'
import type { JobSubjectHandler } from '../core/jobs.js'
import type { MailState } from '../core/mail.js'

/** A message as listed: recipient, subject, state and times; never its body. */
export interface MailListRow {
  id: number
  guid: string
  recipient: string
  subject: string
  state: MailState
  attempts: number
  last_error: string | null
  created_at: string
  sent_at: string | null
  failed_at: string | null
}

/** Inserts a message (its body already sealed, bound to `guid`) and answers its id. */
export async function insertMail(
  trx: Db,
  row: { guid: string; recipient: string; subject: string; sealedBody: string; state: MailState; requestId: number | null; createdAt: string },
): Promise<number> {
  const r = await trx
    .insertInto('mail_outbox')
    .values({
      guid: row.guid,
      recipient: row.recipient,
      subject: row.subject,
      body: row.sealedBody,
      state: row.state,
      attempts: 0,
      last_error: null,
      request_id: row.requestId,
      created_at: row.createdAt,
      sent_at: null,
      failed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return Number(r.id)
}

/** Lists messages, newest first, without their bodies; `state` filters. */
export async function listMail(db: Db, opts: { offset: number; limit: number; state?: MailState | undefined }): Promise<{ items: MailListRow[]; total: number }> {
  let q = db.selectFrom('mail_outbox')
  if (opts.state) q = q.where('state', '=', opts.state)
  const items = (await q
    .select(['id', 'guid', 'recipient', 'subject', 'state', 'attempts', 'last_error', 'created_at', 'sent_at', 'failed_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute()) as MailListRow[]
  const total = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return { items: items.map((r) => ({ ...r, id: Number(r.id) })), total: Number(total.n) }
}

/** A message to deliver: its sealed body and where it stands. */
export interface MailToSend {
  id: number
  guid: string
  recipient: string
  subject: string
  body: string
  state: string
}

/** Finds a message by id, sealed body included (for the worker that sends it, never for a listing). */
export async function findMailToSend(db: Db, id: number): Promise<MailToSend | undefined> {
  const r = await db.selectFrom('mail_outbox').select(['id', 'guid', 'recipient', 'subject', 'body', 'state']).where('id', '=', id).executeTakeFirst()
  return r ? { ...r, id: Number(r.id) } : undefined
}

/** What the `mail` job's steps do to its message, in the queue's transaction. */
const onMailJob: JobSubjectHandler<Db> = async (trx, event, info) => {
  const id = Number(info.id)
  if (!Number.isSafeInteger(id)) return
  const at = new Date(info.now).toISOString()
  const q = trx.updateTable('mail_outbox').where('id', '=', id)
  switch (event) {
    case 'claimed':
      await q.set({ attempts: sql`attempts + 1` }).execute()
      return
    case 'released':
      await q.set({ attempts: sql`attempts - 1` }).execute()
      return
    case 'retry':
      await q.set({ state: 'queued', last_error: info.error ?? null }).execute()
      return
    case 'succeeded':
      await q.set({ state: 'sent', sent_at: at, last_error: null }).execute()
      return
    case 'failed':
      await q.set({ state: 'failed', failed_at: at, last_error: info.error ?? null }).execute()
      return
    case 'waiting':
      return
  }
}

/** The outbox's subject handler, by subject type (registered in subjects.ts). */
export const mailSubjectHandlers: Record<string, JobSubjectHandler<Db>> = { mail: onMailJob }
