/** The registrar drivers by name, and how a registrar's stored settings are sealed and opened. */
import { isDomainError } from '../core/errors.js'
import { isSealed, type Keyring } from '../core/sealed.js'
import type { RegistrarDriver, RegistrarSettings } from './driver.js'
import { localRegistrar } from './local.js'
import { webhookRegistrar } from './webhook.js'

export type { RegistrarCall, RegistrarContext, RegistrarCredentials, RegistrarDriver, RegistrarOutcome, RegistrarSettings } from './driver.js'
export { DEFAULT_REGISTRAR_TIMEOUT_S, MAX_REGISTRAR_TIMEOUT_S } from './driver.js'

/** The name of the built-in registrar (the `local` driver, with no row of its own). */
export const BUILT_IN_REGISTRAR = 'local'

/** The drivers a registrar may name. */
export const REGISTRAR_DRIVERS = ['local', 'webhook'] as const
export type RegistrarDriverName = (typeof REGISTRAR_DRIVERS)[number]

const DRIVERS: ReadonlyMap<string, RegistrarDriver> = new Map([localRegistrar, webhookRegistrar].map((d) => [d.name, d]))

/** The driver named `name`, or undefined. */
export function findRegistrarDriver(name: string): RegistrarDriver | undefined {
  return DRIVERS.get(name)
}

/**
 * What a sealed setting of a registrar is bound to: the registrar and the key, so that a sealed
 * value copied to another registrar or key does not open.
 */
export function registrarConfigAad(registrar: string, key: string): string {
  return `registrars/${registrar}/config/${key}`
}

/**
 * The settings of registrar `name` stored as `config`, sealed values opened, for its driver
 * alone. A value that cannot be opened (sealed under a key this process lacks) is an error
 * naming the key, never a crash.
 */
export function openRegistrarSettings(keys: Keyring, name: string, config: string): { ok: true; settings: RegistrarSettings } | { ok: false; error: string } {
  const c = JSON.parse(config) as Record<string, unknown>
  for (const [k, v] of Object.entries(c)) {
    if (!isSealed(v)) continue
    try {
      c[k] = keys.open(v, registrarConfigAad(name, k))
    } catch (e) {
      if (!isDomainError(e)) throw e
      return { ok: false, error: `registrar ${name}'s ${k}: ${e.message}` }
    }
  }
  return {
    ok: true,
    settings: {
      name,
      ...(typeof c.url === 'string' ? { url: c.url } : {}),
      ...(typeof c.secret === 'string' ? { secret: c.secret } : {}),
      ...(typeof c.timeoutSeconds === 'number' ? { timeoutSeconds: c.timeoutSeconds } : {}),
    },
  }
}
