/**
 * The `webhook` registrar: POSTs each call as JSON to the registrar's `url`,
 * `{action, domain, unicodeDomain, customer: {id, name}, credentials: {username, password}}`,
 * signed like the provisioning webhook (`X-Clientele-Timestamp`, `X-Clientele-Signature:
 * sha256=<HMAC-SHA256 of "timestamp.body">` under its `secret`), with `Idempotency-Key: <request
 * guid>`.
 *
 * A 2xx accepts. A 4xx refuses: the registrar's JSON `message` (or `error`) is the reason given
 * to the caller. A 5xx, a redirect, a timeout (`timeoutSeconds`, default 10, covering the whole
 * answer, read to 1 MiB at most), an answer broken off or a
 * connection failure is `unavailable`. No message ever repeats the credentials: a registrar's
 * reason that contains them is withheld.
 */
import { deliverSigned } from '../jobs/signing.js'
import { DEFAULT_REGISTRAR_TIMEOUT_S, type RegistrarCall, type RegistrarDriver, type RegistrarOutcome } from './driver.js'

/** The longest reason taken from a registrar's answer. */
const MAX_REASON = 300

/** The most of a registrar's answer read; the rest is not waited for. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** The signal of a call nobody can cancel. */
const NEVER = new AbortController().signal

export const webhookRegistrar: RegistrarDriver = {
  name: 'webhook',
  secretFields: ['secret'],
  async call(ctx, call, signal): Promise<RegistrarOutcome> {
    const { name, url, secret } = ctx.settings
    const unavailable = (message: string): RegistrarOutcome => ({ ok: false, kind: 'unavailable', message: `registrar ${name} ${message}` })
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return unavailable('has no http(s) url configured')
    if (typeof secret !== 'string' || secret === '') return unavailable('has no secret configured')
    const t = ctx.settings.timeoutSeconds
    const timeoutS = typeof t === 'number' && t > 0 ? t : DEFAULT_REGISTRAR_TIMEOUT_S
    const body = JSON.stringify({
      action: call.action,
      domain: call.domain,
      unicodeDomain: call.unicodeDomain,
      customer: call.customer,
      credentials: call.credentials,
    })
    // An ordinary timer, held until the whole answer is read (AbortSignal.timeout's timer is held
    // only weakly: once collected, a registrar that never answers held the call for ever).
    const got = await deliverSigned(url, secret, body, ctx.clock(), call.requestGuid, signal ?? NEVER, timeoutS * 1000, MAX_ANSWER_BYTES)
    if (!got.ok) {
      if (got.why === 'timeout') return unavailable(`did not answer within ${timeoutS} s`)
      if (got.why === 'unreachable') return unavailable(`could not be reached${/^E[A-Z_]+$/.test(got.detail) ? ` (${got.detail})` : ''}`)
      if (got.why !== 'large') return unavailable('broke off its answer')
    }
    // An answer past the limit counts by its status, without a reason (its text is not read).
    const res = { status: got.status }
    const text = got.ok ? got.text : ''
    if (res.status >= 200 && res.status < 300) return { ok: true }
    if (res.status >= 400 && res.status < 500) {
      const reason = reasonOf(text, call)
      return { ok: false, kind: 'refused', message: `registrar ${name} refused to ${call.action} ${call.domain}${reason ? `: ${reason}` : ` (HTTP ${res.status})`}` }
    }
    return unavailable(`answered HTTP ${res.status}`)
  },
}

/**
 * The reason a registrar gave in its JSON answer (`message`, else `error`), on one line and
 * bounded; withheld when it repeats the credentials.
 */
function reasonOf(text: string, call: RegistrarCall): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const o = parsed as { message?: unknown; error?: unknown }
  const raw = typeof o.message === 'string' && o.message.trim() !== '' ? o.message : typeof o.error === 'string' ? o.error : undefined
  if (raw === undefined) return undefined
  const { username, password } = call.credentials
  if ((password !== '' && raw.includes(password)) || (username !== '' && raw.includes(username))) {
    return "the registrar's reason is withheld because it repeats the credentials"
  }
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line || undefined
}
