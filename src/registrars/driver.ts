/**
 * What a registrar driver is, and what it is given. A driver tells a registrar that a customer
 * takes or lets go of a domain name, synchronously: the customer's portal credentials travel
 * with the call and are never stored, so the call cannot be left for a later job.
 */

/** The customer's portal credentials: passed through to the registrar, never stored or logged. */
export interface RegistrarCredentials {
  username: string
  password: string
}

/** One call to a registrar. */
export interface RegistrarCall {
  action: 'register' | 'unregister'
  /** The ASCII (punycode) form, lower case. */
  domain: string
  unicodeDomain: string
  customer: { id: string; name: string }
  credentials: RegistrarCredentials
  /** The guid of the request making the call: the delivery's idempotency key. */
  requestGuid: string
}

/** A registrar's settings as the driver is given them, secrets opened: never log them. */
export interface RegistrarSettings {
  /** The registrar's name (for messages). */
  name: string
  url?: string
  secret?: string
  /** How long one call may take (default `DEFAULT_REGISTRAR_TIMEOUT_S`). */
  timeoutSeconds?: number
}

/** What a driver is given besides the call. */
export interface RegistrarContext {
  settings: RegistrarSettings
  clock: () => number
}

/**
 * A registrar's answer: it accepted; it refused (the customer must change something: the
 * message is the registrar's own, fit for the caller); or it could not be asked (down, slow,
 * unreachable, misconfigured: worth trying again later). A message never holds the credentials.
 */
export type RegistrarOutcome = { ok: true } | { ok: false; kind: 'refused' | 'unavailable'; message: string }

/** A registrar driver. `call` never throws for the registrar's failures: it answers them. */
export interface RegistrarDriver {
  readonly name: string
  /** The keys of its settings that are secrets: sealed at rest, never shown again. */
  readonly secretFields: readonly string[]
  call(ctx: RegistrarContext, call: RegistrarCall, signal?: AbortSignal): Promise<RegistrarOutcome>
}

/** How long a registrar call may take when its settings do not say. */
export const DEFAULT_REGISTRAR_TIMEOUT_S = 10

/** The longest a registrar call may be allowed (kept well under a reservation's staleness). */
export const MAX_REGISTRAR_TIMEOUT_S = 120
