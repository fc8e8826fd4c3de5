/**
 * Seed 004's XML action API: `POST /cortexapi/default.aspx` (and `/xmlapi`). Reads the body as
 * bytes whatever its content type (VBScript sends text/xml, PowerShell's WebClient none or a
 * form type) through the one guarded reader, dispatches each entity of the `<request>` to its
 * handler (entities.ts) and answers `<response version="1.0">` documents; errors from the one
 * table in errors.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, isDomainError, type ErrorCode } from '../../core/errors.js'
import { permissionsOf, ROLE_NAMES } from '../../core/roles.js'
import { contextOf, type Deps, type ExecParams } from '../../ops/context.js'
import { AnswerMemo } from '../answer-memo.js'
import { getRequest } from '../../ops/requests/get-request.js'
import { recordBatch } from '../../ops/requests/record-batch.js'
import { DEFAULT_XML_LIMITS, readXml, XmlReadError, type XmlElement } from '../xml/reader.js'
import { E, XmlApiError, fromDomainError, httpOf, type WireError } from './errors.js'
import { add, errorXml, parseBool, responseXml, tagOf, type Node } from './document.js'
import { ENTITIES, WireFailure, at, type Call, type EntityHandler, type Step } from './entities.js'

export const XMLAPI_PATHS = ['/cortexapi/default.aspx', '/xmlapi'] as const
const XML_TYPE = 'text/xml; charset=utf-8'
const ACTIONS = ['find', 'get', 'set', 'delete'] as const
type Action = (typeof ACTIONS)[number]

function sendError(reply: FastifyReply, w: WireError): FastifyReply {
  if (w.retryAfterSeconds !== undefined) reply.header('retry-after', String(w.retryAfterSeconds))
  if (w.code === E.NotAuthenticated && w.http === 401) reply.header('www-authenticate', 'Basic realm="clientele", Bearer')
  return reply.code(w.http).header('content-type', XML_TYPE).send(errorXml(w.code, w.message))
}

/** How the shared error handler writes this face's errors (credentials refused before the handler, bodies over the limit). */
function errorWriter(reply: FastifyReply, _code: ErrorCode, _message: string, err: DomainError): FastifyReply {
  return sendError(reply, fromDomainError(err, 'document'))
}

/** The answer of any error met while handling a document. */
function wireOf(req: FastifyRequest, e: unknown): WireError {
  if (e instanceof XmlApiError) return { code: e.code, message: e.message, http: httpOf(e.code) }
  if (e instanceof WireFailure) {
    if (e.wire.message === 'internal error') req.log.error({ err: e }, 'internal error')
    return e.wire
  }
  if (e instanceof XmlReadError) return { code: E.InvalidXmlFormat, message: e.message, http: 400 }
  if (isDomainError(e)) {
    if (e.code === 'internal') req.log.error({ err: e }, 'internal error')
    return fromDomainError(e, 'document')
  }
  req.log.error({ err: e }, 'internal error')
  return { code: E.Unknown, message: 'internal error', http: 500 }
}

/** Reads the `<request>` element: its action, version and trace flag. */
function readRequest(root: XmlElement): Action {
  if (tagOf(root) !== 'request') throw new XmlApiError(E.InvalidXmlFormat, `the document's root must be <request>, not <${root.name}>`)
  let action: string | undefined
  for (const [k, v] of Object.entries(root.attrs)) {
    const key = k.toLowerCase()
    if (key === 'action') action = v.trim().toLowerCase()
    else if (key === 'version') {
      if (v.trim() !== '1.0') throw new XmlApiError(E.InvalidXmlFormat, 'only version="1.0" requests are understood')
    } else if (key === 'trace') parseBool(v, 'request trace')
    else throw new XmlApiError(E.InvalidXmlFormat, `unknown attribute ${k} on <request>`)
  }
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
    throw new XmlApiError(E.InvalidAction, 'the action attribute of <request> must be FIND, GET, SET or DELETE')
  }
  if (root.text.trim() !== '') throw new XmlApiError(E.InvalidXmlFormat, '<request> holds entities, not text')
  return action as Action
}

/** The handler of an entity element: error 3 for an unknown entity, 0 for one not built yet. */
function handlerOf(el: XmlElement): EntityHandler {
  const h = ENTITIES.get(tagOf(el))
  if (!h) throw new XmlApiError(E.InvalidXmlFormat, `unknown entity <${el.name}>`)
  if ('pending' in h) throw new XmlApiError(E.Unknown, `<${tagOf(el)}> is not supported yet (${h.pending})`)
  return h
}

