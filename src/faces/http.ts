/**
 * HTTP plumbing shared by every face served over HTTP: request validation compilers, body
 * parsers, authentication, idempotency keys and the one error handler. Faces register routes;
 * this decides who is calling and how errors look.
 */
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type {} from '@fastify/cookie'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { DomainError, isDomainError, type ErrorCode } from '../core/errors.js'
import { contextOf, type Actor, type Ctx, type Deps, type ExecParams, type WriteJournal } from '../ops/context.js'
import { execParams } from '../ops/exec-params.js'
import type { Authenticator } from '../auth/authenticator.js'
import {
  cannotResume,
  claimIdempotencyKey,
  completeIdempotencyKey,
  journalHasWrites,
  releaseIdempotencyKey,
  suspendIdempotencyKey,
  renewIdempotencyKey,
  requestFingerprint,
  CLAIM_RENEW_MS,
} from '../ops/idempotency.js'
import { HTTP_STATUS, problem } from './rest/problem.js'
import { propertyNamesAt, unknownFieldMessage } from '../core/field-names.js'

/**
 * A request URL as it may be logged: the value of every query parameter that carries a secret
 * (`otp`, a one-time login link's password; `secret`, a password recovery link's) is replaced
 * by `[redacted]`.
 */
export function loggableUrl(url: string): string {
  return url.includes('?') ? url.replace(/([?&](?:otp|secret)=)[^&#]*/gi, '$1[redacted]') : url
}

/** The session cookie's name (seed 003's API calls it `id0`). */
export const SESSION_COOKIE = 'id0'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
    /** The claim of a POST sent with an `Idempotency-Key`, and the journal its writes go into. */
    idempotency: { owner: string; key: string; renewal: NodeJS.Timeout; journal: WriteJournal } | null
    /** The request-shaping parameters of a mutating call (and, after it, its request's guid). */
    exec: ExecParams | null
  }
  interface FastifyContextConfig {
    /** Routes that answer without credentials (health, docs, login). */
    public?: boolean
    /**
     * How this route's errors are written; defaults to problem+json. A face with its own
     * error envelope (XML, XML-RPC) sets its writer.
     */
    errorWriter?: (reply: FastifyReply, code: ErrorCode, message: string, err: DomainError) => unknown
  }
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/**
 * Validators: bodies are checked strictly (no coercion, unknown fields rejected, nothing
 * removed); query strings and path parameters are coerced from text.
 */
export function installValidators(app: FastifyInstance): void {
  const common = { allErrors: false, strict: false, removeAdditional: false as const, useDefaults: true }
  const strict = addFormats(new Ajv({ ...common, coerceTypes: false }))
  const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }))
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))
}

/** Accepts JSON only as JSON objects/arrays, with a clear 400 on malformed text. */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string
    if (text.length === 0) return done(null, undefined)
    // Bounded before parsing, so that nothing after (checks, serialisers) meets deep recursion.
    if (jsonNestingExceeds(text, MAX_BODY_NESTING)) {
      return done(new DomainError('invalid_argument', `the JSON body nests deeper than ${MAX_BODY_NESTING} levels`, { field: 'body' }), undefined)
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (e) {
      // V8's message quotes the start of the body, which may hold a password: name the place only.
      const at = /position (\d+)/.exec((e as Error).message)?.[1]
      return done(new DomainError('invalid_argument', `malformed JSON${at !== undefined ? ` at position ${at}` : ''}`), undefined)
    }
    // NUL cannot be stored in PostgreSQL text; refuse it everywhere alike.
    if ((text.includes('\\u0000') || text.includes('\0')) && hasNul(value)) {
      return done(new DomainError('invalid_argument', 'strings may not contain the NUL character'), undefined)
    }
    done(null, value)
  })
}

/**
 * How deep a JSON body may nest at all. Each field's value is bounded tighter by the operations
 * (core/text.ts `MAX_NESTING`, answered naming the field); this bound keeps the parser's and
 * the checks' recursion shallow whatever is sent.
 */
