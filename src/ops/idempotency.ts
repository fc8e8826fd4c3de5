/**
 * Idempotency keys with Stripe's semantics, stored in the database so that they hold across
 * server processes: the same key and request from the same caller replays the first answer;
 * the same key with a different request is `idempotency_mismatch`; a key whose first request
 * is still running is `conflict`. Answers are kept at least 24 hours.
 *
 * The claim and the answer are separate transactions from the operation itself. A claim is a
 * lease: the process running the request renews it every `CLAIM_RENEW_MS` (`renewIdempotencyClaim`)
 * while the request runs, so a claim left by a process that died (kill -9, a crash) is taken
 * over once it goes `ABANDONED_AFTER_MS` without renewal — seconds, not minutes — and until
 * then a retry is answered `conflict` with `retryAfterSeconds` (a `Retry-After`). If the process
 * died between the operation's commit and the answer's record, the retry runs it again.
 */
import type { Keyring } from '../core/sealed.js'
import type { Deps } from './context.js'
import { DomainError } from '../core/errors.js'
import { uniqueViolation } from '../store/store.js'
import {
  deleteIdempotencyKey,
  deleteIdempotencyKeysBefore,
  findIdempotencyKey,
  insertIdempotencyClaim,
  renewIdempotencyClaim,
  storeIdempotencyAnswer,
} from '../store/idempotency.repo.js'

/** Keys are kept this long at least. */
export const RETENTION_MS = 24 * 3600_000
/** An in-flight claim not renewed for this long is taken to be abandoned by a dead process. */
export const ABANDONED_AFTER_MS = 10_000
/** How often the process running a claimed request renews its claim. */
export const CLAIM_RENEW_MS = 2_500

/** A stored answer to replay. */
export interface StoredAnswer {
  statusCode: number
  body: string
  /** Headers a replay carries: content-type, location, etag. */
  headers: Record<string, string>
}

/**
 * Digests a request (method, URL, body with keys sorted) for comparison, keyed by the server's
 * secret key: a body may hold a password or a webhook secret, and an unkeyed hash kept for 24 h
 * would let anyone holding a copy of the database test guesses against it.
 */
export function requestFingerprint(keys: Keyring, method: string, url: string, body: unknown): string {
  return keys.mac(`${method} ${url}\n${stableJson(body)}`)
}

function stableJson(v: unknown): string {
  if (v === undefined) return ''
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`
}

/**
 * Claims `key` for `owner`. Answers `null` when the caller should do the work, or the stored
 * answer to replay; throws `conflict` or `idempotency_mismatch` as above.
 */
export async function claimIdempotencyKey(deps: Deps, owner: string, key: string, fingerprint: string): Promise<StoredAnswer | null> {
  const now = deps.clock()
  const created_at = new Date(now).toISOString()
  try {
    await deps.store.write((trx) => insertIdempotencyClaim(trx, owner, key, fingerprint, created_at))
    return null
  } catch (e) {
    if (uniqueViolation(e) === undefined) throw e
  }
  return deps.store.write(async (trx) => {
    const row = await findIdempotencyKey(trx, owner, key)
    if (!row) {
      await insertIdempotencyClaim(trx, owner, key, fingerprint, created_at)
      return null
    }
    if (row.request_hash !== fingerprint) {
      throw new DomainError('idempotency_mismatch', 'this Idempotency-Key was used with a different request')
    }
    if (row.state === 'done') {
      const headers = row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {}
      return { statusCode: row.status_code ?? 200, body: row.body ?? '', headers }
    }
    const left = Date.parse(row.created_at) + ABANDONED_AFTER_MS - now
    if (left > 0) {
      throw new DomainError('conflict', 'a request with this Idempotency-Key is still in progress; retry later', { retryAfterSeconds: Math.ceil(left / 1000) })
    }
    await renewIdempotencyClaim(trx, owner, key, created_at)
    return null
  })
}

/** Renews a claim still in flight (its process is alive and running the request). */
export async function renewIdempotencyKey(deps: Deps, owner: string, key: string): Promise<void> {
  await deps.store.write((trx) => renewIdempotencyClaim(trx, owner, key, new Date(deps.clock()).toISOString()))
}

/** Records the answer for a claimed key. */
export async function completeIdempotencyKey(deps: Deps, owner: string, key: string, answer: StoredAnswer): Promise<void> {
  await deps.store.write((trx) => storeIdempotencyAnswer(trx, owner, key, { statusCode: answer.statusCode, body: answer.body, headers: JSON.stringify(answer.headers) }))
}

/** Releases a claimed key without an answer (the request failed inside), so it may be retried. */
export async function releaseIdempotencyKey(deps: Deps, owner: string, key: string): Promise<void> {
  await deps.store.write((trx) => deleteIdempotencyKey(trx, owner, key))
}

/** Deletes keys past retention; answers how many. */
export async function purgeIdempotencyKeys(deps: Deps): Promise<number> {
  const floor = new Date(deps.clock() - RETENTION_MS).toISOString()
  return deps.store.write((trx) => deleteIdempotencyKeysBefore(trx, floor))
}
