/**
 * The Thrift face's wire: Apache Thrift's binary protocol (npm `thrift`) with the bounds its
 * Node library lacks. A message is always read from one whole frame held in memory (the HTTP
 * body, or one frame of the TCP port, both capped before they are read), and every size the
 * peer claims — a string's, a binary's, a container's — is checked against the bytes that are
 * actually left in that frame and against a fixed ceiling *before* anything is allocated or
 * looped over. Messages must carry the strict version header. TJSONProtocol is never offered.
 */
import { createRequire } from 'node:module'
import type * as ThriftLib from 'thrift'

const require = createRequire(import.meta.url)
const thrift = require('thrift') as typeof ThriftLib & { TFramedTransport: FramedCtor; TBufferedTransport: BufferedCtor; TBinaryProtocol: new (t: unknown) => Record<string, unknown> }

export const Thrift = thrift.Thrift

interface FramedTransport {
  inBuf: Buffer
  readPos: number
}
type FramedCtor = new (buf?: Buffer, onFlush?: (out: Buffer) => void) => FramedTransport
type BufferedCtor = new (buf: undefined, onFlush: (out: Buffer) => void) => unknown

/** Bounds of one face; the defaults are what `clientele serve` uses. */
export interface ThriftLimits {
  /** Largest HTTP body or TCP frame, in bytes (the TCP frame's 4-byte length not counted). */
  maxFrameBytes: number
  /** Longest string or binary value, in bytes. */
  maxStringBytes: number
  /** Most elements of one list, set or map. */
  maxContainerItems: number
}

export const DEFAULT_LIMITS: ThriftLimits = { maxFrameBytes: 1024 * 1024, maxStringBytes: 64 * 1024, maxContainerItems: 10_000 }

const { TProtocolException, TProtocolExceptionType } = thrift.Thrift as unknown as {
  TProtocolException: new (type: number, message: string) => Error
  TProtocolExceptionType: Record<'SIZE_LIMIT' | 'NEGATIVE_SIZE' | 'BAD_VERSION' | 'INVALID_DATA', number>
}

const VERSION_MASK = 0xffff0000 | 0
const VERSION_1 = 0x80010000 | 0

/** A TBinaryProtocol reading one in-memory frame, refusing sizes the frame cannot hold. */
export interface BoundedProtocol {
  readMessageBegin(): { fname: string; mtype: number; rseqid: number }
  readMessageEnd(): void
  skip(type: number): void
}