export const MAX_BODY_NESTING = 64

/** A refused body of a declared length up to this many bytes is read to its end and thrown away, so its sender gets the answer (see the error handler). */
const DRAIN_LIMIT = 16 * 1024 * 1024

/** True when the JSON text opens more than `max` arrays/objects inside each other (strings skipped). */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 92 /* \ */) i++
        else if (d === 34) break
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--
  }
  return false
}

function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\0')
  if (Array.isArray(v)) return v.some(hasNul)
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => k.includes('\0') || hasNul(x))
  return false
}

/** Builds the operation context for a request that passed authentication. */
export function ctxOf(deps: Deps, req: FastifyRequest): Ctx {
  if (!req.actor) throw new DomainError('unauthenticated', 'credentials are required')
  if (req.method === 'GET') return contextOf(deps, req.actor)
  req.exec = execOf(req)
  if (req.idempotency) req.exec.journal = req.idempotency.journal
  return contextOf(deps, req.actor, req.exec)
}

/**
 * Builds the operation context of a GET that changes something (seed 003's `getOrgMemberLogin`
 * makes a login link): it takes `X-Job-Guid` and `X-Execution-Params` as a POST does, and the
 * route answers the guid of the request it recorded (`req.exec.guid`).
 */
export function mutatingCtxOf(deps: Deps, req: FastifyRequest): Ctx {
  if (!req.actor) throw new DomainError('unauthenticated', 'credentials are required')
  req.exec = execOf(req)
  return contextOf(deps, req.actor, req.exec)
}

/** The host a link to this server is built on, as the request names it (`Host`, or `X-Forwarded-Host` with `--trust-proxy`). */
const LINK_HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/

/**
 * An absolute URL of this server for `path`, built from the request: its scheme and host
 * (`X-Forwarded-Proto` and `X-Forwarded-Host` only when the server trusts its proxy,
 * `--trust-proxy`, as for client addresses). A host that is not a plain name, address and port
 * is refused (400) rather than written into a link.
 */
export function absoluteUrl(req: FastifyRequest, path: string): URL {
  const host = req.host
  if (typeof host !== 'string' || !LINK_HOST_RE.test(host)) {
    throw new DomainError('invalid_argument', 'the request names no usable host (Host header) to build the link on', { field: 'Host' })
  }
  return new URL(path, `${req.protocol === 'https' ? 'https' : 'http'}://${host}`)
}

/**
 * Reads `X-Job-Guid` (a parent request) and `X-Execution-Params` (a JSON object with
 * `maxduration` and `userErrormsg`), REST's spelling of seed 000's `jobguid` and
 * `executionparams`.
 */
function execOf(req: FastifyRequest): ExecParams {
  const guid = req.headers['x-job-guid']
  const raw = req.headers['x-execution-params']
  let params: unknown
  if (typeof raw === 'string' && raw !== '') {
    try {
      params = JSON.parse(raw)
    } catch {
      throw new DomainError('invalid_argument', 'X-Execution-Params must be a JSON object', { field: 'X-Execution-Params' })
    }
  }
  return execParams(typeof guid === 'string' ? guid : undefined, params)
}

/** Answers `X-Job-Guid` on every mutating route: the guid of the request the call recorded. */
export function installJobGuid(app: FastifyInstance): void {
  // Callback style: a hook that is an async function costs a promise and a turn on every call.
  const onSend = (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => {
    if (req.exec?.guid) reply.header('x-job-guid', req.exec.guid)
    done(null, payload)
  }
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE')) return
    route.onSend = [...toArray(route.onSend), onSend]
  })
}

