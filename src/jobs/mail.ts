/**
 * The `mail` job: sends one message of the outbox through SMTP (nodemailer), as a provisioning
 * driver carries out a provisioning job. Its outcome goes through the worker like a driver's:
 * retried with the queue's backoff when the failure may pass (no connection, a timeout, a 4xx
 * reply), failed at once when it will not (a 5xx reply, a body sealed under a key this process
 * lacks). The body is opened here and nowhere else, and never logged.
 */
import nodemailer from 'nodemailer'
import type { Deps } from '../ops/context.js'
import { DEFAULT_MAIL_SETTINGS, mailBodyAad } from '../core/mail.js'
import { findMailToSend } from '../store/mail.repo.js'
import type { JobRow } from '../store/jobs.repo.js'
import type { DriverOutcome } from './drivers/index.js'

/** A message as handed to the transport. */
export interface MailMessage {
  from: string
  to: string
  subject: string
  text: string
  /** The outbox message's guid: its Message-ID, so that a delivery repeated after a crash is recognisable. */
  messageId: string
}

/** Sends a message; rejects with the transport's error. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>
  close(): void
}

/** A transport for `smtp://` or `smtps://` URLs (credentials in the URL are never logged). */
export function smtpTransport(url: string): MailTransport {
  const t = nodemailer.createTransport(url)
  return {
    async send(m) {
      await t.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, messageId: `<${m.messageId}@clientele>` })
    },
    close() {
      t.close()
    },
  }
}

/** Runs the `mail` job `job` with `transport` (undefined: this process has no SMTP transport configured). */
export async function deliverMail(deps: Deps, transport: MailTransport | undefined, job: JobRow, signal: AbortSignal): Promise<DriverOutcome> {
  const subject = (JSON.parse(job.payload) as { subject?: unknown }).subject
  const id = typeof subject === 'string' && subject.startsWith('mail:') ? Number(subject.slice(5)) : NaN
  const m = Number.isSafeInteger(id) ? await findMailToSend(deps.store.db, id) : undefined
  if (!m) return { ok: false, retryable: false, error: 'the message is no longer in the outbox' }
  if (m.state === 'sent') return { ok: true, result: { alreadySent: true } }
  if (!transport) return { ok: false, retryable: true, error: 'no SMTP transport is configured on this worker (--smtp-url)' }
  let text: string
  try {
    text = String(deps.secrets.open(m.body, mailBodyAad(m.guid)))
  } catch (e) {
    return { ok: false, retryable: false, error: (e as Error).message }
  }
  if (signal.aborted) throw signal.reason
  try {
    await transport.send({ from: (deps.mail ?? DEFAULT_MAIL_SETTINGS).from, to: m.recipient, subject: m.subject, text, messageId: m.guid })
    return { ok: true, result: { sent: true } }
  } catch (e) {
    const err = e as { responseCode?: unknown; code?: unknown; message?: unknown }
    const code = typeof err.responseCode === 'number' ? err.responseCode : undefined
    const why = `SMTP: ${code !== undefined ? `${code} ` : ''}${typeof err.code === 'string' ? `${err.code} ` : ''}${String(err.message ?? 'failed').slice(0, 300)}`
    return { ok: false, retryable: code === undefined || code < 500, error: why }
  }
}
