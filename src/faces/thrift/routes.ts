/**
 * Seed 001's Thrift service over HTTP: `POST /thrift/customer`, Apache Thrift's binary
 * protocol (what `THttpClient` sends), inside the one Fastify server and behind the same
 * credentials as every face (Basic, Bearer keys with their ACLs, the session cookie). Missing or
 * wrong credentials answer HTTP 401 whose body is a TApplicationException, so a Thrift client
 * says why; a body that is not one whole binary-protocol message answers 400 and runs nothing.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ErrorCode } from '../../core/errors.js'
import type { Deps } from '../../ops/context.js'
import { HTTP_STATUS } from '../rest/problem.js'
import { messageRunner } from './call.js'
import { applicationExceptionBody, DEFAULT_LIMITS, isWireError, plainWriter, Thrift, type ThriftLimits } from './protocol.js'

export const THRIFT_PATH = '/thrift/customer'
const THRIFT_TYPE = 'application/x-thrift'
const APP_X = (Thrift as unknown as { TApplicationExceptionType: Record<'UNKNOWN' | 'PROTOCOL_ERROR', number> }).TApplicationExceptionType

/** Errors met before the call runs (credentials, size): their HTTP status and a Thrift body. */
function errorWriter(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(HTTP_STATUS[code]).type(THRIFT_TYPE).send(applicationExceptionBody(APP_X.UNKNOWN, message))
}

export function thriftRoutes(app: FastifyInstance, deps: Deps, limits: ThriftLimits = DEFAULT_LIMITS): void {
  const runner = messageRunner(deps, limits)
  app.register(async (face) => {
    // Every body here is a Thrift message, whatever its declared type.
    face.removeAllContentTypeParsers()
    face.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limits.maxFrameBytes }, (_req, body, done) => done(null, body))
    face.post(THRIFT_PATH, { config: { errorWriter }, bodyLimit: limits.maxFrameBytes, schema: { hide: true } }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      let outcome
      try {
        outcome = await runner.run(body, req.actor, plainWriter)
      } catch (e) {
        if (!isWireError(e)) throw e
        return reply.code(400).type(THRIFT_TYPE).send(applicationExceptionBody(APP_X.PROTOCOL_ERROR, `not a Thrift binary-protocol message: ${(e as Error).message}`))
      }
      return reply.code(outcome.authFailed ? 401 : 200).type(THRIFT_TYPE).send(outcome.out)
    })
  })
}
