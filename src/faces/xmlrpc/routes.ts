/**
 * Seed 000's XML-RPC face: `POST /appserver/xmlrpc`. Decodes a methodCall (codec.ts), matches
 * its parameters to the method's (positional in the seed's order, or one struct of named
 * parameters), calls one operation (methods.ts) and answers the seed's envelope
 * `{'result': …, 'jobguid': …}`, or a fault from the one table in faults.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, isDomainError, type ErrorCode } from '../../core/errors.js'
import { contextOf, type Deps, type ExecParams } from '../../ops/context.js'
import { execParams } from '../../ops/exec-params.js'
import { DEFAULT_LIMITS, encodeFault, encodeResponse, parseMethodCall, XmlRpcCodecError, type XmlRpcValue } from './codec.js'
import { FAULT_CODES, PROTOCOL_FAULTS } from './faults.js'
import { METHOD_NAMES, METHODS, type Args, type MethodSpec, type ParamSpec } from './methods.js'
import { unknownFieldMessage } from '../../core/field-names.js'
import { AnswerMemo } from '../answer-memo.js'

export const XMLRPC_PATH = '/appserver/xmlrpc'
const XML_TYPE = 'text/xml; charset=utf-8'

/** A fault met before or around the operation; carries its own fault code. */
class Fault extends Error {
  constructor(
    readonly faultCode: number,
    message: string,
  ) {
    super(message)
  }
}

const TRAILING: ParamSpec[] = [
  { name: 'jobguid', type: 'guid' },
  { name: 'executionparams', type: 'struct' },
]

function isStruct(v: XmlRpcValue | undefined): v is { [k: string]: XmlRpcValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v)
}

function typeName(v: XmlRpcValue): string {
  if (v === null) return 'nil'
  if (Array.isArray(v)) return 'array'
  if (v instanceof Date) return 'dateTime'
  if (Buffer.isBuffer(v)) return 'base64'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double'
  return typeof v === 'object' ? 'struct' : typeof v
}

/**
 * Matches the call's parameters to the method's. One struct whose method does not start with a
 * struct parameter is taken as named parameters. Absent, nil and (optional) empty values are
 * left undefined.
 */
export function bindArgs(method: string, spec: MethodSpec, params: XmlRpcValue[]): { args: Args; jobguid?: string; executionparams?: unknown } {
  const all = allParams(spec)
  // One struct of named parameters, unless the method's first parameter is itself a struct.
  const named = params.length === 1 && isStruct(params[0]) && all[0]!.type !== 'struct' ? params[0] : undefined
  if (named) {
    for (const k in named) {
      if (!all.some((p) => p.name === k)) throw new Fault(PROTOCOL_FAULTS.invalid_params, unknownFieldMessage('parameter', method, all.map((p) => p.name)))
    }
  } else if (params.length > all.length) {
    throw new Fault(PROTOCOL_FAULTS.invalid_params, `${method} takes at most ${all.length} parameters (${all.map((p) => p.name).join(', ')}); ${params.length} given`)
  }
  const args: Args = Object.create(null)
  let jobguid: string | undefined
  let executionparams: unknown
  for (let i = 0; i < all.length; i++) {
    const p = all[i]!
    const v = named ? named[p.name] : params[i]
    const absent = v === undefined || v === null || (v === '' && !p.required && p.type !== 'struct')
    if (absent) {
      if (p.required) throw new Fault(PROTOCOL_FAULTS.invalid_params, `${method}: ${p.name} is required`)
      continue
    }
    const ok =
      p.type === 'int' ? typeof v === 'number' && Number.isInteger(v) : p.type === 'struct' ? isStruct(v) || v === '' : typeof v === 'string'
    if (!ok) throw new Fault(PROTOCOL_FAULTS.invalid_params, `${method}: ${p.name} must be ${p.type === 'int' ? 'an int' : p.type === 'struct' ? 'a struct' : 'a string'}, not ${typeName(v)}`)
    if (p.required && v === '') throw new Fault(PROTOCOL_FAULTS.invalid_params, `${method}: ${p.name} may not be empty`)
    if (i === all.length - 2) jobguid = v as string
    else if (i === all.length - 1) executionparams = v
    else args[p.name] = v
  }
  return { args, jobguid, executionparams }
}

/** Each method's parameters with the trailing `jobguid` and `executionparams`, made once. */
const ALL_PARAMS = new WeakMap<MethodSpec, ParamSpec[]>()
function allParams(spec: MethodSpec): ParamSpec[] {
  let all = ALL_PARAMS.get(spec)
  if (!all) ALL_PARAMS.set(spec, (all = [...spec.params, ...TRAILING]))
  return all
}

