/**
 * The built-in `local` registrar: accepts every call and registers nothing elsewhere. It is
 * the registrar of every domain no configured registrar takes.
 */
import type { RegistrarDriver } from './driver.js'

export const localRegistrar: RegistrarDriver = {
  name: 'local',
  secretFields: [],
  async call() {
    return { ok: true }
  },
}
