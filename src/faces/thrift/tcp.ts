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
import { DEFAULT_LIMITS, frameReceiver, framedWriter, type ThriftLimits } from './protocol.js'

export interface ThriftTcpOptions {
  host?: string
  port: number
  limits?: ThriftLimits
  idleMs?: number
  frameMs?: number
  maxConnections?: number
}

export const TCP_DEFAULTS = { idleMs: 120_000, frameMs: 10_000, maxConnections: 1000 }

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
    let received = 0
    let consumed = 0
    let frameTimer: NodeJS.Timeout | undefined
    const close = () => {
      clearTimeout(frameTimer)
      socket.destroy()
    }
    socket.on('error', () => close())
    socket.on('close', () => clearTimeout(frameTimer))
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

    const receive = frameReceiver((frame) => {
      consumed += 4 + frame.length
      queue.push(frame)
    }, limits.maxFrameBytes)

    socket.on('data', (data: Buffer) => {
      received += data.length
      try {
        receive(data)
      } catch {
        close() // a frame longer than the limit, refused from its length alone
        return
      }
      if (queue.length > 64) return close()
      // A frame begun but not complete must complete within frameMs.
      if (received > consumed) frameTimer ??= setTimeout(close, frameMs)
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
