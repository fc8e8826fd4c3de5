/**
 * Holds an event for approval when an approval provider of its organisation subscribes to it,
 * and decides what acceptance, refusal and timeout do. Called by the operations that provision
 * and deprovision customer services, user services and users, inside their write transaction.
 */
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { findUserById, countOrgUsers, deleteUserRow, setUserApprovalState, userHoldsServices } from '../../store/users.repo.js'
import {
  insertApprovalRows,
  listGroupMemberRows,
  listOrgApproverRows,
  listProviderRows,
  resolveApprovalRow,
  type ApprovalPersonRow,
  type ApprovalRequestRow,
} from '../../store/approvals.repo.js'
import { failHeldJobs, finishPendingRequest, noteRequest, releaseHeldJobs } from '../../store/jobs.repo.js'
import { restoreCustomerService, restoreUserService } from '../../store/services.repo.js'
import { catalogKey } from '../../store/catalog.repo.js'
import { moveCancellation } from '../../store/cancellations.repo.js'
import { billingPeriodEnd } from '../../core/cancellations.js'
import { eventKey, MANAGERS_PROVIDER, type ApprovalAction, type ApprovalObject, type Effect, type StoredSubscription } from './model.js'

/** Roles whose users approve for "Workflow Managers" when the chain of managers is empty. */
export const FALLBACK_APPROVER_ROLES = ['owner', 'admin'] as const

/** An event an operation is about to carry out. */
export interface ApprovalEvent {
  org: OrgRow
  object: ApprovalObject
  action: ApprovalAction
  /** For services: the labels that name the service (its name and display name). */
  labels?: readonly string[]
  /** Whose chain of managers "Workflow Managers" follows (null: none, only the fallback). */
  chainOf: string | null
  description: string
  effect: Effect
}

/** True when `subs` subscribe to `ev`. */
export function subscribes(subs: readonly StoredSubscription[], ev: Pick<ApprovalEvent, 'object' | 'action' | 'labels'>): boolean {
  const labels = new Set((ev.labels ?? []).map(catalogKey))
  return subs.some((s) => s.object === ev.object && s.name === ev.action && (s.object === 'users' || s.object === 'customers' || catalogKey(s.label ?? '') === 'all' || labels.has(catalogKey(s.label ?? ''))))
}

/**
 * The chain of managers of `userId` up to `levels` levels, in order (the user's manager
 * first); stops at a user seen before, a missing or disabled one, or one of another organisation.
 */
export async function managerChain(db: Db, userId: string | null, levels: number, orgId: string): Promise<ApprovalPersonRow[]> {
  const out: ApprovalPersonRow[] = []
  const seen = new Set<string>(userId ? [userId] : [])
  let cur = userId ? await findUserById(db, userId) : undefined
  while (cur && out.length < levels) {
    const mid = cur.manager_user_id
    if (!mid || seen.has(mid)) break
    seen.add(mid)
    const m = await findUserById(db, mid)
    if (!m || m.org_id !== orgId || m.enabled !== 1 || m.approval_state != null) break
    out.push({ id: m.id, username: m.username, first_name: m.first_name, last_name: m.last_name, email: m.email })
    cur = m
  }
  return out
}

/**
 * Holds `ev` for approval when a provider of its organisation subscribes to it: writes the
 * approval request, one gate per subscribed provider (or group) and one response (GUID) per
 * approver, and notes them in the request's log. Answers null (and writes nothing) when no
 * provider subscribes: the event runs as before. The caller then holds its work (a `held` job,
 * or `holdRequest`).
 *
 * Approvers: a group's members, `membersToApprove` of them needed (at most all of them); for
 * "Workflow Managers", the chain of managers of `ev.chainOf` up to `managers` levels, all of
 * whom must accept, or, when that chain is empty, the organisation's enabled owners and admins,
 * any one of whom suffices. Refused (`failed_precondition`) when a subscribed provider has nobody
 * to approve.
 */
export async function gateEvent(ctx: Ctx, trx: Db, ev: ApprovalEvent): Promise<{ approvalId: string; requestId: number } | null> {
  const providers = (await listProviderRows(trx, ev.org.id)).filter((p) => subscribes(JSON.parse(p.subscriptions) as StoredSubscription[], ev))
  if (providers.length === 0) return null
  const requestId = await ctx.request!.queue(trx)
  const now = new Date(ctx.clock()).toISOString()
  const approvalId = newId()
  const members = await listGroupMemberRows(trx, providers.filter((p) => p.kind === 'group').map((p) => p.id))
  const gates = []
  const responses = []
  const notes: string[] = []
  for (const p of providers) {
    let approvers: ApprovalPersonRow[]
    let required: number
    const name = p.kind === 'managers' ? MANAGERS_PROVIDER : p.name
    if (p.kind === 'managers') {
      const chain = await managerChain(trx, ev.chainOf, p.managers, ev.org.id)
      approvers = chain.length > 0 ? chain : await listOrgApproverRows(trx, ev.org.id, FALLBACK_APPROVER_ROLES)
      required = chain.length > 0 ? chain.length : 1
    } else {
      approvers = members.filter((m) => m.provider_id === p.id)
      required = Math.min(p.members_to_approve, approvers.length)
    }
    if (approvers.length === 0) {
      throw new DomainError('failed_precondition', `${ev.description} needs approval by ${name}, which has nobody to approve it`)
    }
    const gateId = newId()
    gates.push({ id: gateId, approval_id: approvalId, provider: name, required, timeout_days: p.timeout_days, reminder_days: p.reminder_days, reminded_at: null })
    for (const a of approvers) {
      responses.push({ id: newId(), approval_id: approvalId, gate_id: gateId, user_id: a.id, status: 'Pending', reason: '', requested_at: now, resolved_at: null })
    }
    notes.push(`${name}: ${required} of ${approvers.map((a) => a.username).join(', ')}`)
  }
  await insertApprovalRows(
    trx,
    {
      id: approvalId,
      request_id: requestId,
      org_id: ev.org.id,
      description: ev.description,
      event: eventKey(ev.object, ev.action, ev.object === 'users' || ev.object === 'customers' ? null : (ev.labels?.[ev.labels.length - 1] ?? null)),
      requested_by_user_id: ctx.actor.userId,
      status: 'Pending',
      effect: JSON.stringify(ev.effect),
      requested_at: now,
      resolved_at: null,
    },
    gates,
    responses,
  )
  await noteRequest(trx, requestId, ctx.clock(), 'info', `waiting for approval ${approvalId} (${notes.join('; ')})`)
  return { approvalId, requestId }
}

