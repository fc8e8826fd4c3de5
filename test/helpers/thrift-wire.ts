/**
 * Thrift binary-protocol messages for tests, written and read with Apache Thrift's own
 * protocol (npm `thrift`), without generated code: a call's arguments are given as
 * `[fieldId, type, value]`, and a reply is read generically (every struct as a map from field
 * id to value), so a test sees exactly what went over the wire.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the library is untyped JavaScript
const thrift = require('thrift') as any
export const T = thrift.Thrift.Type as Record<'STOP' | 'BOOL' | 'BYTE' | 'I16' | 'I32' | 'I64' | 'STRING' | 'STRUCT' | 'MAP' | 'SET' | 'LIST', number>
export const MessageType = thrift.Thrift.MessageType as Record<'CALL' | 'REPLY' | 'EXCEPTION', number>

export type Arg = [id: number, type: number, value: unknown]

function writeValue(p: any, type: number, v: unknown): void {
  if (type === T.STRING) p.writeString(v)
  else if (type === T.I64) p.writeI64(v)
  else if (type === T.I32) p.writeI32(v)
  else if (type === T.I16) p.writeI16(v)
  else if (type === T.BOOL) p.writeBool(v)
  else if (type === T.STRUCT) writeStruct(p, v as Arg[])
  else if (type === T.LIST) {
    const [etype, items] = v as [number, unknown[]]
    p.writeListBegin(etype, items.length)
    for (const it of items) writeValue(p, etype, it)
    p.writeListEnd()
  } else if (type === T.MAP) {
    const entries = Object.entries(v as Record<string, string>)
    p.writeMapBegin(T.STRING, T.STRING, entries.length)
    for (const [k, val] of entries) {
      p.writeString(k)
      p.writeString(val)
    }
    p.writeMapEnd()
  } else throw new Error(`type ${type} not written by this helper`)
}

function writeStruct(p: any, fields: Arg[]): void {
  p.writeStructBegin('args')
  for (const [id, type, v] of fields) {
    p.writeFieldBegin(`f${id}`, type, id)
    writeValue(p, type, v)
    p.writeFieldEnd()
  }
  p.writeFieldStop()
  p.writeStructEnd()
}

/** A strict binary-protocol CALL of `name` with `args`, unframed (an HTTP body). */
export function encodeCall(name: string, args: Arg[] = [], seqid = 1): Buffer {
  let out: Buffer = Buffer.alloc(0)
  const p = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (b: Buffer) => (out = b)))
  p.writeMessageBegin(name, MessageType.CALL, seqid)
  writeStruct(p, args)
  p.writeMessageEnd()
  p.flush()
  return out
}

/** The same call with its 4-byte frame length (a TCP frame). */
export function frame(body: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeInt32BE(body.length)
  return Buffer.concat([len, body])
}

export type Value = string | number | boolean | bigint | Value[] | Map<Value, Value> | Struct
export interface Struct {
  [id: number]: Value
}

function readOther(p: any, type: number): Value {
  switch (type) {
    case T.BOOL:
      return p.readBool()
    case T.BYTE:
      return p.readByte()
    case T.I16:
      return p.readI16()
    case T.I32:
      return p.readI32()
    case T.STRUCT:
      return readStruct(p)
    case T.LIST:
    case T.SET: {
      const { etype, size } = type === T.LIST ? p.readListBegin() : p.readSetBegin()
      const out: Value[] = []
      for (let i = 0; i < size; i++) out.push(read(p, etype))
      return out
    }
    case T.MAP: {
      const { ktype, vtype, size } = p.readMapBegin()
      const m = new Map<Value, Value>()
      for (let i = 0; i < size; i++) m.set(read(p, ktype), read(p, vtype))
      return m
    }
    default:
      throw new Error(`type ${type} not read by this helper`)
  }
}

function read(p: any, type: number): Value {
  if (type === T.I64) return Number(p.readI64().toNumber(true))
  if (type === T.STRING) return p.readString()
  return readOther(p, type)
}

function readStruct(p: any): Struct {
  const s: Struct = {}
  p.readStructBegin()
  for (;;) {
    const f = p.readFieldBegin()
    if (f.ftype === T.STOP) break
    s[f.fid] = read(p, f.ftype)
    p.readFieldEnd()
  }
  p.readStructEnd()
  return s
}

export interface Reply {
  name: string
  type: number
  seqid: number
  /** The result struct (field 0 the success, 1 the declared exception), or the TApplicationException's (1 message, 2 type). */
  body: Struct
}

/** Reads one unframed reply. */
export function decodeReply(buf: Buffer): Reply {
  const p = new thrift.TBinaryProtocol(new thrift.TFramedTransport(buf))
  const m = p.readMessageBegin()
  return { name: m.fname, type: m.mtype, seqid: m.rseqid, body: readStruct(p) }
}
