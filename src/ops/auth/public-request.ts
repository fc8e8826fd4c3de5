/**
 * The request recorded for a call that comes without credentials and acts on one user's
 * account (password recovery, a login's PIN step): its actor is that user, `via` names the way
 * in, and it is visible where that user's organisation is.
 */
import type { Deps } from '../context.js'
import type { Db } from '../../store/store.js'
import { newId } from '../../core/ids.js'
import { insertRequest } from '../../store/requests.repo.js'
import type { RequestTable } from '../../store/schema.js'

/** A user a public call acts on. */
export interface PublicSubject {
  id: string
  org_id: string
  org_path: string
}

/**
 * Starts recording `operation` on `user`'s account in `trx`: `queue()` writes the request
 * `queued` (for a job to finish) and answers its id; `done()` writes it `succeeded` unless
 * `queue()` already wrote it.
 */
export function publicRequest(deps: Deps, trx: Db, operation: string, user: PublicSubject, via: string) {
  const at = new Date(deps.clock()).toISOString()
  let id: number | undefined
  const row = (status: string): Omit<RequestTable, 'id'> => ({
    guid: newId(),
    parent_id: null,
    operation,
    actor_user_id: user.id,
    actor_org_id: user.org_id,
    via,
    target: `user:${user.id}`,
    scope_path: user.org_path,
    status,
    log: null,
    error: null,
    stages: null,
    max_duration_ms: null,
    received_at: at,
    started_at: status === 'queued' ? null : at,
    finished_at: status === 'queued' ? null : at,
    user_error: null,
  })
  return {
    async queue(): Promise<number> {
      id ??= await insertRequest(trx, row('queued'))
      return id
    },
    async done(): Promise<void> {
      if (id === undefined) await insertRequest(trx, row('succeeded'))
    },
  }
}
