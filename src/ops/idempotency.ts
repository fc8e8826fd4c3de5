/**
 * Idempotency keys with Stripe's semantics, stored in the database so that they hold across
 * server processes: the same key and request from the same caller replays the first answer;
 * the same key with a different request is `idempotency_mismatch`; a key whose first request
 * is still running is `conflict`. Answers are kept at least 24 hours.
 *
 * The claim and the answer are transactions of their own. A claim is a lease: the process
 * running the request renews it every `CLAIM_RENEW_MS` (`renewIdempotencyClaim`) while the
 * request runs, so a claim left by a process that died (kill -9, a crash) is taken over once it
 * goes `ABANDONED_AFTER_MS` without renewal — seconds, not minutes — and until then a retry is
 * answered `conflict` with `retryAfterSeconds` (a `Retry-After`).
 *
 * Between a write's commit and the answer's record there is a window: a process that dies in
 * it has done the work but recorded no answer. So every write of a keyed call is journaled in
 * its own transaction (Stripe's "recovery points", kept per write): the claim's row gets the
 * write's result (encoded here) and the request it recorded, under `operation#n`, the
 * operation's n-th write in the call. A retry that takes over a claim whose journal holds
 * writes runs the call again, resuming: each journaled write gives back its recorded result
 * instead of being done again (ops/record-request.ts), the writes after it run, and the answer
 * is built as the first one would have been, from the data as it is now. So the retry makes
 * nothing twice and answers as a replay would, with the same object and the same request guid.
 * The same holds for a keyed call that failed with a 5xx after some of its writes committed:
 * its claim is left to be resumed at once rather than released, unless the call undid its work
 * on the way out (`RequestRecorder.undo`, which is not journaled): then the retry runs afresh.
 * Each journaled write names its site (`writeSite`); a resumed call that asks for another write
 * in a journaled slot took another path than the dead run and is not resumed.
 *
 * What a resumed call cannot rebuild is answered with a `conflict` saying so, and recorded:
 * a write whose result is not plain data (`encodeJournalValue` declines it), a path that left
 * the dead run's (above), and an answer
 * holding a secret shown only once (marked `no-store`: a new API key's secret was made by the
 * dead process and is gone; the key itself exists).
 */
import { createHash } from 'node:crypto'
import type { Keyring } from '../core/sealed.js'
import type { Deps, JournalEntry, WriteJournal } from './context.js'
import type { Db } from '../store/store.js'
import { DomainError } from '../core/errors.js'
import { uniqueViolation } from '../store/store.js'
import {
  deleteIdempotencyKey,
  deleteIdempotencyKeysBefore,
  findIdempotencyKey,
  insertIdempotencyClaim,
  renewIdempotencyClaim,
  storeIdempotencyAnswer,
  storeIdempotencyJournal,
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
  /** The body: text, or the bytes of a binary answer (Thrift's). */
  body: string | Buffer
  /** Headers a replay carries: content-type, location, etag. */
  headers: Record<string, string>
}

/**
 * Digests a request (method, URL, body with keys sorted) for comparison, keyed by the server's
 * secret key: a body may hold a password or a webhook secret, and an unkeyed hash kept for 24 h
 * would let anyone holding a copy of the database test guesses against it.
 */
