/**
 * Approval providers, approval requests, their gates and responses as stored (issue 12, seed
 * 004's workflow approval). Knows SQL and nothing of actors: who may see or decide what is
 * decided in `src/ops/approvals/`.
 */
import type { Selectable } from 'kysely'
import type { Db, Dialect } from './store.js'
import type { ApprovalGateTable, ApprovalProviderTable, ApprovalRequestTable, ApprovalResponseTable } from './schema.js'

export type ApprovalProviderRow = Selectable<ApprovalProviderTable>
export type ApprovalRequestRow = Selectable<ApprovalRequestTable>
export type ApprovalGateRow = Selectable<ApprovalGateTable>
export type ApprovalResponseRow = Selectable<ApprovalResponseTable>

/** A person as approval views name them. */
export interface ApprovalPersonRow {
  id: string
  username: string
  first_name: string
  last_name: string
  email: string
}

/** Lists an organisation's approval providers (managers first, then groups by name). */
export async function listProviderRows(db: Db, orgId: string): Promise<ApprovalProviderRow[]> {
  return db.selectFrom('approval_providers').selectAll().where('org_id', '=', orgId).orderBy('kind', 'desc').orderBy('name_key').execute()
}

/** Inserts an approval provider. */
export async function insertProviderRow(db: Db, row: ApprovalProviderRow): Promise<void> {
  await db.insertInto('approval_providers').values(row).execute()
}

/** Sets the given columns of the approval provider `id`. */
export async function updateProviderRow(db: Db, id: string, patch: Partial<Omit<ApprovalProviderRow, 'id' | 'org_id' | 'kind'>>): Promise<void> {
  await db.updateTable('approval_providers').set(patch).where('id', '=', id).execute()
}

/** Deletes the approval provider `id` with its members (approval requests already made keep their gates). */
export async function deleteProviderRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('approval_group_members').where('provider_id', '=', id).execute()
  await db.deleteFrom('approval_providers').where('id', '=', id).execute()
}

/** Lists the members of the groups `providerIds`, by username. */
export async function listGroupMemberRows(db: Db, providerIds: readonly string[]): Promise<(ApprovalPersonRow & { provider_id: string })[]> {
  if (providerIds.length === 0) return []
  return db
    .selectFrom('approval_group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.provider_id', 'u.id', 'u.username', 'u.first_name', 'u.last_name', 'u.email'])
    .where('m.provider_id', 'in', [...providerIds])
    .orderBy('u.username_key')
    .execute()
}

/** Replaces the members of the group `providerId` with `userIds`. */
export async function setGroupMemberRows(db: Db, providerId: string, userIds: readonly string[]): Promise<void> {
  await db.deleteFrom('approval_group_members').where('provider_id', '=', providerId).execute()
  if (userIds.length > 0) await db.insertInto('approval_group_members').values(userIds.map((u) => ({ provider_id: providerId, user_id: u }))).execute()
}

/** Lists the users of an organisation with one of `roles` that are enabled and not waiting for approval. */
export async function listOrgApproverRows(db: Db, orgId: string, roles: readonly string[]): Promise<ApprovalPersonRow[]> {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'first_name', 'last_name', 'email'])
    .where('org_id', '=', orgId)
    .where('role', 'in', [...roles])
    .where('enabled', '=', 1)
    .where('approval_state', 'is', null)
    .orderBy('username_key')
    .execute()
}

/** Inserts an approval request with its gates and responses. */
export async function insertApprovalRows(db: Db, approval: ApprovalRequestRow, gates: readonly ApprovalGateRow[], responses: readonly ApprovalResponseRow[]): Promise<void> {
  await db.insertInto('approval_requests').values(approval).execute()
  if (gates.length > 0) await db.insertInto('approval_gates').values([...gates]).execute()
  if (responses.length > 0) await db.insertInto('approval_responses').values([...responses]).execute()
}

