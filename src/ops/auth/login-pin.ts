/**
 * The second factor by e-mail PIN (seed 003's `createSession` answering 201 `SessionResult`,
 * `verify2FA` and `resendPin`). A login whose `authMethod` is `email` that gives the right
 * password gets a *pending login*, not a session: a random token (the `id0` cookie, stored only
 * as its SHA-256) that opens nothing but these two calls, and a 6-digit PIN mailed through the
 * outbox (stored only as an HMAC under the sealing key, bound to the token; never in a subject,
 * a log line or an answer).
 *
 * * **Verify** turns the pending login into a session when the PIN is the one mailed last: each
 *   try is counted before it is checked (one conditional UPDATE; at most `PIN_MAX_ATTEMPTS`
 *   ever checked, right or wrong), and the pending login is taken by one conditional DELETE in
 *   the transaction that inserts the session, so it opens at most one. Tries are throttled per
 *   login and source like password checks. A pending login works `PIN_TTL_MS` from its last PIN,
 *   only while the user's credential version (password, disable) is unchanged, the user and its
 *   organisation can log in and the factor is still on.
 * * **Resend** mails a new PIN (the old one stops working) and gives it the full time again; at
 *   most `PIN_MAX_SENDS` PINs a pending login. Every PIN mail, first or resent, also counts
 *   against the user's ceiling of `PIN_MAIL_MAX` within the throttle's window (then 429), so
 *   nobody holding the password can flood the inbox.
 *
 * These calls come with the pending cookie, not with credentials: the cookie is the credential,
 * and the request recorded acts as its user (`via` `password` for the start, `pin` otherwise).
 */
import { randomInt } from 'node:crypto'
import type { Deps } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { digest, newSecret, sameDigest } from '../../core/secrets.js'
import type { Keyring } from '../../core/sealed.js'
import { loginAddress, PIN_MAIL_MAX, PIN_MAX_ATTEMPTS, PIN_MAX_SENDS, PIN_TTL_MS, SESSION_TTL_MS } from '../../core/users.js'
import { insertSession } from '../../store/credentials.repo.js'
import { countPinTry, deleteChallenge, findLiveChallenge, findPinUser, insertChallenge, replacePin, takeChallenge, type PinUser } from '../../store/login-challenges.repo.js'
import { lockedForMs, recordFailure, throttleKeys, throttledCheck, tooManyAttempts } from '../../store/throttle.repo.js'
import type { Db } from '../../store/store.js'
import { queueMail } from '../mail/queue-mail.js'
import { publicRequest } from './public-request.js'

/** A pending login: its token (the cookie, shown once) and when it ends. */
export interface PendingLogin {
  token: string
  expiresAt: string
  authMethod: 'email'
}

/** What every refusal of a pending cookie says: nothing about why. */
const refused = () => new DomainError('unauthenticated', 'the login is unknown, used, expired or out of tries; log in again')

/** The keyed digest a PIN is stored as, bound to its pending login. */
function pinDigest(keys: Keyring, tokenHash: string, pin: string): string {
  return keys.mac(`login-pin\0${tokenHash}\0${pin}`)
}

/** A new PIN: six decimal digits, uniformly random. */
function newPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0')
}

/** True when `u` may still finish the pending login `ch` (see the module's comment). */
function mayFinish(u: PinUser | undefined, ch: { cred_version: number }): u is PinUser {
  return !!u && u.enabled === 1 && u.org_status !== 'deleted' && u.org_status !== 'disabled' && u.cred_version === ch.cred_version && u.auth_method === 'email'
}

/** Refuses a Login2FA/ResendPin `authMethod` other than Clientele's one second factor. */
function requireEmailMethod(authMethod: string): void {
  if (authMethod !== 'email') {
    throw new DomainError('invalid_argument', `authMethod ${authMethod}: Clientele's only second factor is a PIN by e-mail (email)`, { field: 'authMethod' })
  }
}

/** The digest of a pending cookie's token, or `unauthenticated` for one that cannot be a token. */
function tokenHashOf(token: string | undefined): string {
  if (!token || token.length > 100 || token.includes('\0')) throw refused()
  return digest(token)
}

/**
 * Counts one PIN mail to `u` against its ceiling (`PIN_MAIL_MAX` within the throttle's window),
 * in `trx`; throws `too_many_attempts` past it.
 */
async function countPinMail(deps: Deps, trx: Db, u: PinUser): Promise<void> {
  const key = deps.secrets.mac(`throttle\0pin-mail\0${u.id}`)
  const now = deps.clock()
  if ((await recordFailure(trx, key, now, PIN_MAIL_MAX)) === undefined) throw tooManyAttempts(await lockedForMs(trx, key, now))
}

/** Writes the PIN mail to `u` in `trx`, recorded as `operation`; answers whether a job was queued. */
async function mailPin(deps: Deps, trx: Db, u: PinUser, pin: string, operation: string, via: string): Promise<boolean> {
  const request = publicRequest(deps, trx, operation, u, via)
  const m = await queueMail(
    trx,
    deps,
    {
      to: loginAddress(u),
      subject: 'Your Clientele login code',
      text:
        `Your code to log in to the Clientele login ${u.username} is\n\n  ${pin}\n\n` +
        `It works once, for ${PIN_TTL_MS / 60_000} minutes. If you did not just log in, someone knows your password: change it.\n`,
    },
    () => request.queue(),
  )
  await request.done()
  return m.state === 'queued'
}

/**
 * Starts the PIN step for user `userId`, whose password was just checked by the caller (the
 * authenticator): makes a pending login and mails its PIN, in one transaction. Throws
 * `too_many_attempts` past the user's PIN mail ceiling, `failed_precondition` when the user has
 * no address to mail, `unauthenticated` when it can no longer log in.
 */
