/**
 * One Thrift message in, one answer out: shared by the HTTP route and the TCP port. The message
 * is a whole frame already in memory; it is read by the bounded protocol (protocol.ts), so a
 * hostile size fails as a wire error before anything is allocated. The generated processors
 * (gen/) read the arguments and write the answer; the handlers (handler.ts, and `authenticate`
 * here) do the work.
 */
import { createRequire } from 'node:module'
import type { Actor, Deps } from '../../ops/context.js'
import { contextOf, type ExecParams } from '../../ops/context.js'
import { CustomerHandler, ThriftTransportError } from './handler.js'
import { boundedProtocol, frameReader, Thrift, writeApplicationException, type BoundedProtocol, type ThriftLimits } from './protocol.js'

const require = createRequire(import.meta.url)
type ProcessorCtor = new (handler: object) => { process(input: unknown, output: unknown): void }
const CustomerProcessor = (require('./gen/Customer.js') as { Processor: ProcessorCtor }).Processor
const SessionProcessor = (require('./gen/Session.js') as { Processor: ProcessorCtor }).Processor

const APP_X = (Thrift as unknown as { TApplicationExceptionType: Record<'UNKNOWN' | 'UNKNOWN_METHOD', number> }).TApplicationExceptionType

/** The functions of `service Customer`, by the generated processor's `process_<name>` methods. */
const CUSTOMER_FUNCTIONS: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(CustomerProcessor.prototype)
    .filter((n) => n.startsWith('process_'))
    .map((n) => n.slice('process_'.length)),
)

export interface MessageOutcome {
  /** The answer, as the writer made it (framed for TCP, plain for HTTP). */
  out: Buffer
  /** The call failed authentication: HTTP answers 401, the TCP port closes after the answer. */
  authFailed: boolean
}

/** What runs a message: the face's limits and how a connection authenticates. */
export interface MessageRunner {
  Protocol: new (trans: unknown) => BoundedProtocol
  /**
   * Runs the message in `frame` for `actor`. `authenticate`, when given (the TCP port), serves
   * `Session.authenticate`: it resolves the actor or throws. Throws a wire error (the peer's
   * bytes are not a message this face reads) before anything runs.
   */
  run(
    frame: Buffer,
    actor: Actor | null,
    writer: (onFlush: (out: Buffer) => void) => unknown,
    authenticate?: (authorization: string) => Promise<void>,
    /** How the call's requests are made: over HTTP, the journal of a call sent with an `Idempotency-Key`. */
    exec?: ExecParams,
  ): Promise<MessageOutcome>
}

export function messageRunner(deps: Deps, limits: ThriftLimits): MessageRunner {
  const Protocol = boundedProtocol(limits)
  return {
    Protocol,
    run(frame, actor, writer, authenticate, exec) {
      const trans = frameReader(frame) as { readPos: number }
      const input = new Protocol(trans)
      // The name first (bounded like every string), then the processor reads the message again.
      const head = input.readMessageBegin()
      return new Promise<MessageOutcome>((resolve) => {
        let authFailed = false
        const output = new Protocol(writer((out) => resolve({ out, authFailed })))
        /** Answers a TApplicationException without running anything (the arguments are read past, bounded). */
        const refuse = (type: number, message: string) => {
          input.skip(Thrift.Type.STRUCT)
          input.readMessageEnd()
          writeApplicationException(output, head.fname, head.rseqid, type, message)
        }
        /** Hands the message to a generated processor, which reads it again from its start. */
        const process = (processor: { process(input: unknown, output: unknown): void }) => {
          trans.readPos = 0
          processor.process(input, output)
        }
        if (head.fname === 'authenticate' && authenticate) {
          const handler = {
            authenticate: async (authorization: string | null) => {
              try {
                await authenticate(authorization ?? '')
              } catch (e) {
                authFailed = true
                throw new ThriftTransportError(`authentication failed: ${e instanceof Error ? e.message : 'refused'}`, true)
              }
            },
          }
          process(new SessionProcessor(handler))
          return
        }
        if (!actor) {
          authFailed = true
          const how = authenticate ? 'call Session.authenticate on this connection first' : 'send credentials (Authorization: Basic or Bearer)'
          refuse(APP_X.UNKNOWN, `authentication required: ${how}`)
          return
        }
        // Answered here rather than by the generated processor, whose exception loses its type.
        if (!CUSTOMER_FUNCTIONS.has(head.fname)) return refuse(APP_X.UNKNOWN_METHOD, `Unknown function ${head.fname}`)
        const handler = new CustomerHandler(contextOf(deps, actor, exec))
        handler.onAuthFailure = () => (authFailed = true)
        process(new CustomerProcessor(handler))
      })
    },
  }
}
