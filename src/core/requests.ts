/** Requests: every mutation, with its log and times; slow ones run as jobs. */

/** A request's status. Synchronous operations end `succeeded` or `failed`; jobs pass through `queued` and `running`. */
export type RequestStatus = 'queued' | 'running' | 'succeeded' | 'failed'

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
