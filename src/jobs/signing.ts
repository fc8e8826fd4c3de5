/**
 * HMAC-SHA256 signatures of webhook deliveries and callbacks: over `timestamp + '.' + body`,
 * with the service's webhook secret, sent as `X-Clientele-Timestamp` (Unix seconds) and
 * `X-Clientele-Signature: sha256=<hex>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const TIMESTAMP_HEADER = 'x-clientele-timestamp'
export const SIGNATURE_HEADER = 'x-clientele-signature'

/** How far a signed timestamp may be from now, in seconds, before it is refused as stale. */
export const REPLAY_WINDOW_S = 300

/** The signature header's value for `body` sent at `timestamp` (Unix seconds). */
export function sign(secret: string, timestamp: number | string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/**
 * True when `signature` signs `body` at `timestamp` with `secret` and the timestamp is within
 * the replay window of `nowMs`. Compares in constant time.
 */
export function verify(secret: string, timestamp: string | undefined, signature: string | undefined, body: string, nowMs: number): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_S) return false
  const want = Buffer.from(sign(secret, timestamp, body))
  const got = Buffer.from(signature)
  return want.length === got.length && timingSafeEqual(want, got)
}