export async function startLoginPin(deps: Deps, userId: string): Promise<PendingLogin> {
  const token = newSecret()
  const tokenHash = digest(token)
  const pin = newPin()
  const { expiresAt, queued } = await deps.store.write(async (trx) => {
    const u = await findPinUser(trx, userId)
    if (!u || !mayFinish(u, { cred_version: u.cred_version })) throw new DomainError('unauthenticated', 'invalid credentials')
    if (loginAddress(u) === '') throw new DomainError('failed_precondition', 'the login has no e-mail address to send its PIN to')
    await countPinMail(deps, trx, u)
    const now = deps.clock()
    const expiresAt = new Date(now + PIN_TTL_MS).toISOString()
    await insertChallenge(trx, { token_hash: tokenHash, user_id: u.id, cred_version: u.cred_version, pin_hash: pinDigest(deps.secrets, tokenHash, pin), created_at: new Date(now).toISOString(), expires_at: expiresAt })
    return { expiresAt, queued: await mailPin(deps, trx, u, pin, 'session.startPin', 'password') }
  })
  if (queued) deps.jobs?.ring()
  return { token, expiresAt, authMethod: 'email' }
}

/**
 * Turns the pending login of cookie `token` into a session when `pin` is the PIN mailed last
 * (seed 003's `verify2FA`); answers the session's token (shown once, the new cookie). A PIN that
 * is not six digits is `invalid_argument` and counts nothing; a wrong PIN, or a pending login that
 * is unknown, used, expired or out of tries, is `unauthenticated`; a source that has tried too
 * many wrong PINs for the login is `too_many_attempts`.
 */
export async function verifyLoginPin(deps: Deps, input: { token: string | undefined; authMethod: string; pin: string; ip: string }): Promise<{ token: string; expiresAt: string }> {
  requireEmailMethod(input.authMethod)
  if (!/^[0-9]{6}$/.test(input.pin)) throw new DomainError('invalid_argument', 'pin must be the 6 digits mailed', { field: 'pin' })
  const tokenHash = tokenHashOf(input.token)
  const first = await findLiveChallenge(deps.store.db, tokenHash, new Date(deps.clock()).toISOString())
  if (!first) throw refused()
  const pinHash = pinDigest(deps.secrets, tokenHash, input.pin)
  let opened: { token: string; expiresAt: string } | undefined
  const ok = await throttledCheck(deps.store, throttleKeys(deps.secrets, `pin\0${first.user_id}`, `ip:${input.ip}`), deps.clock, async () => {
    const counted = await deps.store.write((trx) => countPinTry(trx, tokenHash, new Date(deps.clock()).toISOString(), PIN_MAX_ATTEMPTS))
    if (!counted || !sameDigest(counted.pin_hash, pinHash)) return false
    opened = await deps.store.write(async (trx) => {
      const now = deps.clock()
      const taken = await takeChallenge(trx, tokenHash, pinHash, new Date(now).toISOString())
      const u = taken ? await findPinUser(trx, taken.user_id) : undefined
      if (!taken || !mayFinish(u, taken)) return undefined
      const token = newSecret()
      const expiresAt = new Date(now + SESSION_TTL_MS).toISOString()
      await insertSession(trx, { idHash: digest(token), userId: u.id, createdAt: new Date(now).toISOString(), expiresAt })
      await publicRequest(deps, trx, 'session.openWithPin', u, 'pin').done()
      return { token, expiresAt }
    })
    return opened !== undefined
  })
  if (!ok || !opened) throw refused()
  return opened
}

/**
 * Mails a new PIN for the pending login of cookie `token` (seed 003's `resendPin`): the old PIN
 * stops working and the pending login works `PIN_TTL_MS` from now. Answers its new end. Throws
 * `unauthenticated` for a pending login that is unknown, used, expired or out of tries, and
 * `too_many_attempts` past `PIN_MAX_SENDS` for it or the user's PIN mail ceiling.
 */
export async function resendLoginPin(deps: Deps, input: { token: string | undefined; authMethod: string }): Promise<{ expiresAt: string }> {
  requireEmailMethod(input.authMethod)
  const tokenHash = tokenHashOf(input.token)
  const pin = newPin()
  const { expiresAt, queued } = await deps.store.write(async (trx) => {
    const now = deps.clock()
    const ch = await findLiveChallenge(trx, tokenHash, new Date(now).toISOString())
    const u = ch ? await findPinUser(trx, ch.user_id) : undefined
    if (!ch || !mayFinish(u, ch) || ch.attempts >= PIN_MAX_ATTEMPTS) throw refused()
    if (ch.sends >= PIN_MAX_SENDS) throw new DomainError('too_many_attempts', `a login is sent at most ${PIN_MAX_SENDS} PINs; log in again`)
    await countPinMail(deps, trx, u)
    const expiresAt = new Date(now + PIN_TTL_MS).toISOString()
    const changed = await replacePin(trx, tokenHash, pinDigest(deps.secrets, tokenHash, pin), new Date(now).toISOString(), expiresAt, { maxSends: PIN_MAX_SENDS, maxAttempts: PIN_MAX_ATTEMPTS })
    if (!changed) throw refused()
    return { expiresAt, queued: await mailPin(deps, trx, u, pin, 'session.resendPin', 'pin') }
  })
  if (queued) deps.jobs?.ring()
  return { expiresAt }
}

/** Ends the pending login of cookie `token`, if there is one (a log-out before the PIN). */
export async function cancelLoginPin(deps: Deps, token: string): Promise<void> {
  if (token.length > 100) return
  await deps.store.write((trx) => deleteChallenge(trx, digest(token)))
}
