/**
 * A provisioning endpoint on loopback for the webhook driver's tests: checks each delivery's
 * signature, treats the job guid as an idempotency key, and answers as the path it was
 * configured with says (`/ok`, `/flaky`, `/slow`, `/slowish`, `/long`, `/accept`, `/hang`,
 * `/reject`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verify } from '../../src/jobs/signing.js'

export interface Delivery {
  path: string
  jobGuid: string
  requestGuid: string
  attempt: number
  signed: boolean
  at: number
  /** The whole request body as sent (the provisioning request: subject, action, payload, …). */
  body: Record<string, unknown>
}

export interface Receiver {
  base: string
  deliveries: Delivery[]
  /** Job guids answered with success the first time they were seen (each must be there once). */
  acknowledgedNew: string[]
  /** Guids seen while a delivery of the same guid was still being handled (must stay empty). */
  overlaps: string[]
  /** Ms each answer of `/slowish` waits. */
  slowishMs: number
  /**
   * Ms each answer of `/long` waits. A `/long` delivery whose client hangs up first is
   * abandoned, not acknowledged (a receiver that does the work only for an answer it can send).
   */
  longMs: number
  /** Job guids of `/long` deliveries abandoned because the client hung up. */
  abandoned: string[]
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (text += c))
    req.on('end', () => resolve(text))
    req.on('error', reject)
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function startReceiver(secret: string): Promise<Receiver> {
  const seen = new Set<string>()
  const inFlight = new Set<string>()
  const perGuidCalls = new Map<string, number>()
  const r: Receiver = { base: '', deliveries: [], acknowledgedNew: [], overlaps: [], slowishMs: 100, longMs: 5000, abandoned: [], close: async () => {} }
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    const parsed = JSON.parse(body) as { jobGuid: string; requestGuid: string; attempt: number } & Record<string, unknown>
    const signed = verify(secret, req.headers['x-clientele-timestamp'] as string, req.headers['x-clientele-signature'] as string, body, Date.now())
    const path = req.url ?? '/'
    r.deliveries.push({ path, jobGuid: parsed.jobGuid, requestGuid: parsed.requestGuid, attempt: parsed.attempt, signed, at: Date.now(), body: parsed })
    const calls = (perGuidCalls.get(parsed.jobGuid) ?? 0) + 1
    perGuidCalls.set(parsed.jobGuid, calls)
    if (inFlight.has(parsed.jobGuid)) r.overlaps.push(parsed.jobGuid)
    inFlight.add(parsed.jobGuid)
    const answer = (status: number, json?: unknown) => {
      inFlight.delete(parsed.jobGuid)
      if (status >= 200 && status < 300 && status !== 202 && !seen.has(parsed.jobGuid)) {
        seen.add(parsed.jobGuid)
        r.acknowledgedNew.push(parsed.jobGuid)
      }
      if (res.destroyed) return
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(json === undefined ? '' : JSON.stringify(json))
    }
    if (!signed) return answer(401, { error: 'bad signature' })
    switch (path) {
      case '/ok':
        return answer(200, { provisioned: parsed.jobGuid })
      case '/flaky':
        return calls === 1 ? answer(500, { error: 'try again' }) : answer(200, { provisioned: parsed.jobGuid, calls })
      case '/slow':
        if (calls === 1) await sleep(1000)
        return answer(200, { provisioned: parsed.jobGuid, calls })
      case '/slowish':
        await sleep(r.slowishMs)
        return answer(200, { provisioned: parsed.jobGuid, repeated: seen.has(parsed.jobGuid) })
      case '/long': {
        const gone = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), r.longMs)
          res.once('close', () => {
            clearTimeout(t)
            resolve(!res.writableFinished)
          })
        })
        if (gone) {
          inFlight.delete(parsed.jobGuid)
          r.abandoned.push(parsed.jobGuid)
          return
        }
        return answer(200, { provisioned: parsed.jobGuid, calls })
      }
      case '/accept':
        return answer(202)
      case '/hang':
        await sleep(5000)
        return answer(200, {})
      case '/reject':
        return answer(422, { error: 'no such plan' })
      case '/moved':
        if (res.destroyed) return
        res.writeHead(307, { location: '/ok' })
        return res.end()
      default:
        return answer(404)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  r.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return r
}
