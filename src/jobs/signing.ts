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

/** What `deliverSigned` got back: the status and the body as text (invalid UTF-8 replaced). */
export type Delivered =
  | { ok: true; status: number; text: string }
  /** `timeout`: no whole answer within the time; `unreachable`: no answer (`detail` says why); `cut`: the body broke off; `large`: it passed the limit. */
  | { ok: false; why: 'timeout' | 'unreachable' | 'cut'; detail: string }
  | { ok: false; why: 'large'; status: number; detail: string }

/**
 * POSTs like `postSigned` and reads the whole answer, both within `timeoutMs` and the body at
 * most `maxBytes` (read no further). The timer is an ordinary one, held until the answer is
 * read: a timer of `AbortSignal.timeout` holds its signal only weakly, and a garbage
 * collection meanwhile (a large answer elsewhere) left a delivery to an endpoint that never
 * answers waiting for ever. Throws `signal.reason` when `signal` aborts.
 */
export async function deliverSigned(
  url: string,
  secret: string,
  body: string,
  nowMs: number,
  idempotencyKey: string,
  signal: AbortSignal,
  timeoutMs: number,
  maxBytes: number,
): Promise<Delivered> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const onAbort = () => controller.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  const failed = (e: unknown, why: 'unreachable' | 'cut'): Delivered => {
    if (signal.aborted) throw signal.reason
    if (timedOut) return { ok: false, why: 'timeout', detail: `no whole answer within ${timeoutMs} ms` }
    const err = e as Error & { cause?: { code?: string; message?: string } }
    return { ok: false, why, detail: err.cause?.code ?? err.cause?.message ?? err.message }
  }
  try {
    let res: Response
    try {
      res = await postSigned(url, secret, body, nowMs, idempotencyKey, controller.signal)
    } catch (e) {
      return failed(e, 'unreachable')
    }
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      if (res.body) {
        const reader = res.body.getReader()
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          size += value.byteLength
          if (size > maxBytes) {
            controller.abort()
            await reader.cancel().catch(() => {})
            return { ok: false, why: 'large', status: res.status, detail: `larger than ${maxBytes} bytes` }
          }
          chunks.push(value)
        }
      }
    } catch (e) {
      return failed(e, 'cut')
    }
    return { ok: true, status: res.status, text: new TextDecoder().decode(Buffer.concat(chunks)) }
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}

/**
 * The first `max` characters of an endpoint's answer, quoted as a JSON string: its control
 * characters escaped (a NUL is refused by PostgreSQL's text, and an escape or a line break would
 * forge log lines), and where it starts and ends plain to see.
 */
export function quoteAnswer(text: string, max = 200): string {
  return JSON.stringify(text.length > max ? text.slice(0, max) + '…' : text)
}