/**
 * Carries out an accepted approval in `trx`: a service's held job is released to the workers
 * (answers true: ring them after the commit); a user's creation enables it; a user's deletion
 * deletes it (unless it has become its organisation's last user, or holds services: then the
 * request fails saying so); a cancellation becomes `approved`, effective at the end of the
 * billing period the acceptance falls in (core/cancellations.ts), and its request succeeds.
 */
export async function acceptApproval(trx: Db, approval: ApprovalRequestRow, now: number): Promise<boolean> {
  const at = new Date(now).toISOString()
  if (!(await resolveApprovalRow(trx, approval.id, 'Accepted', 'Closed', at))) return false
  const effect = JSON.parse(approval.effect) as Effect
  switch (effect.kind) {
    case 'customer-service':
    case 'user-service':
      await releaseHeldJobs(trx, approval.request_id, now, `approval ${approval.id} accepted: the work goes on`)
      return true
    case 'user-create':
      await setUserApprovalState(trx, effect.userId, null, { expect: 'pending-create', enabled: effect.enabled, now: at })
      await finishPendingRequest(trx, approval.request_id, now, `approval ${approval.id} accepted: the user is created`)
      return false
    case 'user-delete': {
      const u = await findUserById(trx, effect.userId)
      if (!u) {
        await finishPendingRequest(trx, approval.request_id, now, `approval ${approval.id} accepted: the user was already gone`)
        return false
      }
      await setUserApprovalState(trx, u.id, null)
      if ((await countOrgUsers(trx, u.org_id)) <= 1) {
        await failHeldJobs(trx, approval.request_id, now, `${u.username} is the organisation's last user and cannot be deleted`)
        return false
      }
      if (await userHoldsServices(trx, u.id)) {
        await failHeldJobs(trx, approval.request_id, now, `${u.username} holds services; deprovision them first`)
        return false
      }
      await deleteUserRow(trx, u.id)
      await finishPendingRequest(trx, approval.request_id, now, `approval ${approval.id} accepted: the user is deleted`)
      return false
    }
    case 'cancellation': {
      const effective = new Date(billingPeriodEnd(now)).toISOString()
      const moved = await moveCancellation(trx, effect.cancellationId, ['requested'], 'approved', at, { effective_at: effective })
      await finishPendingRequest(
        trx,
        approval.request_id,
        now,
        moved ? `approval ${approval.id} accepted: the customer is cancelled at ${effective}, the end of its billing period` : `approval ${approval.id} accepted: the cancellation had already ended`,
      )
      return false
    }
  }
}

/**
 * Ends an approval refused (`Rejected`) or run out (`TimedOut`) in `trx`: the request and its
 * held jobs fail with `error`, the other responses close, and the subject goes back to where it
 * was (a service to its earlier status; a user waiting to be created is removed; a user
 * waiting to be deleted stays; a cancellation still `requested` becomes `rejected`). False when the approval had already ended.
 */
export async function refuseApproval(trx: Db, approval: ApprovalRequestRow, now: number, status: 'Rejected' | 'TimedOut', error: string): Promise<boolean> {
  const at = new Date(now).toISOString()
  if (!(await resolveApprovalRow(trx, approval.id, status, status === 'TimedOut' ? 'TimedOut' : 'Closed', at))) return false
  await failHeldJobs(trx, approval.request_id, now, error)
  const effect = JSON.parse(approval.effect) as Effect
  switch (effect.kind) {
    case 'customer-service':
      await restoreCustomerService(trx, effect.id, approval.request_id, effect.before, now)
      break
    case 'user-service':
      await restoreUserService(trx, effect.id, approval.request_id, effect.before, now)
      break
    case 'user-create':
      if ((await findUserById(trx, effect.userId))?.approval_state === 'pending-create') await deleteUserRow(trx, effect.userId)
      break
    case 'user-delete':
      await setUserApprovalState(trx, effect.userId, null, { expect: 'pending-delete' })
      break
    case 'cancellation':
      await moveCancellation(trx, effect.cancellationId, ['requested'], 'rejected', at)
      break
  }
  return true
}
