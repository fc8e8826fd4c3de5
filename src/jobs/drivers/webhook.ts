/**
 * The `webhook` driver: POSTs the provisioning request as JSON to the service's `url`, signed
 * with its `secret` (see signing.ts), `Idempotency-Key: <jobGuid>` so that a delivery repeated
 * after a crash is recognised by the receiver.
 *
 * Settings (`driverConfig`): `url` (http/https), `secret`, optional `timeoutMs` (default
 * 10 000) and `callbackTimeoutSeconds` (default 3600). Answers: a 2xx with a JSON body (or
 * none) finishes the job with it as the result; 202 leaves it waiting for the callback, at most
 * `callbackTimeoutSeconds` (a worker then fails it); 408, 429, 5xx, timeouts and connection
 * errors are retried; any other 4xx fails without retry, and so does an answer over 1 MiB.
 * `timeoutMs` bounds the whole delivery, the answer's body included; the endpoint's text
 * appears in errors quoted and escaped (`quoteAnswer`). A redirect is not followed (it would
 * replay the signed POST elsewhere, or turn it into a GET): it fails the job like a 4xx.
 */
import type { Driver, DriverOutcome } from './driver.js'
import { deliverSigned, quoteAnswer } from '../signing.js'

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000

/** The longest answer read (1 MiB): a longer one fails the job without retry, and is not stored. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** How long a job waits for the callback after a 202 when `callbackTimeoutSeconds` is not set. */
export const DEFAULT_CALLBACK_TIMEOUT_S = 3600

/**
 * The callback wait of a service's settings: `callbackTimeoutSeconds` when it is a positive
 * number of seconds, otherwise the default (settings are not checked per driver when they are
 * written, so a bad value here must not leave a job waiting for ever).
 */
export function callbackTimeoutSeconds(config: Record<string, unknown>): number {
  const v = config.callbackTimeoutSeconds
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : DEFAULT_CALLBACK_TIMEOUT_S
}

export const webhookDriver: Driver = {
  name: 'webhook',
  secretFields: ['secret'],
  async provision(ctx, request, signal): Promise<DriverOutcome> {
    const { url, secret, timeoutMs } = ctx.config
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return { ok: false, retryable: false, error: 'webhook driver: driverConfig.url is not an http(s) URL' }
    if (typeof secret !== 'string' || secret === '') return { ok: false, retryable: false, error: 'webhook driver: driverConfig.secret is not set' }
    const timeout = typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs : DEFAULT_WEBHOOK_TIMEOUT_MS
    const body = JSON.stringify(request)
    const got = await deliverSigned(url, secret, body, ctx.clock(), request.jobGuid, signal, timeout, MAX_ANSWER_BYTES)
    if (!got.ok) {
      switch (got.why) {
        case 'timeout':
          return { ok: false, retryable: true, error: `webhook timed out after ${timeout} ms` }
        case 'unreachable':
          return { ok: false, retryable: true, error: `webhook unreachable: ${got.detail}` }
        case 'cut':
          return { ok: false, retryable: true, error: `webhook answer cut short: ${got.detail}` }
        case 'large':
          return { ok: false, retryable: false, error: `webhook answer is larger than ${MAX_ANSWER_BYTES} bytes` }
      }
    }
    const res = { status: got.status }
    const text = got.text
    const excerpt = quoteAnswer(text)
    if (res.status === 202) return { pending: true, note: 'webhook accepted the request (202): waiting for its callback' }
    if (res.status >= 200 && res.status < 300) {
      if (text.trim() === '') return { ok: true, result: null }
      try {
        return { ok: true, result: JSON.parse(text) as unknown }
      } catch {
        return { ok: false, retryable: true, error: `webhook answered ${res.status} without JSON: ${excerpt}` }
      }
    }
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429
    return { ok: false, retryable, error: `webhook answered ${res.status}${text ? `: ${excerpt}` : ''}` }
  },
}
