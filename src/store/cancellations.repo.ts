/**
 * Cancellation requests (table `cancellations`, migration 2026-12-07-0011). Status changes are
 * conditional updates (`from` the statuses they may leave), so that two callers racing change
 * a row once; the partial unique index `cancellations_open` keeps one open row per organisation.
 */
import type { Db } from './store.js'
import type { CancellationTable } from './schema.js'
import type { Cancellation, CancellationStatus } from '../core/cancellations.js'

export type CancellationRow = CancellationTable

/** The row as every face is given it. */
export function toCancellation(r: CancellationRow): Cancellation {
  return {
    id: r.id,
    orgId: r.org_id,
    reason: r.reason,
    status: r.status as CancellationStatus,
    approvalPending: r.status === 'requested' && r.approval_id !== null,
    approvalId: r.approval_id,
    requestedBy: r.requested_by,
    requestGuid: r.request_guid,
    effectiveAt: r.effective_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
  }
}

/** Inserts a cancellation; a second open one for the same organisation violates `cancellations_open`. */
export async function insertCancellation(trx: Db, row: CancellationRow): Promise<void> {
  await trx.insertInto('cancellations').values(row).execute()
}

export async function findCancellation(db: Db, id: string): Promise<CancellationRow | undefined> {
  return db.selectFrom('cancellations').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The open (requested or approved) cancellation of `orgId`, if any. */
export async function findOpenCancellation(db: Db, orgId: string): Promise<CancellationRow | undefined> {
  return db.selectFrom('cancellations').selectAll().where('org_id', '=', orgId).where('status', 'in', ['requested', 'approved']).executeTakeFirst()
}

/** The cancellations of `orgId`, newest first, at most `limit`. */
export async function listCancellations(db: Db, orgId: string, limit: number): Promise<CancellationRow[]> {
  return db.selectFrom('cancellations').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

/**
 * Moves cancellation `id` from one of `from` to `to`, setting `patch` too; true when it did
 * (false: it was in another status, or is gone). A final status sets `closed_at`.
 */
export async function moveCancellation(
  trx: Db,
  id: string,
  from: readonly CancellationStatus[],
  to: CancellationStatus,
  now: string,
  patch: Partial<Pick<CancellationRow, 'effective_at' | 'approval_id'>> = {},
): Promise<boolean> {
  const final = to === 'cancelled' || to === 'withdrawn' || to === 'rejected'
  const r = await trx
    .updateTable('cancellations')
    .set({ ...patch, status: to, updated_at: now, ...(final ? { closed_at: now } : {}) })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/** Approved cancellations whose `effective_at` is at or before `now`, oldest first, at most `limit`. */
export async function listDueCancellations(db: Db, now: string, limit: number): Promise<CancellationRow[]> {
  return db.selectFrom('cancellations').selectAll().where('status', '=', 'approved').where('effective_at', '<=', now).orderBy('effective_at').limit(limit).execute()
}
