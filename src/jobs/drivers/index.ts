/** The provisioning drivers by name. */
import type { Driver } from './driver.js'
import { noopDriver } from './noop.js'
import { webhookDriver } from './webhook.js'

export type { Driver, DriverContext, DriverOutcome, ProvisioningRequest } from './driver.js'

const DRIVERS: ReadonlyMap<string, Driver> = new Map([noopDriver, webhookDriver].map((d) => [d.name, d]))

/** The driver named `name`, or undefined. */
export function findDriver(name: string): Driver | undefined {
  return DRIVERS.get(name)
}