/** Runs a document; answers the response body. */
export async function runDocument(deps: Deps, call: Call, root: XmlElement): Promise<string> {
  const action = readRequest(root)
  if (action === 'find' || action === 'get') {
    const body: Node = {}
    for (const el of root.children) {
      const fn = handlerOf(el)[action]
      if (!fn) throw new XmlApiError(E.InvalidAction, `${action.toUpperCase()} is not an action of <${tagOf(el)}>`)
      for (const n of await fn(call, el)) add(body, tagOf(el), n)
    }
    return responseXml(body)
  }
  // SET / DELETE: the whole document is decoded and checked before anything runs. A role that
  // may change nothing (`readonly`) is refused a SET or DELETE outright, whether or not the
  // document would change anything: the answer does not depend on the data it names.
  if (permissionsOf(call.actor.role).every((p) => p.endsWith('.read'))) {
    throw new DomainError('forbidden', `the ${ROLE_NAMES[call.actor.role]} role may not ${action.toUpperCase()}`)
  }
  const steps: Step[] = []
  if (root.children.length === 0) throw new XmlApiError(E.InvalidXmlFormat, `${action.toUpperCase()} needs an entity`)
  for (const el of root.children) {
    const fn = handlerOf(el)[action]
    if (!fn) throw new XmlApiError(E.InvalidAction, `${action.toUpperCase()} is not an action of <${tagOf(el)}>`)
    await fn(call, el, steps)
  }
  return responseXml({ request: { id: String(await execute(deps, call, steps)) } })
}

/**
 * Runs the steps of a SET or DELETE. One step: its own request answers the call. Several (or
 * none: nothing to change): a parent request (`request.batch`) is recorded first and each
 * step's request is its child; the parent answers the call. A failing step stops the rest;
 * those before it stay done (each is its own request).
 */
async function execute(deps: Deps, call: Call, steps: Step[]): Promise<number> {
  // The operation notes its request's id; a read by guid only where it did not.
  const idOf = async (exec: ExecParams) => exec.id ?? (await at('request', getRequest(call.read, { ref: exec.guid! }))).id
  const journal = call.journal
  if (steps.length === 1) {
    const exec: ExecParams = { journal }
    await at(steps[0]!.where, steps[0]!.run(contextOf(deps, call.actor, exec)))
    return idOf(exec)
  }
  const parent: ExecParams = { journal }
  await at('document', recordBatch(contextOf(deps, call.actor, parent), { source: 'xmlapi' }))
  for (const step of steps) {
    await at(step.where, step.run(contextOf(deps, call.actor, { parentGuid: parent.guid, journal })))
  }
  return idOf(parent)
}

/**
 * True when the document only reads, and what it answers depends on nothing but the database
 * and the caller: FIND and GET of every entity but `report` (a report's query may read the
 * clock, and its run has a timeout).
 */
function isReadOnly(root: XmlElement): boolean {
  const action = Object.entries(root.attrs).find(([k]) => k.toLowerCase() === 'action')?.[1]?.trim().toLowerCase()
  return (action === 'find' || action === 'get') && root.children.every((el) => tagOf(el) !== 'report')
}

export function xmlapiRoutes(app: FastifyInstance, deps: Deps): void {
  app.register(async (face) => {
    // Every body here is an XML document, whatever its declared type.
    face.removeAllContentTypeParsers()
    face.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: DEFAULT_XML_LIMITS.maxBytes }, (_req, body, done) => done(null, body))
    // A body without a content type (or an empty one) is one Fastify would not parse at all.
    face.addHook('onRequest', (req, _reply, done) => {
      const t = req.headers['content-type']
      if (t === undefined || t.trim() === '') req.headers['content-type'] = 'application/octet-stream'
      done()
    })
    const answers = new AnswerMemo()
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        if (!req.actor) throw new XmlApiError(E.NotAuthenticated, 'credentials are required')
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
        // Read before the document runs: a change made meanwhile makes what is kept stale at once.
        const generation = deps.store.generation()
        const key = generation !== undefined ? answers.keyOf(req.actor, body) : undefined
        const kept = key !== undefined ? answers.get(key, generation!) : undefined
        if (kept !== undefined) return reply.header('content-type', XML_TYPE).send(kept)
        const root = readXml(body)
        const call: Call = { deps, actor: req.actor, read: contextOf(deps, req.actor), ...(req.idempotency ? { journal: req.idempotency.journal } : {}) }
        const text = await runDocument(deps, call, root)
        if (key !== undefined && isReadOnly(root)) answers.set(key, generation!, text)
        return reply.header('content-type', XML_TYPE).send(text)
      } catch (e) {
        return sendError(reply, wireOf(req, e))
      }
    }
    for (const path of XMLAPI_PATHS) {
      face.post(path, { config: { errorWriter }, bodyLimit: DEFAULT_XML_LIMITS.maxBytes, schema: { hide: true } as object }, handler)
    }
  })
}
