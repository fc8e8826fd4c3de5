/**
 * Password recovery by mail (seed 003's `startPasswordRecovery`, `validatePasswordRecovery`,
 * `finishPasswordRecovery`). These calls come without credentials: the mailed secret is the
 * credential.
 *
 * * **Start** never tells whether an address is known: it answers the same, after the same work
 *   (the throttle's write transaction, and a read of the users), either way. When live users
 *   have the address, each gets a recovery secret (a random UUID, stored only as its SHA-256,
 *   valid `RECOVERY_TTL_MS`, single use, bound to the user's credential version) mailed as a
 *   link through the outbox, in that same transaction.
 * * **Starts are throttled** per address and source (`START_MAX` within the throttle's window,
 *   then locked out, doubling) and per address from every source (`START_ADDRESS_MAX`; past it,
 *   starts still answer the same but mail nothing more: nobody can flood an inbox).
 * * **Finish** sets the password under the project's password rule (8–256 characters, argon2id),
 *   bumps the credential version (sessions, cached Basic credentials and other recovery secrets
 *   all end) and uses the secret up, atomically: of two concurrent finishes
 *   one wins, the other is refused.
 */
import { randomUUID } from 'node:crypto'
import type { Deps } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { digest } from '../../core/secrets.js'
import { hashSecret } from '../../core/passwords.js'
import { DEFAULT_MAIL_SETTINGS, obfuscateEmail } from '../../core/mail.js'
import { nowIso } from '../../store/store.js'
import { lockedForMs, recordFailure, throttleKeys, tooManyAttempts } from '../../store/throttle.repo.js'
import { consumeRecovery, findLiveRecovery, findRecoverableUser, insertRecovery, listRecoverableUsersByEmail, resetPassword, type RecoverableUser } from '../../store/recovery.repo.js'
import { queueMail } from '../mail/queue-mail.js'
import { publicRequest } from './public-request.js'

/** How long a recovery link works. */
export const RECOVERY_TTL_MS = 3600_000
/** Starts one source may make for one address within the throttle's window before it is locked out. */
export const START_MAX = 3
/** Starts for one address from every source within the window that still send mail. */
export const START_ADDRESS_MAX = 10

const REFUSED = 'the password recovery link is unknown, used or expired; start again'

/** The address a user is reached at: its e-mail address, or its username when that is one. */
function addressOf(u: { email: string; username: string }): string {
  return u.email !== '' ? u.email : u.username
}

/**
 * Starts a recovery for `email` from `ip` (see the module's comment). `realmId` limits it to the
 * users of that organisation. Throws `invalid_argument` for an address that is not one and
 * `too_many_attempts` when this source has started too often for it; otherwise answers nothing,
 * whether or not anything was mailed.
 */
export async function startPasswordRecovery(deps: Deps, input: { email: string; realmId?: string | undefined; ip: string }): Promise<void> {
  const address = input.email.trim().normalize('NFKC').toLowerCase()
  if (address.length === 0 || address.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(address)) {
    throw new DomainError('invalid_argument', 'email must be an e-mail address', { field: 'email' })
  }
  if (input.realmId !== undefined && !isUuid(input.realmId)) throw new DomainError('invalid_argument', 'realmId must be a UUID', { field: 'realmId' })
  const keys = throttleKeys(deps.secrets, `recovery\0${address}`, `ip:${input.ip}`)
  const locked = await lockedForMs(deps.store.db, keys.source, deps.clock())
  if (locked > 0) throw tooManyAttempts(locked)
  let queued = false
  await deps.store.write(async (trx) => {
    const now = deps.clock()
    const n = await recordFailure(trx, keys.source, now, START_MAX)
    if (n === undefined) throw tooManyAttempts(await lockedForMs(trx, keys.source, now))
    const forAddress = await recordFailure(trx, keys.account, now, START_ADDRESS_MAX)
    const users = await listRecoverableUsersByEmail(trx, address, input.realmId?.toLowerCase())
    if (forAddress === undefined) return
    for (const u of users) {
      const secret = randomUUID()
      await insertRecovery(trx, { secretHash: digest(secret), userId: u.id, credVersion: u.cred_version, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + RECOVERY_TTL_MS).toISOString() })
      const request = publicRequest(deps, trx, 'login.recovery.start', u, 'recovery')
      const m = await queueMail(trx, deps, recoveryMail(deps, u, secret), () => request.queue())
      queued ||= m.state === 'queued'
      await request.done()
    }
  })
  if (queued) deps.jobs?.ring()
}

function recoveryMail(deps: Deps, u: RecoverableUser, secret: string) {
  const base = (deps.mail ?? DEFAULT_MAIL_SETTINGS).publicUrl.replace(/\/+$/, '')
  const link = `${base}/login/password-recovery?secret=${secret}`
  return {
    to: addressOf(u),
    subject: 'Reset your Clientele password',
    text:
      `Someone (we hope you) asked to reset the password of the Clientele login ${u.username}.\n\n` +
      `To choose a new password, open this link within the hour:\n\n  ${link}\n\n` +
      `It works once. If you did not ask for this, ignore this message: your password stays as it is.\n`,
  }
}

/** The live secret `secret` names, with its user, or `invalid_argument`. */
async function liveSecret(deps: Deps, secret: string): Promise<{ hash: string; user: RecoverableUser }> {
  if (!isUuid(secret)) throw new DomainError('invalid_argument', 'secret must be a UUID', { field: 'secret' })
  const hash = digest(secret.toLowerCase())
  const rec = await findLiveRecovery(deps.store.db, hash, nowIso(deps.clock))
  const user = rec ? await findRecoverableUser(deps.store.db, rec.user_id) : undefined
  if (!rec || !user || user.cred_version !== rec.cred_version) throw new DomainError('invalid_argument', REFUSED, { field: 'secret' })
  return { hash, user }
}

/** Answers the obfuscated address of a live recovery secret, or throws `invalid_argument`. */
export async function validatePasswordRecovery(deps: Deps, input: { secret: string }): Promise<{ obfuscatedEmail: string }> {
  const { user } = await liveSecret(deps, input.secret)
  const address = addressOf(user)
  return { obfuscatedEmail: obfuscateEmail(address.includes('@') ? address : `${address}@no-email.invalid`) }
}

/**
 * Sets the password of the user a live recovery secret names (see the module's comment).
 * Throws `invalid_argument` for a password the rule refuses (nothing changes, the secret still
 * works) and for a secret that is unknown, used, expired or outlived by a password change.
 */
export async function finishPasswordRecovery(deps: Deps, input: { secret: string; newPassword: string }): Promise<void> {
  if (input.newPassword.length < 8 || input.newPassword.length > 256) {
    throw new DomainError('invalid_argument', 'newPassword must be 8 to 256 characters long', { field: 'newPassword' })
  }
  const { hash } = await liveSecret(deps, input.secret)
  const passwordHash = await hashSecret(input.newPassword)
  await deps.store.write(async (trx) => {
    const at = nowIso(deps.clock)
    const rec = await consumeRecovery(trx, hash, at)
    if (!rec) throw new DomainError('invalid_argument', REFUSED, { field: 'secret' })
    const user = await findRecoverableUser(trx, rec.user_id)
    if (!user || !(await resetPassword(trx, user.id, rec.cred_version, passwordHash, at))) throw new DomainError('invalid_argument', REFUSED, { field: 'secret' })
    await publicRequest(deps, trx, 'login.recovery.finish', user, 'recovery').done()
  })
}
