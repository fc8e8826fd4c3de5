/** Requests: every mutation, with its log and times; slow ones run as jobs. */

/**
 * A request's status. Synchronous operations end `succeeded` or `failed`; jobs pass through
 * `queued` and `running`; a request whose event an approval provider subscribes to waits
 * `pending` (with `approvalPending`) until its approvers decide (ops/approvals/).
 */
export type RequestStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed'

/** Every request status, for faces that enumerate them. */
export const REQUEST_STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed'] as const

export interface RequestLogEntry {
  at: string
  level: 'info' | 'warn' | 'error'
  message: string
}

/** A request as the core sees it. */
export interface Request {
  id: number
  guid: string
  parentId: number | null
  operation: string
  actorUserId: string | null
  actorOrgId: string | null
  via: string
  target: string
  scopePath: string
  status: RequestStatus
  /** True while the request waits for approval (its status is `pending`). */
  approvalPending: boolean
  log: RequestLogEntry[]
  /**
   * Why it failed, as its callers are shown it: the caller's `userErrormsg` when it gave one,
   * else the failure's own message (which the log keeps in every case, for operators).
   */
  error: string | null
  stages: Record<string, { startedAt?: string; finishedAt?: string }>
  maxDurationMs: number | null
  receivedAt: string
  startedAt: string | null
  finishedAt: string | null
}
