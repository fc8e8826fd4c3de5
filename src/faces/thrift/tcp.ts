/**
 * Seed 001's Thrift service on a TCP port of its own (`clientele serve --thrift-port N`):
 * framed transport, binary protocol, the same calls and operations as `POST /thrift/customer`.
 *
 * A connection has no HTTP headers, so its first call is `Session.authenticate(authorization)`
 * with what would be an `Authorization` header (`Basic …` or `Bearer clt_…`). The value is kept
 * for the connection and checked again, by the same authenticator as HTTP's (its throttle, its
 * key ACLs against the peer's address, its cache of verified passwords), on every call, so a
 * revoked key or a changed password stops the connection's next call. Failed authentication
 * answers a TApplicationException and closes the connection.
 *
 * Limits, each closing only the connection that breaks it:
 * * a frame longer than `maxFrameBytes` is refused from its 4-byte length, before it is read;
 * * until `Session.authenticate` has succeeded, a connection may send at most
 *   `PREAUTH_BYTES` (16 KiB: the longest authenticate call, 4,096 characters of credentials in
 *   UTF-8, fits), and a frame claiming more is refused from its length. A peer without
 *   credentials makes the port hold at most one socket read (64 KiB), not a whole
 *   `maxFrameBytes` frame: 111 unauthenticated connections sending 800 KB frames at once grew
 *   the process by 39–66 MB of RSS when each was read whole (issue 15), and the memory stayed
 *   with the process after they closed. A client may pipeline small calls behind its
 *   authenticate call, within those 16 KiB;
 * * sizes inside a frame are bounded before allocation (protocol.ts);
 * * a connection idle for `idleMs`, or a frame not complete `frameMs` after its first byte
 *   (a trickle), is closed;
 * * calls on one connection run one at a time (the socket is paused meanwhile), at most
 *   `maxConnections` connections are open;
 * * every server and socket has an `error` listener.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { Authenticator } from '../../auth/authenticator.js'
import type { Actor, Deps } from '../../ops/context.js'
import { messageRunner } from './call.js'
import { DEFAULT_LIMITS, framedWriter, type ThriftLimits } from './protocol.js'

export interface ThriftTcpOptions {
  host?: string
  port: number
  limits?: ThriftLimits
  idleMs?: number
  frameMs?: number
  maxConnections?: number
}

export const TCP_DEFAULTS = { idleMs: 120_000, frameMs: 10_000, maxConnections: 1000 }

/**
 * What a connection may send before its `Session.authenticate` succeeds: the call's frame is
 * 4 + 24 + 7 + 4 + the authorization's UTF-8 bytes (at most 4,096 characters, so 12,288 bytes).
 */
export const PREAUTH_BYTES = 16 * 1024

/** The running port. */
export interface ThriftTcp {
  server: Server
  /** The port it listens on (the one picked, when asked for 0). */
  port: number
  /** Stops listening and closes every open connection. */
  close(): Promise<void>
}

/** Starts the TCP port; resolves once it listens. */
export async function startThriftTcp(deps: Deps, auth: Authenticator, opts: ThriftTcpOptions): Promise<ThriftTcp> {
  const limits = opts.limits ?? DEFAULT_LIMITS
  const idleMs = opts.idleMs ?? TCP_DEFAULTS.idleMs
  const frameMs = opts.frameMs ?? TCP_DEFAULTS.frameMs
  const runner = messageRunner(deps, limits)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    serve(socket)
  })
  server.maxConnections = opts.maxConnections ?? TCP_DEFAULTS.maxConnections
  server.on('error', (err) => deps.log.error({ err }, 'thrift port error'))

  function serve(socket: Socket): void {
    const peer = socket.remoteAddress ?? ''
    let authorization: string | undefined
    const queue: Buffer[] = []
    let busy = false
    /** What was read and not yet cut into frames (a frame in progress), and its length. */
    let chunks: Buffer[] = []
    let buffered = 0
    /** Bytes read before authentication succeeded (at most PREAUTH_BYTES). */
    let unauthenticatedBytes = 0
    let frameTimer: NodeJS.Timeout | undefined
    const release = () => {
      clearTimeout(frameTimer)
      chunks = []
      buffered = 0
      queue.length = 0
    }
    const close = () => {
      release()
      socket.destroy()
    }
    socket.on('error', () => close())
    socket.on('close', release)
    socket.setNoDelay(true)
    socket.setTimeout(idleMs, close)

    const actorFor = async (): Promise<Actor | null> => (authorization === undefined ? null : auth.authenticate({ authorization, ip: peer }))
    const authenticate = async (value: string) => {
      if (!/^(Basic|Bearer) \S{1,4096}$/.test(value)) throw new Error('give "Basic base64(user:password)" or "Bearer <key>"')
      await auth.authenticate({ authorization: value, ip: peer })
      authorization = value
    }

    async function next(): Promise<void> {
      if (busy) return
      busy = true
      socket.pause()
      try {
        let frame: Buffer | undefined
        while ((frame = queue.shift()) !== undefined && !socket.destroyed) {
          let actor: Actor | null = null
          let refused = false
          try {
            actor = await actorFor()
          } catch {
            // Credentials that stopped working (a revoked key, a changed password): answered
            // as a call without credentials, and the connection closed.
            authorization = undefined
            refused = true
          }
          const outcome = await runner.run(frame, actor, framedWriter, authenticate)
          if (socket.destroyed) return
          socket.write(outcome.out)
          if (outcome.authFailed || refused) {
            release()
            socket.end()
            return
          }
        }
      } catch {
        // The peer's bytes were not a message we read (or its answer could not be made).
        close()
        return
      } finally {
        busy = false
      }
      if (!socket.destroyed) socket.resume()
    }

    /**
     * Cuts the whole frames out of what was read into `queue`. False when a frame claims more
     * than this connection may send now: it is refused from its 4-byte length, unread.
     */
    function cut(): boolean {
      while (buffered >= 4) {
        if (chunks[0]!.length < 4) chunks = [Buffer.concat(chunks, buffered)]
        const size = chunks[0]!.readInt32BE(0)
        const max = authorization === undefined ? Math.min(PREAUTH_BYTES - 4, limits.maxFrameBytes) : limits.maxFrameBytes
        if (size < 0 || size > max) return false
        if (buffered < 4 + size) return true
        const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered)
        queue.push(all.subarray(4, 4 + size))
        const rest = all.subarray(4 + size)
        chunks = rest.length > 0 ? [rest] : []
        buffered = rest.length
      }
      return true
    }

    socket.on('data', (data: Buffer) => {
      if (authorization === undefined && (unauthenticatedBytes += data.length) > PREAUTH_BYTES) return close()
      chunks.push(data)
      buffered += data.length
      if (!cut()) return close()
      if (queue.length > 64) return close()
      // A frame begun but not complete must complete within frameMs.
      if (buffered > 0) frameTimer ??= setTimeout(close, frameMs)
      else {
        clearTimeout(frameTimer)
        frameTimer = undefined
      }
      void next()
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}