/** Finds an approval response by its GUID. */
export async function findResponseRow(db: Db, id: string): Promise<ApprovalResponseRow | undefined> {
  return db.selectFrom('approval_responses').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * Finds an approval request, locked against concurrent decisions (`FOR UPDATE` on PostgreSQL;
 * SQLite's write transaction already excludes every other writer).
 */
export async function findApprovalRowLocked(db: Db, dialect: Dialect, id: string): Promise<ApprovalRequestRow | undefined> {
  const q = db.selectFrom('approval_requests').selectAll().where('id', '=', id)
  return dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst()
}

/** Finds an approval request. */
export async function findApprovalRow(db: Db, id: string): Promise<ApprovalRequestRow | undefined> {
  return db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finds the approval request of the request `requestId`, if it has one. */
export async function findApprovalRowByRequest(db: Db, requestId: number): Promise<ApprovalRequestRow | undefined> {
  return db.selectFrom('approval_requests').selectAll().where('request_id', '=', requestId).executeTakeFirst()
}

/** Which approval requests a listing takes. */
export interface ApprovalCriteria {
  orgId?: string
  /** Only those with a response addressed to this user. */
  userId?: string
  status?: string
}

/** Lists approval requests, newest first (at most `limit`). */
export async function listApprovalRows(db: Db, c: ApprovalCriteria, limit: number): Promise<ApprovalRequestRow[]> {
  let q = db.selectFrom('approval_requests').selectAll()
  if (c.orgId !== undefined) q = q.where('org_id', '=', c.orgId)
  if (c.status !== undefined) q = q.where('status', '=', c.status)
  if (c.userId !== undefined) {
    const uid = c.userId
    q = q.where('id', 'in', (eb) => eb.selectFrom('approval_responses').select('approval_id').where('user_id', '=', uid))
  }
  return q.orderBy('requested_at', 'desc').orderBy('id').limit(limit).execute()
}

/** Lists the pending approval requests (for the sweep), oldest first. */
export async function listPendingApprovalRows(db: Db, limit: number): Promise<ApprovalRequestRow[]> {
  return db.selectFrom('approval_requests').selectAll().where('status', '=', 'Pending').orderBy('requested_at').limit(limit).execute()
}

/** Lists the gates of approval requests. */
export async function listGateRows(db: Db, approvalIds: readonly string[]): Promise<ApprovalGateRow[]> {
  if (approvalIds.length === 0) return []
  return db.selectFrom('approval_gates').selectAll().where('approval_id', 'in', [...approvalIds]).orderBy('provider').execute()
}

/** Lists the responses of approval requests with their users (a deleted user's are left out). */
export async function listResponseRows(db: Db, approvalIds: readonly string[]): Promise<(ApprovalResponseRow & { username: string; first_name: string; last_name: string; email: string })[]> {
  if (approvalIds.length === 0) return []
  return db
    .selectFrom('approval_responses as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .selectAll('r')
    .select(['u.username', 'u.first_name', 'u.last_name', 'u.email'])
    .where('r.approval_id', 'in', [...approvalIds])
    .orderBy('u.username_key')
    .execute()
}

/** Records one approver's answer if the response is still pending; answers whether it was. */
export async function answerResponseRow(db: Db, id: string, status: string, reason: string, at: string): Promise<boolean> {
  const r = await db.updateTable('approval_responses').set({ status, reason, resolved_at: at }).where('id', '=', id).where('status', '=', 'Pending').executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Resolves an approval request still pending (`status`), closing its pending responses with `responseStatus`. */
export async function resolveApprovalRow(db: Db, id: string, status: string, responseStatus: string, at: string): Promise<boolean> {
  const r = await db.updateTable('approval_requests').set({ status, resolved_at: at }).where('id', '=', id).where('status', '=', 'Pending').executeTakeFirst()
  if (r.numUpdatedRows === 0n) return false
  await db.updateTable('approval_responses').set({ status: responseStatus, resolved_at: at }).where('approval_id', '=', id).where('status', '=', 'Pending').execute()
  return true
}

/** Notes that a gate's approvers were reminded at `at`. */
export async function markGateReminded(db: Db, gateId: string, at: string): Promise<void> {
  await db.updateTable('approval_gates').set({ reminded_at: at }).where('id', '=', gateId).execute()
}

/** Finds the people `ids` (users), in no particular order. */
export async function listPeopleRows(db: Db, ids: readonly string[]): Promise<ApprovalPersonRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('users').select(['id', 'username', 'first_name', 'last_name', 'email']).where('id', 'in', [...new Set(ids)]).execute()
}

/** The names and display names of every catalogue service (the labels approval subscriptions name). */
export async function listServiceLabelRows(db: Db): Promise<{ name: string; display_name: string }[]> {
  return db.selectFrom('services').select(['name', 'display_name']).execute()
}

/** The gate of each accepted response of an approval request (one entry per acceptance). */
export async function listAcceptedGateIds(db: Db, approvalId: string): Promise<string[]> {
  const rows = await db.selectFrom('approval_responses').select('gate_id').where('approval_id', '=', approvalId).where('status', '=', 'Accepted').execute()
  return rows.map((r) => r.gate_id)
}

/** Counts the members of the group `providerId`. */
export async function countGroupMembers(db: Db, providerId: string): Promise<number> {
  const r = await db.selectFrom('approval_group_members').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', providerId).executeTakeFirstOrThrow()
  return Number(r.n)
}
