/**
 * The callback a provisioning endpoint makes after answering 202: `POST /jobs/{jobGuid}/callback`
 * with `{status: "succeeded"|"failed", result?, error?}`, authenticated only by its signature
 * (the service's webhook secret, opened from its sealed form, over `timestamp + '.' + body`, timestamp within 5 minutes).
 */
import type { Deps } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { findJobByGuid, finishFromCallback, type JobRow } from '../../store/jobs.repo.js'
import { verify } from '../../jobs/signing.js'
import { openDriverConfig } from '../../jobs/drivers/index.js'
import type { ProvisioningPayload } from '../../jobs/provisioning.js'
import { findServiceDriverConfig } from '../../store/services.repo.js'

export interface SignedCallback {
  jobGuid: string
  timestamp: string | undefined
  signature: string | undefined
  /** The body exactly as received. */
  body: string
}

const REFUSED = 'the callback is not signed by the service of this job, or its timestamp is stale'

/**
 * Checks the callback's signature and applies its verdict to the job and its request. Throws
 * `unauthenticated` (changing nothing) for an unknown job, a bad signature or a stale
 * timestamp; `invalid_argument` for a signed body that is not a verdict; `conflict` when the
 * job had already finished.
 */
export async function acceptCallback(deps: Deps, cb: SignedCallback): Promise<{ status: 'succeeded' | 'failed' }> {
  const job = isUuid(cb.jobGuid) ? await findJobByGuid(deps.store.db, cb.jobGuid.toLowerCase()) : undefined
  if (!job) throw new DomainError('unauthenticated', REFUSED)
  const secret = await secretOf(deps, job)
  if (secret === undefined || !verify(secret, cb.timestamp, cb.signature, cb.body, deps.clock())) throw new DomainError('unauthenticated', REFUSED)
  const verdict = parseVerdict(cb.body)
  const applied = await deps.store.write((trx) => finishFromCallback(trx, job, verdict, deps.clock()))
  if (!applied) throw new DomainError('conflict', `job ${job.guid} has already finished`)
  return { status: verdict.status }
}

/** The webhook secret of the job's service, opened; undefined when there is none or it cannot be opened (logged). */
async function secretOf(deps: Deps, job: JobRow): Promise<string | undefined> {
  const p = JSON.parse(job.payload) as ProvisioningPayload
  const driverConfig = await findServiceDriverConfig(deps.store.db, p.serviceId)
  if (driverConfig === undefined) return undefined
  const opened = openDriverConfig(deps.secrets, p.serviceId, driverConfig)
  if (!opened.ok) {
    deps.log.error({ job: job.guid, service: p.service }, `cannot check a callback's signature: ${opened.error}`)
    return undefined
  }
  const secret = opened.config.secret
  return typeof secret === 'string' && secret !== '' ? secret : undefined
}

function parseVerdict(body: string): { status: 'succeeded' | 'failed'; result?: unknown; error?: string } {
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch {
    throw new DomainError('invalid_argument', 'the callback body must be JSON')
  }
  const o = v as { status?: unknown; result?: unknown; error?: unknown }
  if (!o || typeof o !== 'object' || (o.status !== 'succeeded' && o.status !== 'failed')) {
    throw new DomainError('invalid_argument', 'status must be "succeeded" or "failed"', { field: 'status' })
  }
  if (o.error !== undefined && typeof o.error !== 'string') throw new DomainError('invalid_argument', 'error must be a string', { field: 'error' })
  return { status: o.status, ...(o.result !== undefined ? { result: o.result } : {}), ...(typeof o.error === 'string' ? { error: o.error.slice(0, 2000) } : {}) }
}
