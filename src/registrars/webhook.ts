/**
 * The `webhook` registrar: POSTs each call as JSON to the registrar's `url`,
 * `{action, domain, unicodeDomain, customer: {id, name}, credentials: {username, password}}`,
 * signed like the provisioning webhook (`X-Clientele-Timestamp`, `X-Clientele-Signature:
 * sha256=<HMAC-SHA256 of "timestamp.body">` under its `secret`), with `Idempotency-Key: <request
 * guid>`.
 *
 * A 2xx accepts. A 4xx refuses: the registrar's JSON `message` (or `error`) is the reason given
 * to the caller. A 5xx, a redirect, a timeout (`timeoutSeconds`, default 10) or a connection
 * failure is `unavailable`. No message ever repeats the credentials: a registrar's reason that
 * contains them is withheld.
 */
import { postSigned } from '../jobs/signing.js'
import { DEFAULT_REGISTRAR_TIMEOUT_S, type RegistrarCall, type RegistrarDriver, type RegistrarOutcome } from './driver.js'

/** The longest reason taken from a registrar's answer. */
const MAX_REASON = 300

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
    const timeout = AbortSignal.timeout(timeoutS * 1000)
    let res: Response
    let text: string
    try {
      res = await postSigned(url, secret, body, ctx.clock(), call.requestGuid, signal ? AbortSignal.any([signal, timeout]) : timeout)
      text = await res.text()
    } catch (e) {
      if (signal?.aborted) throw signal.reason
      const err = e as Error
      if (timeout.aborted || err.name === 'TimeoutError') return unavailable(`did not answer within ${timeoutS} s`)
      const cause = (err as { cause?: { code?: string } }).cause
      return unavailable(`could not be reached${cause?.code ? ` (${cause.code})` : ''}`)
    }
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
