/**
 * Turns credentials into an actor: HTTP Basic (`username:password`), `Bearer <api key>`, or a
 * session cookie. Every face calls this the same way.
 *
 * Basic credentials are verified against their argon2id hash once; the success is kept in a
 * short-lived in-memory cache keyed by an HMAC of the credentials (with a per-process random
 * key), together with the user's credential version. Each call still reads the user's row and
 * the account's lock, so a password change or a disable (which bump the version) and a lock
 * take effect at once on every process. Failed checks are throttled per account and source in
 * the database (store/throttle.repo.ts).
 */
import { createHmac, randomBytes } from 'node:crypto'
import { contextOf, type Actor, type Deps } from '../ops/context.js'
import { DomainError, isDomainError } from '../core/errors.js'
import { meetRole, type Role } from '../core/roles.js'
import { digest, newSecret, sameDigest } from '../core/secrets.js'
import { SESSION_TTL_MS } from '../core/users.js'
import { dummyHash, verifySecret } from '../core/passwords.js'
import { expiryInstant, hasExpired } from '../core/account.js'
import { KEY_PREFIX, listApiKeyAclNetworks } from '../store/keys.repo.js'
import {
  deleteSession,
  findActorWithLock,
  findActorWithPasswordByUsernameKey,
  findKeyActor,
  findActorByUserId,
  findSessionActor,
  insertSession,
  listActorsWithPasswordByEmail,
  type ActorRow,
} from '../store/credentials.repo.js'
import { usernameKey } from '../store/users.repo.js'
import { throttleKeys, throttledCheck, tooManyAttempts } from '../store/throttle.repo.js'
import { ipAllowed } from '../ops/keys/cidr.js'
import { findLoginLink } from '../store/login-links.repo.js'
import { openLinkSession } from '../ops/auth/open-link-session.js'
import { cancelLoginPin, startLoginPin, type PendingLogin } from '../ops/auth/login-pin.js'
import { nowIso, type Db } from '../store/store.js'

/** What a password login opens: a session, or (second factor on) a pending login waiting for its PIN. */
export type LoginOutcome =
  | {
      pending: false
      token: string
      actor: Actor
      expiresAt: string
      /** The user must change its password (seed 004's `changeatnextlogon`); the session works all the same. */
      passwordChangeRequired: boolean
    }
  | ({ pending: true } & PendingLogin)

/** What a face extracts from a request. */
export interface Credentials {
  authorization?: string | undefined
  sessionToken?: string | undefined
  ip: string
}

/** The shape of every key secret: `clt_`, 16 hex digits of key id, `_`, the base64url secret. */
const TOKEN_RE = /^clt_[0-9a-f]{16}_[A-Za-z0-9_-]{20,100}$/

/** How long a verified Basic credential is trusted without re-hashing. */
const BASIC_TTL_MS = 60_000
const BASIC_CACHE_MAX = 10_000
/** Sessions last this long from login (the constant lives in the core: operations open sessions too). */
export { SESSION_TTL_MS }

/** Resolved actors kept while the database's generation is unchanged. */
const RESOLVED_MAX = 10_000

/**
 * The throttle's account for one-time login links: a link names no account before it is
 * found, so every exchange counts under this one, per source (the client's address). A source
 * that fails `MAX_FAILURES` times is locked out as a password guesser is; past the looser
 * ceiling every source that has failed is refused, while a source with no failure still has
 * its link checked.
 */
const LOGIN_LINK_ACCOUNT = 'login-link\0'

/** The shape of a one-time password (a UUID, as seed 003's `otp` parameter says). */
const OTP_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Credentials resolved to an actor, with what must still be checked on each call. */
interface Resolved {
  actor: Actor
  acls: { address: string; mask: number }[] | null
  /** When the credentials stop working (key expiry, session end), ms since the epoch. */
  notAfter: number | null
  /** The message once `notAfter` has passed. */
  ended: string
  gen?: string | undefined
}

interface CachedBasic {
  userId: string
  credVersion: number
  expires: number
}

