/** The `noop` driver: provisions at once, for catalogue entries with nothing behind them. */
import type { Driver } from './driver.js'

export const noopDriver: Driver = {
  name: 'noop',
  async provision(_ctx, request) {
    return { ok: true, result: { driver: 'noop', action: request.action, subject: request.subject } }
  },
}
