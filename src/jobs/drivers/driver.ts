/** What a provisioning driver is, and what it is given. */
import type { Logger } from '../../ops/context.js'

/** The provisioning request a driver carries out (a job's payload, with its identity). */
export interface ProvisioningRequest {
  /** The job's guid: the idempotency key of the delivery (the same on every attempt). */
  jobGuid: string
  /** The guid of the request the job belongs to. */
  requestGuid: string
  service: string
  action: 'provision' | 'deprovision'
  /** What is provisioned (`customer:<id>`, `user:<id>`, …). */
  subject: string
  payload: Record<string, unknown>
  /** 1 on the first attempt. */
  attempt: number
}

/** What a driver is given besides the request. */
export interface DriverContext {
  /** The service's driver settings (from the catalogue), secrets opened: never log them. */
  config: Record<string, unknown>
  log: Logger
  clock: () => number
}

/**
 * A driver's answer: done (with a result), failed (retryable or not), or pending (the remote
 * end will call back, `POST /jobs/{jobGuid}/callback`).
 */
export type DriverOutcome =
  | { ok: true; result: unknown }
  | { ok: false; retryable: boolean; error: string }
  | { pending: true; note?: string }

/** A provisioning driver. `provision` must stop promptly when `signal` aborts. */
export interface Driver {
  readonly name: string
  /**
   * The keys of `config` that hold secrets (a signing secret, a password): sealed at rest,
   * never shown again, opened only to hand the config to `provision`.
   */
  readonly secretFields?: readonly string[]
  provision(ctx: DriverContext, request: ProvisioningRequest, signal: AbortSignal): Promise<DriverOutcome>
}
