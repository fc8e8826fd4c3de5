/** The payload of a provisioning job, as stored in `jobs.payload` (no secrets: settings are read from the catalogue at run time). */

export const PROVISIONING_KIND = 'provisioning'

export interface ProvisioningPayload {
  serviceId: string
  service: string
  /** The driver named when the job was queued (the service's current one runs it). */
  driver: string
  requestGuid: string
  action: 'provision' | 'deprovision'
  subject: string
  payload: Record<string, unknown>
}
