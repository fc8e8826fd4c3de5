/**
 * Outgoing mail: what an operation writes to the outbox, the states a message passes through,
 * and the job kind that delivers it. No I/O here.
 */

/** The job kind that delivers one message of the outbox (its payload's subject is `mail:<id>`). */
export const MAIL_JOB_KIND = 'mail'

/** What a message's sealed body is bound to: its guid, so that it opens only in its own row. */
export function mailBodyAad(guid: string): string {
  return `mail_outbox.body:${guid}`
}

/**
 * Where a message stands: `held` (written while no SMTP transport was configured; it stays in
 * the outbox for the master organisation's admins to see), `queued` (a `mail` job will send it;
 * also between retries), `sent`, or `failed` (the transport refused it for good, or the job gave
 * up after its attempts).
 */
export type MailState = 'held' | 'queued' | 'sent' | 'failed'

/** A message to send. The body is sealed at rest and never logged or answered. */
export interface OutgoingMail {
  to: string
  subject: string
  text: string
}

/** How this process sends mail: set from `--smtp-url` / `CLIENTELE_SMTP_URL`, `--mail-from`, `--public-url`. */
export interface MailSettings {
  /** `smtp://…` or `smtps://…`; absent: messages are held in the outbox. Holds a password: never logged. */
  smtpUrl?: string | undefined
  /** The From address. */
  from: string
  /** The address the links in messages start with (no trailing slash). */
  publicUrl: string
}

/** The default From address and public URL, when none is configured. */
export const DEFAULT_MAIL_SETTINGS: MailSettings = { from: 'Clientele <no-reply@localhost>', publicUrl: 'http://127.0.0.1:8080' }

/**
 * An address with its local part hidden but its first character, as seed 003's
 * `ValidatedPasswordRecovery.obfuscatedEmail` shows it: `jane.doe@example.com` → `j*******@example.com`.
 * The domain stays whole: the document gives the field `format: email`, which a starred domain
 * is not, and whoever holds the link was sent it at that address.
 */
export function obfuscateEmail(address: string): string {
  const at = address.lastIndexOf('@')
  if (at < 1) return '*@no-email.invalid'
  const local = address.slice(0, at)
  return `${local.slice(0, 1)}${'*'.repeat(Math.max(1, local.length - 1))}@${address.slice(at + 1).toLowerCase()}`
}