/** Makes the bounded protocol class for `limits` (one per face). */
export function boundedProtocol(limits: ThriftLimits): new (trans: unknown) => BoundedProtocol {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the library is untyped JavaScript
  const Base = thrift.TBinaryProtocol as unknown as new (trans: unknown) => any
  const left = (p: { trans: FramedTransport }) => p.trans.inBuf.length - p.trans.readPos
  const tooBig = (what: string, n: number, max: number) => new TProtocolException(TProtocolExceptionType.SIZE_LIMIT, `${what} of ${n} exceeds the limit of ${max}`)
  function checkSize(p: { trans: FramedTransport }, what: string, n: number, max: number, bytesEach: number): void {
    if (n < 0) throw new TProtocolException(TProtocolExceptionType.NEGATIVE_SIZE, `negative ${what} size`)
    if (n > max) throw tooBig(`a ${what}`, n, max)
    if (n * bytesEach > left(p)) throw tooBig(`a ${what}`, n, left(p))
  }
  class Bounded extends Base {
    declare trans: FramedTransport
    readMessageBegin() {
      const sz = this.readI32() as number
      if (sz >= 0 || (sz & VERSION_MASK) !== VERSION_1) throw new TProtocolException(TProtocolExceptionType.BAD_VERSION, 'a message must start with the binary protocol\'s strict version header')
      const name = this.readString() as string
      const seqid = this.readI32() as number
      return { fname: name, mtype: sz & 0xff, rseqid: seqid }
    }
    readString() {
      const n = this.readI32() as number
      checkSize(this, 'string', n, limits.maxStringBytes, 1)
      if (n === 0) return ''
      const t = this.trans
      const s = t.inBuf.toString('utf8', t.readPos, t.readPos + n)
      t.readPos += n
      return s
    }
    readBinary() {
      const n = this.readI32() as number
      checkSize(this, 'binary', n, limits.maxStringBytes, 1)
      const t = this.trans
      const b = Buffer.from(t.inBuf.subarray(t.readPos, t.readPos + n))
      t.readPos += n
      return b
    }
    readListBegin() {
      const etype = this.readByte() as number
      const size = this.readI32() as number
      checkSize(this, 'list', size, limits.maxContainerItems, 1)
      return { etype, size }
    }
    readSetBegin() {
      const etype = this.readByte() as number
      const size = this.readI32() as number
      checkSize(this, 'set', size, limits.maxContainerItems, 1)
      return { etype, size }
    }
    /**
     * Skips a value; a type byte no Thrift type has is the peer's error (a protocol exception,
     * answered as PROTOCOL_ERROR), where the library throws a plain Error that read as our own
     * bug (logged, INTERNAL_ERROR).
     */
    skip(type: number, depth?: number) {
      try {
        return super.skip(type, depth)
      } catch (e) {
        if (e instanceof Error && !isWireError(e) && e.message.startsWith('Invalid type')) throw new TProtocolException(TProtocolExceptionType.INVALID_DATA, `unknown field type ${type}`)
        throw e
      }
    }
    readMapBegin() {
      const ktype = this.readByte() as number
      const vtype = this.readByte() as number
      const size = this.readI32() as number
      checkSize(this, 'map', size, limits.maxContainerItems, 2)
      return { ktype, vtype, size }
    }
  }
  return Bounded as unknown as new (trans: unknown) => BoundedProtocol
}

/** A transport reading `frame` (the whole message). */
export function frameReader(frame: Buffer): unknown {
  return new thrift.TFramedTransport(frame)
}

/** A transport whose flush hands over the message written, unframed (an HTTP body). */
export function plainWriter(onFlush: (out: Buffer) => void): unknown {
  return new thrift.TBufferedTransport(undefined, onFlush)
}

/** A transport whose flush hands over the message written with its 4-byte length (a TCP frame). */
export function framedWriter(onFlush: (out: Buffer) => void): unknown {
  return new thrift.TFramedTransport(undefined, onFlush)
}

/** True for the errors a peer's bytes cause (bad frame, bad message), as opposed to our own bugs. */
export function isWireError(e: unknown): boolean {
  return e instanceof (thrift.Thrift as unknown as { TProtocolException: new () => Error }).TProtocolException || (e instanceof Error && e.name === 'InputBufferUnderrunError')
}

/** Writes a TApplicationException message (an answer no declared result can carry). */
export function writeApplicationException(output: unknown, name: string, seqid: number, type: number, message: string): void {
  const out = output as { writeMessageBegin(n: string, t: number, s: number): void; writeMessageEnd(): void; flush(): void }
  const x = new thrift.Thrift.TApplicationException(type, message) as unknown as { write(o: unknown): void; code?: number }
  // The library's write() sends `code` as the type field (its constructor sets only `type`).
  x.code = type
  out.writeMessageBegin(name, thrift.Thrift.MessageType.EXCEPTION, seqid)
  x.write(out)
  out.writeMessageEnd()
  out.flush()
}

/** A whole unframed message holding a TApplicationException (no call to answer: name '', seqid 0). */
export function applicationExceptionBody(type: number, message: string): Buffer {
  let body: Buffer = Buffer.alloc(0)
  writeApplicationException(new thrift.TBinaryProtocol(plainWriter((out) => (body = out))), '', 0, type, message)
  return body
}
