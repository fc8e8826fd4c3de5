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
import { AnswerMemo } from '../answer-memo.js'
import { messageRunner } from './call.js'
import { applicationExceptionBody, DEFAULT_LIMITS, isWireError, plainWriter, Thrift, type ThriftLimits } from './protocol.js'

export const THRIFT_PATH = '/thrift/customer'
const THRIFT_TYPE = 'application/x-thrift'
const APP_X = (Thrift as unknown as { TApplicationExceptionType: Record<'UNKNOWN' | 'PROTOCOL_ERROR', number> }).TApplicationExceptionType

/** Errors met before the call runs (credentials, size): their HTTP status and a Thrift body. */
function errorWriter(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(HTTP_STATUS[code]).type(THRIFT_TYPE).send(applicationExceptionBody(APP_X.UNKNOWN, message))
}

/**
 * The functions whose answer depends on the database and the caller's arguments alone (none
 * reads the clock): their successful replies are kept in the answer memo (../answer-memo.ts).
 */
const READS = new Set(['getUsername', 'getKeys', 'listRoles', 'getSettings', 'getIpAddresses', 'getDetailedIpAddresses', 'listFTPUsers', 'listNotices', 'listContacts', 'listContactMethods', 'listContactNoticeTypes'])

/**
 * Where the sequence id sits in a strict binary-protocol message (`80 01 00 tt`, the name's
 * length and bytes, then the i32 seqid) when it calls one of READS; undefined otherwise. A call
 * and its reply carry the same name, so the reply's seqid sits at the same offset.
 */
function readCallSeqidAt(body: Buffer): number | undefined {
  if (body.length < 12 || body[0] !== 0x80 || body[1] !== 0x01 || body[3] !== 1) return undefined
  const n = body.readInt32BE(4)
  if (n < 1 || n > 32 || body.length < 12 + n) return undefined
  return READS.has(body.toString('latin1', 8, 8 + n)) ? 8 + n : undefined
}

/** True for a reply (type 2) whose result struct starts with field 0: the success, not an exception. */
function isSuccessReply(out: Buffer, seqidAt: number): boolean {
  return out.length > seqidAt + 7 && out[3] === 2 && out.readInt16BE(seqidAt + 5) === 0
}

export function thriftRoutes(app: FastifyInstance, deps: Deps, limits: ThriftLimits = DEFAULT_LIMITS): void {
  const runner = messageRunner(deps, limits)
  const answers = new AnswerMemo()
  app.register(async (face) => {
    // Every body here is a Thrift message, whatever its declared type.
    face.removeAllContentTypeParsers()
    face.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limits.maxFrameBytes }, (_req, body, done) => done(null, body))
    face.post(THRIFT_PATH, { config: { errorWriter }, bodyLimit: limits.maxFrameBytes, schema: { hide: true } }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      // A read asked again while the database is unchanged answers what it answered before,
      // with this call's seqid (read before the call runs: a change meanwhile makes it stale).
      const seqidAt = req.actor ? readCallSeqidAt(body) : undefined
      const generation = seqidAt !== undefined ? deps.store.generation() : undefined
      let key: string | undefined
      if (generation !== undefined) {
        const seqid = body.readInt32BE(seqidAt!)
        body.writeInt32BE(0, seqidAt!)
        key = answers.keyOf(req.actor!, body)
        body.writeInt32BE(seqid, seqidAt!)
        const kept = key !== undefined ? answers.get(key, generation) : undefined
        if (kept !== undefined) {
          const out = Buffer.from(kept, 'latin1')
          out.writeInt32BE(seqid, seqidAt!)
          return reply.type(THRIFT_TYPE).send(out)
        }
      }
      let outcome
      try {
        outcome = await runner.run(body, req.actor, plainWriter, undefined, req.idempotency ? { journal: req.idempotency.journal } : undefined)
      } catch (e) {
        if (!isWireError(e)) throw e
        return reply.code(400).type(THRIFT_TYPE).send(applicationExceptionBody(APP_X.PROTOCOL_ERROR, `not a Thrift binary-protocol message: ${(e as Error).message}`))
      }
      if (key !== undefined && !outcome.authFailed && isSuccessReply(outcome.out, seqidAt!)) answers.set(key, generation!, outcome.out.toString('latin1'))
      return reply.code(outcome.authFailed ? 401 : 200).type(THRIFT_TYPE).send(outcome.out)
    })
  })
}
