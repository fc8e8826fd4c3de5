/** The provisioning drivers by name, and their settings' secrets as stored. */
import { isDomainError } from '../../core/errors.js'
import { isSealed, type Keyring } from '../../core/sealed.js'
import type { Driver } from './driver.js'
import { noopDriver } from './noop.js'
import { webhookDriver } from './webhook.js'

export type { Driver, DriverContext, DriverOutcome, ProvisioningRequest } from './driver.js'

const DRIVERS: ReadonlyMap<string, Driver> = new Map([noopDriver, webhookDriver].map((d) => [d.name, d]))

/** The driver named `name`, or undefined. */
export function findDriver(name: string): Driver | undefined {
  return DRIVERS.get(name)
}

/** The secret keys of the settings of the driver named `name` (none for an unknown driver). */
export function secretFieldsOf(name: string): readonly string[] {
  return DRIVERS.get(name)?.secretFields ?? []
}

/**
 * What a sealed value of a service's driver settings is bound to: the service and the key, so
 * that a sealed value copied to another service or key does not open.
 */
export function driverConfigAad(serviceId: string, key: string): string {
  return `services/${serviceId}/driverConfig/${key}`
}

/**
 * The stored driver settings of service `serviceId` with every sealed value opened, for the
 * driver (and the callback's signature check) alone. A value that cannot be opened (sealed
 * under a key this process lacks) is an error naming the key, never a crash.
 */
export function openDriverConfig(
  keys: Keyring,
  serviceId: string,
  stored: string,
): { ok: true; config: Record<string, unknown> } | { ok: false; error: string } {
  const config = JSON.parse(stored) as Record<string, unknown>
  for (const [k, v] of Object.entries(config)) {
    if (!isSealed(v)) continue
    try {
      config[k] = keys.open(v, driverConfigAad(serviceId, k))
    } catch (e) {
      if (!isDomainError(e)) throw e
      return { ok: false, error: `the service's secret driverConfig.${k}: ${e.message}` }
    }
  }
  return { ok: true, config }
}
