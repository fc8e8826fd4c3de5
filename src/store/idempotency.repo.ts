/**
 * Idempotency keys as stored: one row per owner and key, claimed (`in_flight`) and then
 * answered (`done`). The rules (replay, mismatch, abandoned claims) are in `ops/idempotency.ts`.
 */
import type { Db } from './store.js'
import type { IdempotencyTable } from './schema.js'

export type IdempotencyRow = IdempotencyTable

/** Inserts an in-flight claim of `key` for `owner`. A key already held is a unique violation. */
export async function insertIdempotencyClaim(db: Db, owner: string, key: string, requestHash: string, createdAt: string): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({ owner, key, request_hash: requestHash, state: 'in_flight', status_code: null, body: null, headers: null, journal: null, body_encoding: null, created_at: createdAt })
    .execute()
}

/** Finds an owner's key. */
export async function findIdempotencyKey(db: Db, owner: string, key: string): Promise<IdempotencyRow | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('owner', '=', owner).where('key', '=', key).executeTakeFirst()
}

/** Restarts the clock of an owner's claim still in flight (renewed by its process, or an abandoned claim taken over). */
export async function renewIdempotencyClaim(db: Db, owner: string, key: string, createdAt: string): Promise<void> {
  await db.updateTable('idempotency_keys').set({ created_at: createdAt }).where('owner', '=', owner).where('key', '=', key).where('state', '=', 'in_flight').execute()
}

/** Marks an owner's key `done` with the answer to replay (`headers` as JSON text). */
export async function storeIdempotencyAnswer(db: Db, owner: string, key: string, answer: { statusCode: number; body: string; bodyEncoding: 'base64' | null; headers: string }): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'done', status_code: answer.statusCode, body: answer.body, body_encoding: answer.bodyEncoding, headers: answer.headers, journal: null })
    .where('owner', '=', owner)
    .where('key', '=', key)
    .execute()
}

/** Records the writes an owner's in-flight call committed (JSON), in the transaction of its latest write. */
export async function storeIdempotencyJournal(db: Db, owner: string, key: string, journal: string): Promise<void> {
  await db.updateTable('idempotency_keys').set({ journal }).where('owner', '=', owner).where('key', '=', key).where('state', '=', 'in_flight').execute()
}

/** Deletes an owner's key. */
export async function deleteIdempotencyKey(db: Db, owner: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('owner', '=', owner).where('key', '=', key).execute()
}

/** Deletes the keys created before `floor` (ISO time); answers how many. */
export async function deleteIdempotencyKeysBefore(db: Db, floor: string): Promise<number> {
  const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', floor).executeTakeFirst()
  return Number(res.numDeletedRows)
}