/** Authenticates every non-public route, before its body is even parsed. */
export function installAuth(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('actor', null)
  app.decorateRequest('idempotency', null)
  app.decorateRequest('exec', null)
  app.addHook('onRequest', async (req) => {
    // A NUL anywhere in the URL is refused before it can reach a query.
    if (/%00/i.test(req.url)) throw new DomainError('invalid_argument', 'the URL may not contain NUL')
    if (req.routeOptions.config?.public || req.routeOptions.url?.startsWith('/docs') || req.routeOptions.url?.startsWith('/console/assets/')) return
    req.actor = await auth.authenticate({
      authorization: req.headers.authorization,
      sessionToken: req.cookies?.[SESSION_COOKIE],
      ip: req.ip,
    })
    if (req.actor.via === 'session' && !SAFE_METHODS.has(req.method)) refuseCrossOrigin(req)
  })
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * CSRF: an unsafe call that the session cookie authenticates must come from this server's own
 * origin. Browsers send `Origin` (and `Sec-Fetch-Site`) with every cross-origin POST, PUT, PATCH
 * and DELETE; one that names another host is refused (403) before anything runs. (The cookie is
 * SameSite=Lax too, so most browsers would not send it cross-site at all.) A client that sends
 * neither header is not a browser, and no page can make it act.
 */
function refuseCrossOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin
  const site = req.headers['sec-fetch-site']
  if (origin !== undefined) {
    let host: string | undefined
    try {
      host = origin === 'null' ? undefined : new URL(origin).host
    } catch {
      host = undefined
    }
    if (host === undefined || host !== req.headers.host) throw new DomainError('forbidden', `a cross-origin ${req.method} with the session cookie is refused (Origin ${origin.slice(0, 100)})`)
  } else if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new DomainError('forbidden', `a cross-site ${req.method} with the session cookie is refused (Sec-Fetch-Site ${String(site).slice(0, 40)})`)
  }
}

/** The headers of a first answer that its replays carry too. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'] as const

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/

/**
 * Honours `Idempotency-Key` on every POST (after validation, so invalid input is never stored).
 * The call's writes are journaled under its claim (`req.exec.journal`; see ops/idempotency.ts),
 * so that a retry after the process died resumes it rather than doing them again.
 *
 * Not recorded, so that a retry with the same key runs again: answers of 5xx when no write
 * committed (nothing happened; with writes committed, the claim is left for a retry to resume),
 * of 400 (invalid input changes nothing; a corrected retry must not be a mismatch), and answers
 * marked `Cache-Control: no-store`, which carry a secret that is shown once and never stored in
 * clear (a new API key). A resumed call whose answer would be such a secret answers `conflict`
 * instead, recorded: the secret it would show was made again and matches nothing stored.
 */