function unauthenticated(message = 'invalid credentials'): DomainError {
  return new DomainError('unauthenticated', message)
}

/**
 * Refuses a user whose account has expired (every credential), or whose password has expired
 * (`password`: the credential is its password, Basic or a password login), at `now`.
 */
function refuseExpired(r: ActorRow, now: number, password: boolean): void {
  if (hasExpired(r.account_expires_at, now)) throw unauthenticated('account expired')
  if (password && hasExpired(r.password_expires_at, now)) throw unauthenticated('password expired')
}

/**
 * When credentials resolved now stop working because an expiry day comes (the account's, and the
 * password's for a password credential), given their own end `notAfter` (null: none).
 */
function expiryEnd(r: ActorRow, password: boolean, notAfter: number | null, ended: string): { notAfter: number | null; ended: string } {
  let out = { notAfter, ended }
  const consider = (day: string | null | undefined, message: string) => {
    if (day == null) return
    const t = expiryInstant(day)
    if (out.notAfter === null || t < out.notAfter) out = { notAfter: t, ended: message }
  }
  consider(r.account_expires_at, 'account expired')
  if (password) consider(r.password_expires_at, 'password expired')
  return out
}

function toActor(r: ActorRow, via: Actor['via'], extra: { role?: Role; keyId?: string } = {}): Actor {
  if (r.enabled !== 1) throw unauthenticated('user is disabled')
  if (r.org_status === 'deleted' || r.org_status === 'disabled') throw unauthenticated('organisation is disabled')
  return {
    userId: r.user_id,
    username: r.username,
    orgId: r.org_id,
    orgNumber: r.org_number,
    orgPath: r.org_path,
    orgDepth: r.org_depth,
    role: extra.role ?? (r.role as Role),
    ...(extra.keyId ? { keyId: extra.keyId } : {}),
    via,
  }
}

