/**
 * The console's only way to the server: the public native REST API, same origin, with the
 * session cookie the login set (`credentials: 'same-origin'`). Every unsafe call carries the
 * `X-Clientele-Console` header besides the browser's own `Origin`; the server refuses an unsafe
 * call made with the session cookie from another origin. Errors arrive as RFC 9457 problem
 * documents and leave here as `ApiError`, whose `message` is the server's words.
 */

export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  code?: string
  field?: string
  [k: string]: unknown
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(describe(problem))
  }
  get status(): number {
    return this.problem.status
  }
  get code(): string | undefined {
    return this.problem.code
  }
}

/** What a person reads for a problem: the server's detail, with the field it concerns. */
export function describe(p: Problem): string {
  const what = p.detail ?? p.title ?? `the server answered ${p.status}`
  const sentence = what.charAt(0).toUpperCase() + what.slice(1)
  const hint: Record<string, string> = {
    unauthenticated: 'Please sign in again.',
    forbidden: 'Your role does not allow this.',
    version_mismatch: 'Someone else changed this meanwhile.',
    quota_exceeded: 'The quota is used up.',
    too_many_attempts: 'Too many attempts: wait a moment and try again.',
    unavailable: 'The server is busy: try again shortly.',
  }
  const extra = p.code && hint[p.code] ? ` ${hint[p.code]}` : ''
  return `${sentence}${sentence.endsWith('.') ? '' : '.'}${extra}`
}

export interface Answer<T> {
  body: T
  headers: Headers
  status: number
}

/** Calls the API; answers the parsed body (and headers), or throws ApiError. */
export async function call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } }
  if (method !== 'GET' && method !== 'HEAD') (init.headers as Record<string, string>)['x-clientele-console'] = '1'
  if (body !== undefined) {
    ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch(path, init)
  } catch {
    throw new ApiError({ status: 0, detail: 'the server cannot be reached; check your connection' })
  }
  const text = await res.text()
  let parsed: unknown = undefined
  if (text) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = text
    }
  }
  if (!res.ok) {
    const p = (typeof parsed === 'object' && parsed ? parsed : { detail: typeof parsed === 'string' ? parsed : undefined }) as Problem
    if (res.status === 401 && !path.startsWith('/login')) onUnauthenticated()
    throw new ApiError({ ...p, status: res.status })
  }
  return { body: parsed as T, headers: res.headers, status: res.status }
}

let onUnauthenticated = () => {}
/** What the app does when the session has ended (shows the login). */
export function whenSignedOut(f: () => void): void {
  onUnauthenticated = f
}

export const get = <T = unknown>(path: string) => call<T>('GET', path).then((a) => a.body)
export const post = <T = unknown>(path: string, body?: unknown) => call<T>('POST', path, body).then((a) => a.body)
export const put = <T = unknown>(path: string, body?: unknown) => call<T>('PUT', path, body).then((a) => a.body)
export const patch = <T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('PATCH', path, body, headers)
export const del = <T = unknown>(path: string) => call<T>('DELETE', path).then((a) => a.body)

/** Encodes one path segment. */
export const seg = (s: string | number) => encodeURIComponent(String(s))