export function installIdempotency(app: FastifyInstance, deps: Deps): void {
  const claim = async (req: FastifyRequest, reply: FastifyReply, owner: string, key: string | string[]): Promise<boolean> => {
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY_RE.test(key)) {
      throw new DomainError('invalid_argument', 'Idempotency-Key must be 1–255 printable ASCII characters', { field: 'Idempotency-Key' })
    }
    const claimed = await claimIdempotencyKey(deps, owner, key, requestFingerprint(deps.secrets, req.method, req.url, req.body))
    if (claimed.answer) {
      const stored = claimed.answer
      reply.header('idempotent-replayed', 'true')
      for (const [name, value] of Object.entries(stored.headers)) reply.header(name, value)
      reply.code(stored.statusCode).send(stored.body)
      return true
    }
    // The claim is a lease, renewed while the request runs: a claim whose process died lapses.
    const renewal = setInterval(() => void renewIdempotencyKey(deps, owner, key).catch((err: unknown) => req.log.warn({ err }, 'idempotency claim not renewed')), CLAIM_RENEW_MS)
    renewal.unref()
    req.idempotency = { owner, key, renewal, journal: claimed.journal }
    return false
  }
  // Callback style, so that the calls without a key (nearly all) pay no promise for the hooks.
  const preHandler = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const key = req.headers['idempotency-key']
    if (!req.actor || key === undefined) return done()
    // A replayed answer is sent by `claim`; the route's handler then must not run.
    claim(req, reply, req.actor.userId, key).then((replayed) => (replayed ? undefined : done()), done)
  }
  const record = async (req: FastifyRequest, reply: FastifyReply, payload: unknown, idem: { owner: string; key: string; journal: WriteJournal }): Promise<unknown> => {
    const noStore = /\bno-store\b/i.test(String(reply.getHeader('cache-control') ?? ''))
    // Writes the call committed stand: a retry must resume from them, never run them again.
    const committed = journalHasWrites(idem.journal)
    if (committed && idem.journal.resumed && noStore && reply.statusCode < 400) {
      // The secret in this answer was made again by the resumed call and matches nothing
      // stored; the dead run's is gone. Answered, and recorded, as a conflict instead.
      const e = cannotResume()
      payload = JSON.stringify(problem(e.code, e.message))
      reply.code(HTTP_STATUS[e.code]).type('application/problem+json').removeHeader('location').removeHeader('etag')
    } else if (reply.statusCode >= 500 || !(typeof (payload ?? '') === 'string' || Buffer.isBuffer(payload))) {
      await (committed && !idem.journal.undone ? suspendIdempotencyKey(deps, idem.owner, idem.key) : releaseIdempotencyKey(deps, idem.owner, idem.key))
      return payload
    } else if (noStore || (reply.statusCode === 400 && !committed)) {
      await releaseIdempotencyKey(deps, idem.owner, idem.key)
      return payload
    }
    const headers: Record<string, string> = {}
    for (const name of REPLAYED_HEADERS) {
      const v = reply.getHeader(name)
      if (typeof v === 'string') headers[name] = v
    }
    await completeIdempotencyKey(deps, idem.owner, idem.key, {
      statusCode: reply.statusCode,
      body: (payload as string | Buffer | undefined) ?? '',
      headers,
    })
    return payload
  }
  const onSend = (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => {
    const idem = req.idempotency
    if (!idem) return done(null, payload)
    req.idempotency = null
    clearInterval(idem.renewal)
    record(req, reply, payload, idem).then((sent) => done(null, sent), done)
  }
  // A request answered without its onSend (a stream, an error in a hook): its claim is not renewed forever.
  const onResponse = (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    if (req.idempotency) clearInterval(req.idempotency.renewal)
    done()
  }
  // Only POST routes carry the hooks, so that reads pay nothing for them.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.includes('POST')) return
    route.preHandler = [...toArray(route.preHandler), preHandler]
    route.onSend = [...toArray(route.onSend), onSend]
    route.onResponse = [...toArray(route.onResponse), onResponse]
  })
}

function toArray<T>(x: T | T[] | undefined): T[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x]
}

