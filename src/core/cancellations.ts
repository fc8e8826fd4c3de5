/**
 * Cancellation requests of a customer (seed 001's `requestCancellation`): their lifecycle, the
 * view every face is given, and the end of the billing period a cancellation takes effect at.
 */

/**
 * A cancellation's status. `requested` → `approved` (at once when no approval provider
 * subscribes to `customers.Cancel`, else when the approval is accepted) → `cancelled` (by the
 * sweep, at `effectiveAt`); `requested` → `rejected` (approval refused or timed out);
 * `requested` or `approved` → `withdrawn`. The last three are final.
 */
export type CancellationStatus = 'requested' | 'approved' | 'cancelled' | 'withdrawn' | 'rejected'
export const CANCELLATION_STATUSES = ['requested', 'approved', 'cancelled', 'withdrawn', 'rejected'] as const
/** The statuses of an open cancellation: at most one per customer. */
export const OPEN_CANCELLATION_STATUSES = ['requested', 'approved'] as const

/** Longest reason accepted, in characters. */
export const CANCELLATION_REASON_MAX = 2000

/** A cancellation request as every face is given it. */
export interface Cancellation {
  id: string
  /** The customer to cancel. */
  orgId: string
  reason: string
  status: CancellationStatus
  /** True while an approval decides it (status `requested`). */
  approvalPending: boolean
  /** The approval request deciding it (`GET /approvals/...`), when one was asked. */
  approvalId: string | null
  /** The user who asked. */
  requestedBy: string | null
  /** The guid of the core request `cancellation.request` recorded (`GET /jobs/{requestGuid}`). */
  requestGuid: string
  /** When it takes effect (the end of the billing period); null until approved. */
  effectiveAt: string | null
  createdAt: string
  updatedAt: string
  /** When it reached a final status (cancelled, withdrawn, rejected). */
  closedAt: string | null
}

/**
 * The end of the billing period that `ms` falls in: the first instant (UTC) of the next
 * calendar month. Subscriptions carry no period of their own; the billing period is the
 * calendar month in UTC, as billable bandwidth counts it (core/bandwidth.ts).
 */
export function billingPeriodEnd(ms: number): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}