/** Builds the authenticator for one process. */
export function createAuthenticator(deps: Deps) {
  const hmacKey = randomBytes(32)
  const basicCache = new Map<string, CachedBasic>()
  const resolved = new Map<string, Resolved>()
  /** Password checks under way, by credentials: concurrent requests with the same ones share one. */
  const verifying = new Map<string, Promise<ActorRow>>()
  const db = (): Db => deps.store.db

  /**
   * Verifies a username and password with throttling: a locked account answers
   * `too_many_attempts` without checking. Each attempt is counted as a failure *before* the
   * hash is checked, so that concurrent guesses cannot all slip in under the limit; a success
   * clears the count.
   */
  async function verifyPassword(username: string, password: string, ip: string): Promise<ActorRow & { auth_method: string }> {
    const account = usernameKey(username)
    // A username first; failing that, an e-mail address that exactly one user has.
    const find = async () => {
      const byName = await findActorWithPasswordByUsernameKey(db(), account)
      if (byName || !account.includes('@')) return byName
      const byEmail = await listActorsWithPasswordByEmail(db(), account)
      return byEmail.length === 1 ? byEmail[0] : undefined
    }
    let row: Awaited<ReturnType<typeof find>>
    const ok = await throttledCheck(deps.store, throttleKeys(deps.secrets, account, `ip:${ip}`), deps.clock, async () => {
      row = await find()
      return (await verifySecret(row?.password_hash ?? (await dummyHash()), password)) && row !== undefined
    })
    if (!ok || !row) throw unauthenticated()
    const { password_hash: _h, ...actor } = row
    return actor
  }

  /** Verifies Basic credentials; answers the actor and when they stop working (an expiry day). */
  async function basic(encoded: string, ip: string): Promise<{ actor: Actor; notAfter: number | null; ended: string }> {
    let decoded: string
    try {
      decoded = Buffer.from(encoded, 'base64').toString('utf8')
    } catch {
      throw unauthenticated('malformed Basic credentials')
    }
    const colon = decoded.indexOf(':')
    if (colon < 1 || decoded.includes('\0')) throw unauthenticated('malformed Basic credentials')
    const username = decoded.slice(0, colon)
    const password = decoded.slice(colon + 1)
    const cacheKey = createHmac('sha256', hmacKey).update(decoded).digest('base64')
    const hit = basicCache.get(cacheKey)
    const now = deps.clock()
    if (hit && hit.expires > now) {
      // The lock is read with the user: a locked account refuses even credentials it verified before.
      const r = await findActorWithLock(db(), hit.userId, throttleKeys(deps.secrets, usernameKey(username), `ip:${ip}`).source)
      const locked = r?.locked_until ? Date.parse(r.locked_until) - now : 0
      if (locked > 0) throw tooManyAttempts(locked)
      if (r && r.cred_version === hit.credVersion && r.enabled === 1) {
        refuseExpired(r, now, true)
        return { actor: toActor(r, 'basic'), ...expiryEnd(r, true, null, '') }
      }
      basicCache.delete(cacheKey)
    } else if (hit) {
      basicCache.delete(cacheKey)
    }
    // A burst of requests with the same credentials (a client's first calls, or its calls when
    // the cache entry has expired) checks them once, counting one attempt, not one per request.
    let check = verifying.get(cacheKey)
    if (!check) {
      check = verifyPassword(username, password, ip).finally(() => verifying.delete(cacheKey))
      verifying.set(cacheKey, check)
    }
    const r = await check
    const actor = toActor(r, 'basic')
    refuseExpired(r, now, true)
    if (basicCache.size >= BASIC_CACHE_MAX) basicCache.clear()
    basicCache.set(cacheKey, { userId: r.user_id, credVersion: r.cred_version, expires: now + BASIC_TTL_MS })
    return { actor, ...expiryEnd(r, true, null, '') }
  }

  async function bearer(token: string): Promise<Resolved> {
    if (!TOKEN_RE.test(token)) throw unauthenticated('invalid API key')
    const keyId = token.slice(KEY_PREFIX.length, KEY_PREFIX.length + 16)
    const row = await findKeyActor(db(), keyId)
    if (!row || !sameDigest(row.secret_hash, digest(token))) throw unauthenticated('invalid API key')
    const acls = row.acl_count > 0 ? await listApiKeyAclNetworks(db(), keyId) : null
    // A key acts with at most its own role, and never with more than its user holds now.
    const role: Role = row.type === 'readonly' ? 'readonly' : row.key_role ? meetRole(row.key_role as Role, row.role as Role) : (row.role as Role)
    const actor = toActor(row, 'bearer', { keyId, role })
    return { actor, acls, ...expiryEnd(row, false, row.expires_at ? Date.parse(row.expires_at) : null, 'API key has expired') }
  }

  async function session(idHash: string): Promise<Resolved> {
    const row = await findSessionActor(db(), idHash)
    if (!row) throw unauthenticated('session has ended; log in again')
    return { actor: toActor(row, 'session'), acls: null, ...expiryEnd(row, false, Date.parse(row.expires_at), 'session has ended; log in again') }
  }

  /**
   * Answers the actor for credentials, from the resolved-actor cache while the database is
   * unchanged since they were resolved (SQLite's generation: any commit by any process drops
   * every entry), otherwise by resolving them again. Expiry and IP ACLs are checked on every
   * call, cached or not.
   */
  async function cached(key: string, ip: string, resolve: () => Promise<Resolved>): Promise<Actor> {
    const gen = deps.store.generation()
    let r = gen === undefined ? undefined : resolved.get(key)
    if (!r || r.gen !== gen) {
      r = { ...(await resolve()), gen }
      if (gen !== undefined) {
        if (resolved.size >= RESOLVED_MAX) resolved.clear()
        resolved.set(key, r)
      }
    }
    if (r.notAfter !== null && r.notAfter <= deps.clock()) throw unauthenticated(r.ended)
    if (r.acls && !ipAllowed(ip, r.acls)) throw unauthenticated('API key is not allowed from this address')
    return r.actor
  }

  return {
    /** Resolves the actor of a request, or throws `unauthenticated` / `too_many_attempts`. */
    async authenticate(c: Credentials): Promise<Actor> {
      const h = c.authorization
      if (h) {
        const space = h.indexOf(' ')
        const scheme = (space < 0 ? h : h.slice(0, space)).toLowerCase()
        const value = space < 0 ? '' : h.slice(space + 1).trim()
        if (scheme === 'basic') {
          return cached(`b:${createHmac('sha256', hmacKey).update(value).digest('base64')}`, c.ip, async () => ({ ...(await basic(value, c.ip)), acls: null }))
        }
        if (scheme === 'bearer') return cached(`k:${digest(value)}`, c.ip, () => bearer(value))
        throw unauthenticated(`unsupported authorization scheme ${scheme}`)
      }
      if (c.sessionToken) {
        if (c.sessionToken.length > 100 || c.sessionToken.includes('\0')) throw unauthenticated('invalid session')
        const idHash = digest(c.sessionToken)
        return cached(`s:${idHash}`, c.ip, () => session(idHash))
      }
      throw unauthenticated('credentials are required')
    },

    /**
     * Checks a username and password and opens a session; answers its token (shown once). A
     * login whose second factor is on (`auth_method` `email`) gets a pending login instead: its
     * token opens no session, and a PIN is mailed (see ops/auth/login-pin.ts).
     */
    async login(username: string, password: string, ip: string): Promise<LoginOutcome> {
      if (username.length === 0 || username.length > 254 || password.length > 1024 || username.includes('\0')) throw unauthenticated()
      const r = await verifyPassword(username, password, ip)
      const actor = toActor(r, 'session')
      refuseExpired(r, deps.clock(), true)
      if (r.auth_method === 'email') return { pending: true, ...(await startLoginPin(deps, r.user_id)) }
      const token = newSecret()
      const now = deps.clock()
      const expiresAt = new Date(now + SESSION_TTL_MS).toISOString()
      await deps.store.write((trx) => insertSession(trx, { idHash: digest(token), userId: r.user_id, createdAt: nowIso(deps.clock), expiresAt }))
      return { pending: false, token, actor, expiresAt, passwordChangeRequired: r.change_password_at_next_logon === 1 }
    },

    /**
     * Exchanges a one-time login link's password (seed 003's `createOtpSession`) for a session
     * of the member it was made for; answers the session's token (shown once). Throttled like
     * a password check, per source; an unknown, used or expired password, or one whose member
     * can no longer log in, is the same `unauthenticated`. The password is never logged.
     */
    async loginWithLink(otp: string, ip: string): Promise<{ token: string; actor: Actor; expiresAt: string }> {
      if (!OTP_RE.test(otp)) throw unauthenticated('invalid, used or expired one-time password')
      const otpHash = digest(otp.toLowerCase())
      let opened: { token: string; actor: Actor; expiresAt: string } | undefined
      const ok = await throttledCheck(deps.store, throttleKeys(deps.secrets, LOGIN_LINK_ACCOUNT, `ip:${ip}`), deps.clock, async () => {
        const link = await findLoginLink(db(), otpHash)
        const row = link ? await findActorByUserId(db(), link.user_id) : undefined
        if (!link || !row) return false
        let actor: Actor
        try {
          actor = toActor(row, 'session')
          refuseExpired(row, deps.clock(), false)
        } catch {
          return false
        }
        try {
          const s = await openLinkSession(contextOf(deps, actor, link.request_guid ? { parentGuid: link.request_guid } : {}), { otpHash })
          opened = { token: s.token, actor, expiresAt: s.expiresAt }
          return true
        } catch (e) {
          if (isDomainError(e) && (e.code === 'unauthenticated' || e.code === 'not_found')) return false
          throw e
        }
      })
      if (!ok || !opened) throw unauthenticated('invalid, used or expired one-time password')
      return opened
    },

    /** Ends a session, or a pending login waiting for its PIN (a no-op for an unknown token). */
    async logout(token: string): Promise<void> {
      await deps.store.write((trx) => deleteSession(trx, digest(token)))
      await cancelLoginPin(deps, token)
    },
  }
}

export type Authenticator = ReturnType<typeof createAuthenticator>
