/**
 * The provisioning status of anything provisioned (a customer's service, a user's service), as
 * seed 004 names it, with its label and the colour its UI shows, and the moves allowed between
 * statuses.
 *
 * | status         | label                      | colour |
 * |----------------|----------------------------|--------|
 * | NotProvisioned | Not provisioned            | Grey   |
 * | Requested      | Provisioning requested     | Yellow |
 * | InProgress     | Provisioning in progress   | Orange |
 * | Provisioned    | Provisioned                | Green  |
 * | Failed         | Provisioning failed        | Red    |
 * | Pending        | Pending Changes            | Blue   |
 *
 * Provisioning runs `NotProvisioned → Requested → InProgress → Provisioned | Failed`;
 * `Pending` while changes wait (for an approval, or a retry); deprovisioning goes back to
 * `NotProvisioned` through the same steps.
 */
export const PROVISIONING_STATUSES = ['NotProvisioned', 'Requested', 'InProgress', 'Provisioned', 'Failed', 'Pending'] as const
export type ProvisioningStatus = (typeof PROVISIONING_STATUSES)[number]

export const PROVISIONING_COLOURS = ['Grey', 'Yellow', 'Orange', 'Green', 'Red', 'Blue'] as const
export type ProvisioningColour = (typeof PROVISIONING_COLOURS)[number]

/** A status with its label and colour: part of the status's data, answered with it. */
export interface ProvisioningStatusInfo {
  status: ProvisioningStatus
  label: string
  colour: ProvisioningColour
}

const INFO: Record<ProvisioningStatus, ProvisioningStatusInfo> = {
  NotProvisioned: { status: 'NotProvisioned', label: 'Not provisioned', colour: 'Grey' },
  Requested: { status: 'Requested', label: 'Provisioning requested', colour: 'Yellow' },
  InProgress: { status: 'InProgress', label: 'Provisioning in progress', colour: 'Orange' },
  Provisioned: { status: 'Provisioned', label: 'Provisioned', colour: 'Green' },
  Failed: { status: 'Failed', label: 'Provisioning failed', colour: 'Red' },
  Pending: { status: 'Pending', label: 'Pending Changes', colour: 'Blue' },
}

/** The label and colour of a status. */
export function provisioningInfo(s: ProvisioningStatus): ProvisioningStatusInfo {
  return INFO[s]
}

/** Parses a status as the seed's clients write it (case-insensitively: `Notprovisioned` too). */
export function parseProvisioningStatus(s: string): ProvisioningStatus | undefined {
  const k = s.trim().toLowerCase()
  return PROVISIONING_STATUSES.find((x) => x.toLowerCase() === k)
}

const MOVES: Record<ProvisioningStatus, readonly ProvisioningStatus[]> = {
  // A request to provision, or one that must wait first (approval).
  NotProvisioned: ['Requested', 'Pending'],
  // The worker takes it up, or it is withdrawn before it starts.
  Requested: ['InProgress', 'Pending', 'NotProvisioned'],
  // The driver answers: done, failed, or to be retried later; a deprovision ends here too.
  InProgress: ['Provisioned', 'Failed', 'Pending', 'NotProvisioned'],
  // Changes (or a deprovision) are requested.
  Provisioned: ['Requested', 'Pending'],
  // Tried again, or given up and removed.
  Failed: ['Requested', 'Pending', 'NotProvisioned'],
  // The wait ends: the change goes ahead, or is dropped.
  Pending: ['Requested', 'NotProvisioned', 'Provisioned'],
}

/** True when a thing may move from `from` to `to`. */
export function canMove(from: ProvisioningStatus, to: ProvisioningStatus): boolean {
  return MOVES[from].includes(to)
}