function sendFault(reply: FastifyReply, faultCode: number, message: string): FastifyReply {
  return reply.code(200).header('content-type', XML_TYPE).send(encodeFault(faultCode, message))
}

/**
 * How the shared error handler writes this face's errors: bad or missing credentials are HTTP
 * 401 (and throttling 429), as the seed's clients expect of a URL with credentials; everything
 * else is a fault.
 */
function errorWriter(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  if (code === 'unauthenticated' || code === 'too_many_attempts') {
    return reply.code(code === 'unauthenticated' ? 401 : 429).type('text/plain; charset=utf-8').send(message)
  }
  return sendFault(reply, FAULT_CODES[code], message)
}

/**
 * The methods by name, in a Map: a caller's name is never looked up on an object, whose
 * prototype would answer `__proto__`, `constructor` or `toString`.
 */
const METHOD_TABLE: ReadonlyMap<string, MethodSpec> = new Map(Object.entries(METHODS))

export function xmlrpcRoutes(app: FastifyInstance, deps: Deps): void {
  app.register(async (face) => {
    // Every body here is XML-RPC text, whatever its declared type (Python sends text/xml).
    face.removeAllContentTypeParsers()
    face.addContentTypeParser(['text/xml', 'application/xml', '*'], { parseAs: 'buffer', bodyLimit: DEFAULT_LIMITS.maxBytes }, (_req, body, done) => done(null, body))

    // Answers of reads, kept while the database is unchanged (see ../answer-memo.ts).
    const answers = new AnswerMemo()
    face.post(XMLRPC_PATH, { config: { errorWriter }, bodyLimit: DEFAULT_LIMITS.maxBytes }, async (req: FastifyRequest, reply) => {
      let exec: ExecParams | undefined
      try {
        if (!req.actor) throw new DomainError('unauthenticated', 'credentials are required')
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '')
        // Read before the call runs: a change made meanwhile makes what is kept stale at once.
        const generation = deps.store.generation()
        const key = generation !== undefined ? answers.keyOf(req.actor, body) : undefined
        const kept = key !== undefined ? answers.get(key, generation!) : undefined
        if (kept !== undefined) return reply.header('content-type', XML_TYPE).send(kept)
        let call: { methodName: string; params: XmlRpcValue[] }
        try {
          call = parseMethodCall(body)
        } catch (e) {
          if (e instanceof XmlRpcCodecError) throw new Fault(PROTOCOL_FAULTS.parse_error, e.message)
          throw e
        }
        if (call.methodName === 'system.listMethods') return send(reply, METHOD_NAMES, '')
        const spec = METHOD_TABLE.get(call.methodName)
        if (!spec) throw new Fault(PROTOCOL_FAULTS.method_not_found, `no method ${call.methodName}`)
        const bound = bindArgs(call.methodName, spec, call.params)
        exec = execParams(bound.jobguid, bound.executionparams)
        if (req.idempotency) exec.journal = req.idempotency.journal
        const ctx = contextOf(deps, req.actor, spec.mutates ? exec : undefined)
        if (spec.mutates) req.exec = exec
        const result = await spec.call(ctx, bound.args)
        // A read's answer depends on the database and the caller alone (no method reads the clock).
        const keep = !spec.mutates && key !== undefined ? (text: string) => answers.set(key, generation!, text) : undefined
        return send(reply, result, spec.mutates ? (exec.guid ?? '') : '', keep)
      } catch (e) {
        if (e instanceof Fault) return sendFault(reply, e.faultCode, exec?.userErrorMessage ?? e.message)
        if (isDomainError(e)) {
          if (e.code === 'unauthenticated' || e.code === 'too_many_attempts') return errorWriter(reply, e.code, e.message)
          if (e.code === 'internal') req.log.error({ err: e }, 'internal error')
          return sendFault(reply, FAULT_CODES[e.code], exec?.userErrorMessage ?? (e.code === 'internal' ? 'internal error' : e.message))
        }
        req.log.error({ err: e }, 'internal error')
        return sendFault(reply, FAULT_CODES.internal, exec?.userErrorMessage ?? 'internal error')
      }
    })
  })
}

function send(reply: FastifyReply, result: XmlRpcValue, jobguid: string, keep?: (text: string) => void): FastifyReply {
  let body: string
  try {
    body = encodeResponse({ result, jobguid })
  } catch (e) {
    if (e instanceof XmlRpcCodecError) return sendFault(reply, FAULT_CODES.failed_precondition, `the answer cannot be written as XML-RPC: ${e.message}`)
    throw e
  }
  keep?.(body)
  return reply.header('content-type', XML_TYPE).send(body)
}
