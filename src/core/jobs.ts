/** What a job's progress means to the thing it provisions: the steps a subject hears of. */

/** A step of a job: claimed by a worker, waiting for a callback, to be retried, given back, or finished. */
export type JobEvent = 'claimed' | 'waiting' | 'retry' | 'released' | 'succeeded' | 'failed'

export interface JobEventInfo {
  /** The subject's id (after the type's colon). */
  id: string
  /** The request the job belongs to (subjects remember the request that last changed them). */
  requestId: number
  action: 'provision' | 'deprovision'
  /** The error of a failure. */
  error?: string
  now: number
}

/** What a subject type does at each step of its job, inside the queue's transaction `trx`. */
export type JobSubjectHandler<Trx> = (trx: Trx, event: JobEvent, info: JobEventInfo) => Promise<void>

/**
 * The provisioning status (core/provisioning.ts) a job's intermediate step gives its subject;
 * the final steps (`succeeded`, `failed`) are each subject type's own.
 */
export const JOB_STEP_STATUS: Partial<Record<JobEvent, 'InProgress' | 'Pending' | 'Requested'>> = {
  claimed: 'InProgress',
  waiting: 'InProgress',
  retry: 'Pending',
  released: 'Requested',
}