export function requestFingerprint(keys: Keyring, method: string, url: string, body: unknown): string {
  // A binary body (an XML document, a Thrift message) is taken as its bytes: walked as an
  // object, a 1 MiB one would be a million keys to sort.
  const text = Buffer.isBuffer(body) ? `bytes:${body.toString('base64')}` : stableJson(body)
  return keys.mac(`${method} ${url}\n${text}`)
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

/** What a claim gives the caller: an answer to replay, or the key to run the call under. */
export type Claim = { answer: StoredAnswer; journal?: undefined } | { journal: WriteJournal; answer?: undefined }

/**
 * Claims `key` for `owner`. Answers the stored answer to replay, or the journal the call's
 * writes go into (holding the writes of a dead run the call resumes); throws `conflict` or
 * `idempotency_mismatch` as above.
 */
export async function claimIdempotencyKey(deps: Deps, owner: string, key: string, fingerprint: string): Promise<Claim> {
  const now = deps.clock()
  const created_at = new Date(now).toISOString()
  const fresh = (entries: Record<string, JournalEntry> = {}): Claim => ({ journal: { owner, key, entries, counts: {}, resumed: false, undone: false } })
  try {
    await deps.store.write((trx) => insertIdempotencyClaim(trx, owner, key, fingerprint, created_at))
    return fresh()
  } catch (e) {
    if (uniqueViolation(e) === undefined) throw e
  }
  return deps.store.write(async (trx) => {
    const row = await findIdempotencyKey(trx, owner, key)
    if (!row) {
      await insertIdempotencyClaim(trx, owner, key, fingerprint, created_at)
      return fresh()
    }
    if (row.request_hash !== fingerprint) {
      throw new DomainError('idempotency_mismatch', 'this Idempotency-Key was used with a different request')
    }
    if (row.state === 'done') {
      const headers = row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {}
      const body = row.body_encoding === 'base64' ? Buffer.from(row.body ?? '', 'base64') : (row.body ?? '')
      return { answer: { statusCode: row.status_code ?? 200, body, headers } }
    }
    const left = Date.parse(row.created_at) + ABANDONED_AFTER_MS - now
    if (left > 0) {
      throw new DomainError('conflict', 'a request with this Idempotency-Key is still in progress; retry later', { retryAfterSeconds: Math.ceil(left / 1000) })
    }
    await renewIdempotencyClaim(trx, owner, key, created_at)
    if (!row.journal) return fresh()
    let entries: Record<string, JournalEntry>
    try {
      entries = deps.secrets.open(row.journal, journalAad(owner, key)) as Record<string, JournalEntry>
    } catch {
      // Sealed under a key no longer in the keyring: what the dead run did cannot be known.
      throw cannotResume()
    }
    return fresh(entries)
  })
}

/** The slot of the next write `operation` asks for in a journaled call (`operation#n`). */
export function journalSlot(journal: WriteJournal, operation: string): string {
  const n = journal.counts[operation] ?? 0
  journal.counts[operation] = n + 1
  return `${operation}#${n}`
}

/**
 * Journals a write in its own transaction `trx`: answers the journal's entries with it, to be
 * kept (`journal.entries = …`) once the transaction committed. The journal is sealed with the
 * server's keys: a write's result may hold a secret shown once (a new API key's). A call's
 * writes are one after another (each journal written holds those before it).
 */
export async function journalWrite(trx: Db, keys: Keyring, journal: WriteJournal, slot: string, entry: JournalEntry): Promise<Record<string, JournalEntry>> {
  const entries = { ...journal.entries, [slot]: entry }
  await storeIdempotencyJournal(trx, journal.owner, journal.key, keys.seal(entries, journalAad(journal.owner, journal.key)))
  return entries
}

/** What a journal is sealed for: its owner's key, so that no row's journal opens as another's. */
function journalAad(owner: string, key: string): string {
  return `idempotency-journal:${owner}:${key}`
}

/**
 * Which write `fn` is: a digest of its source text. A resumed call whose n-th write of an
 * operation is not the write journaled there took another path than the dead run (the data
 * changed between them): it cannot be resumed.
 */
export function writeSite(fn: (...args: never[]) => unknown): string {
  return createHash('sha256').update(Function.prototype.toString.call(fn)).digest('base64url').slice(0, 12)
}

/** Thrown where a resumed call meets a write it cannot give back (see the file's comment). */
export function cannotResume(): DomainError {
  return new DomainError(
    'conflict',
    'the first request with this Idempotency-Key was carried out, but the server stopped before answering it and its answer cannot be rebuilt; its changes stand: read them back',
  )
}

/** True when the call committed writes under its key (its claim must then never be released). */
export function journalHasWrites(journal: WriteJournal): boolean {
  for (const _ in journal.entries) return true
  return false
}

/**
 * Leaves the claim of a call that failed with a 5xx after committing writes it did not undo to
 * be resumed at once by a retry: its writes stand (a connection lost during a `COMMIT` leaves
 * the journal saying exactly whether it was made), and the retry must not do them again.
 */
export async function suspendIdempotencyKey(deps: Deps, owner: string, key: string): Promise<void> {
  const lapsed = new Date(deps.clock() - ABANDONED_AFTER_MS - 1).toISOString()
  await deps.store.write((trx) => renewIdempotencyClaim(trx, owner, key, lapsed))
}

/** The marker key of the encoded forms below: no row or input holds a NUL in a key. */
const TAG = '\u0000'

/**
 * Encodes a write's result as JSON data that `decodeJournalValue` turns back into an equal
 * value: plain objects, arrays, strings, booleans, null, numbers (NaN and ±Infinity too),
 * `undefined`, bigints, Dates and byte arrays. Anything else (a class instance, a Map, a
 * function) answers `undefined`: the write cannot be given back.
 */
export function encodeJournalValue(v: unknown): { v: unknown } | undefined {
  try {
    return { v: encode(v) }
  } catch (e) {
    if (e === NOT_PLAIN) return undefined
    throw e
  }
}

const NOT_PLAIN = Symbol('not plain data')

function encode(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  if (v === undefined) return { [TAG]: 'u' }
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { [TAG]: 'n', v: Object.is(v, -0) ? '-0' : String(v) }
  if (typeof v === 'bigint') return { [TAG]: 'b', v: String(v) }
  if (typeof v !== 'object') throw NOT_PLAIN
  if (Array.isArray(v)) return v.map(encode)
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw NOT_PLAIN
    return { [TAG]: 'd', v: v.toISOString() }
  }
  if (v instanceof Uint8Array) return { [TAG]: 'x', v: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
  const proto = Object.getPrototypeOf(v) as unknown
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = encode(x)
  return out
}

/** Decodes what `encodeJournalValue` encoded. */
export function decodeJournalValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(decodeJournalValue)
  const o = v as Record<string, unknown>
  const tag = o[TAG]
  if (typeof tag === 'string') {
    if (tag === 'u') return undefined
    if (tag === 'n') return o.v === '-0' ? -0 : Number(o.v)
    if (tag === 'b') return BigInt(o.v as string)
    if (tag === 'd') return new Date(o.v as string)
    if (tag === 'x') return Buffer.from(o.v as string, 'base64')
  }
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(o)) out[k] = decodeJournalValue(x)
  return out
}

/** Renews a claim still in flight (its process is alive and running the request). */
export async function renewIdempotencyKey(deps: Deps, owner: string, key: string): Promise<void> {
  await deps.store.write((trx) => renewIdempotencyClaim(trx, owner, key, new Date(deps.clock()).toISOString()))
}

/** Records the answer for a claimed key. */
export async function completeIdempotencyKey(deps: Deps, owner: string, key: string, answer: StoredAnswer): Promise<void> {
  const binary = Buffer.isBuffer(answer.body)
  const body = binary ? (answer.body as Buffer).toString('base64') : (answer.body as string)
  await deps.store.write((trx) => storeIdempotencyAnswer(trx, owner, key, { statusCode: answer.statusCode, body, bodyEncoding: binary ? 'base64' : null, headers: JSON.stringify(answer.headers) }))
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
