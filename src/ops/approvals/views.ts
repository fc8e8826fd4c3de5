/** Builds the approval views (model.ts) from stored rows. */
import type { Db } from '../../store/store.js'
import { findOrgById } from '../../store/orgs.repo.js'
import { findRequestById } from '../../store/requests.repo.js'
import {
  listGateRows,
  listGroupMemberRows,
  listPeopleRows,
  listProviderRows,
  listResponseRows,
  type ApprovalRequestRow,
} from '../../store/approvals.repo.js'
import {
  fullName,
  MANAGERS_PROVIDER,
  parseEventKey,
  type ApprovalProvidersView,
  type ApprovalStatus,
  type ApprovalView,
  type ResponseStatus,
  type StoredSubscription,
  type SubscriptionsView,
} from './model.js'

/** Stored subscriptions as answered: grouped by tag and label, labels in the order first subscribed. */
export function subscriptionsView(subs: readonly StoredSubscription[]): SubscriptionsView {
  const byLabel = (object: 'userservices' | 'services') => {
    const out = new Map<string, { label: string; subscriptions: { name: 'Provision' | 'Deprovision'; access: 'Object' }[] }>()
    for (const s of subs) {
      if (s.object !== object || s.label === null) continue
      const e = out.get(s.label) ?? { label: s.label, subscriptions: [] }
      if (s.name !== 'Cancel') e.subscriptions.push({ name: s.name, access: 'Object' })
      out.set(s.label, e)
    }
    return [...out.values()]
  }
  return {
    users: subs.filter((s) => s.object === 'users' && s.name !== 'Cancel').map((s) => ({ name: s.name as 'Provision' | 'Deprovision', access: 'Object' as const })),
    userServices: byLabel('userservices'),
    services: byLabel('services'),
    customers: subs.filter((s) => s.object === 'customers' && s.name === 'Cancel').map(() => ({ name: 'Cancel' as const, access: 'Object' as const })),
  }
}

/** The approval providers of `orgId` as answered. */
export async function providersView(db: Db, orgId: string): Promise<ApprovalProvidersView> {
  const rows = await listProviderRows(db, orgId)
  const members = await listGroupMemberRows(db, rows.filter((r) => r.kind === 'group').map((r) => r.id))
  const m = rows.find((r) => r.kind === 'managers')
  return {
    orgId,
    managers: m
      ? {
          name: MANAGERS_PROVIDER,
          configuration: { managers: m.managers, timeoutDays: m.timeout_days, reminderDays: m.reminder_days },
          subscriptions: subscriptionsView(JSON.parse(m.subscriptions) as StoredSubscription[]),
        }
      : null,
    groups: rows
      .filter((r) => r.kind === 'group')
      .map((g) => ({
        name: g.name,
        description: g.description,
        configuration: { membersToApprove: g.members_to_approve, timeoutDays: g.timeout_days, reminderDays: g.reminder_days },
        members: members.filter((x) => x.provider_id === g.id).map((x) => ({ userId: x.id, username: x.username, displayName: fullName(x) })),
        subscriptions: subscriptionsView(JSON.parse(g.subscriptions) as StoredSubscription[]),
      })),
  }
}

/**
 * The views of `approvals`; with `onlyUserId`, each keeps only that user's responses (the
 * seed's user-level `approvalresponses`).
 */
export async function approvalViews(db: Db, approvals: readonly ApprovalRequestRow[], onlyUserId?: string): Promise<ApprovalView[]> {
  if (approvals.length === 0) return []
  const ids = approvals.map((a) => a.id)
  const [gates, responses, people] = await Promise.all([
    listGateRows(db, ids),
    listResponseRows(db, ids),
    listPeopleRows(db, approvals.map((a) => a.requested_by_user_id).filter((x): x is string => x !== null)),
  ])
  const gateName = new Map(gates.map((g) => [g.id, g.provider]))
  const person = new Map(people.map((p) => [p.id, p]))
  const orgs = new Map<string, { id: string; name: string; fullname: string }>()
  const out: ApprovalView[] = []
  for (const a of approvals) {
    if (!orgs.has(a.org_id)) {
      const o = await findOrgById(db, a.org_id)
      orgs.set(a.org_id, { id: a.org_id, name: o?.code ?? '', fullname: o?.name ?? '' })
    }
    const req = await findRequestById(db, a.request_id)
    const by = a.requested_by_user_id ? person.get(a.requested_by_user_id) : undefined
    out.push({
      id: a.id,
      requestGuid: req?.guid ?? null,
      description: a.description,
      event: parseEventKey(a.event),
      status: a.status as ApprovalStatus,
      requestDate: a.requested_at,
      resolvedDate: a.resolved_at,
      customer: orgs.get(a.org_id)!,
      requestedByUser: by ? { id: by.id, name: by.username, fullname: fullName(by), email: by.email } : null,
      subscriptions: responses
        .filter((r) => r.approval_id === a.id && (onlyUserId === undefined || r.user_id === onlyUserId))
        .map((r) => ({
          id: r.id,
          provider: gateName.get(r.gate_id) ?? '',
          requestDate: r.requested_at,
          resolvedDate: r.resolved_at,
          status: r.status as ResponseStatus,
          reason: r.reason,
          user: { id: r.user_id, name: r.username, fullname: fullName(r), email: r.email },
        })),
    })
  }
  return out
}
