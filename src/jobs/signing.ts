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

/**
 * POSTs the JSON text `body` to `url`, signed with `secret` at `nowMs` (the two headers above)
 * and carrying `Idempotency-Key`, so that a receiver may drop a delivery it has seen. Redirects
 * are not followed: a redirected POST would be replayed as a GET elsewhere.
 */
export function postSigned(url: string, secret: string, body: string, nowMs: number, idempotencyKey: string, signal: AbortSignal): Promise<Response> {
  const timestamp = Math.floor(nowMs / 1000)
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: sign(secret, timestamp, body),
    },
    body,
    redirect: 'manual',
    signal,
  })
}