function fromFastifyError(err: FastifyError, schema?: Record<string, unknown>): DomainError {
  if (err.validation) {
    const v = err.validation[0]
    const where = err.validationContext ?? 'input'
    const path = v?.instancePath ? v.instancePath.replace(/^\//, '').replace(/\//g, '.') : ''
    if (v?.keyword === 'additionalProperties') {
      // The unknown name is not repeated: it may be a secret put in the wrong place.
      const at = path ? `${where}.${path}` : where
      const accepted = propertyNamesAt(schema?.[where], v.schemaPath.replace(/\/additionalProperties$/, ''))
      const query = where === 'querystring'
      return new DomainError('invalid_argument', unknownFieldMessage(query ? 'query parameter' : 'field', query && !path ? '' : at, accepted), { field: at })
    }
    if (v?.keyword === 'required') {
      const missing = (v.params as { missingProperty?: string }).missingProperty
      return new DomainError('invalid_argument', `${where}.${path ? path + '.' : ''}${missing} is required`, { field: missing })
    }
    return new DomainError('invalid_argument', `${where}${path ? '.' + path : ''} ${v?.message ?? 'is invalid'}`, { field: path || where })
  }
  const status = err.statusCode ?? 500
  if (status === 413) return new DomainError('payload_too_large', 'request body is too large')
  if (status === 415) return new DomainError('unsupported_media_type', `unsupported content type; send application/json`)
  if (status === 404) return new DomainError('not_found', 'not found')
  if (status === 405) return new DomainError('invalid_argument', 'method not allowed here')
  if (status >= 400 && status < 500) return new DomainError('invalid_argument', err.message)
  return new DomainError('internal', 'internal error')
}

/** The error handler: domain errors as the route's face writes them, internals hidden. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | DomainError, req, reply) => {
    let de: DomainError
    if (isDomainError(err)) de = err
    else {
      de = fromFastifyError(err as FastifyError, req.routeOptions?.schema as Record<string, unknown> | undefined)
      if (de.code === 'internal') req.log.error({ err }, 'internal error')
    }
    const message = de.code === 'internal' ? 'internal error' : de.message
    // Refused before its body was read (credentials, size, type). A body of a declared length
    // up to DRAIN_LIMIT that nothing has begun to read is read to its end and thrown away once
    // the answer is sent (Node does that for an untouched request stream), so a client that
    // sent it whole reads the answer and may go on using the connection: closing with its bytes
    // unread made the kernel reset the connection, and the client saw EPIPE or ECONNRESET
    // instead of the error. A larger, undeclared (chunked) or half-read body is not read: the
    // connection closes (Fastify's parser asks for that too).
    if (!req.raw.complete) {
      if (req.raw.readableFlowing === null && Number(req.headers['content-length']) <= DRAIN_LIMIT) reply.removeHeader('connection')
      else reply.header('connection', 'close')
    }
    if (de.code === 'unauthenticated') reply.header('www-authenticate', 'Basic realm="clientele", Bearer')
    if (de.details?.retryAfterSeconds && (de.code === 'too_many_attempts' || de.code === 'conflict' || de.code === 'unavailable')) reply.header('retry-after', String(de.details.retryAfterSeconds))
    const writer = req.routeOptions?.config?.errorWriter
    if (writer) return writer(reply, de.code, message, de)
    return reply
      .code(HTTP_STATUS[de.code])
      .type('application/problem+json')
      .send(problem(de.code, message, de.code === 'internal' ? undefined : de.details))
  })
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type('application/problem+json').send(problem('not_found', `no route ${req.method} ${req.url.split('?')[0]}`))
  })
}

/**
 * What a request Node's HTTP parser refuses before any route sees it gets (Fastify's
 * `clientErrorHandler`): a request line and headers past Node's 16 KiB (a long query string), or
 * a request that is not HTTP. Answered as problem+json like every other refusal, then closed;
 * Fastify's default answered these as its own `{error, message, statusCode}` JSON.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, title, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request line and headers are larger than 16 KiB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request was not received in time']
        : [400, 'Bad Request', 'the request is not well-formed HTTP']
  const body = JSON.stringify({ ...problem('invalid_argument', detail), title, status })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

/**
 * What Fastify's router refuses before any route sees it (its `frameworkErrors`): a path
 * parameter past 100 characters (414), a URL that is not valid percent-encoding (400).
 * Answered as problem+json like every other refusal, without the path (it may hold anything);
 * Fastify's default answered its own JSON with the path in it.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const [status, detail] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'a path segment is longer than 100 characters']
      : err.code === 'FST_ERR_BAD_URL'
        ? [400, 'the URL is not valid percent-encoded UTF-8']
        : [400, 'the request cannot be routed']
  void reply
    .code(status)
    .type('application/problem+json')
    .send({ ...problem('invalid_argument', detail), title: STATUS_CODES[status], status })
}

/** Parses an `If-Match` header into the version it names; `*` and absence mean "any". */
export function ifMatchVersion(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match']
  if (h === undefined || h.trim() === '*') return undefined
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h)
  if (!m || Number(m[1]) < 1) throw new DomainError('version_mismatch', 'If-Match does not name a version of this object')
  return Number(m[1])
}

/** The ETag of a versioned object. */
export function etag(version: number): string {
  return `"${version}"`
}

/**
 * Sends JSON text already made (a memoised answer) as the body, bypassing the route's
 * serializer; the text must match the route's response schema.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sendJsonText(reply: FastifyReply<any, any, any, any, any, any, any, any>, text: string): void {
  reply.type('application/json; charset=utf-8').send(text)
}
