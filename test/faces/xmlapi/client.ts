/**
 * A seed 004 XML action API client for face tests over real HTTP: post a document, require
 * success or the seed's error code, parse answers, wait for provisioning, and read the request
 * children of a SET.
 */
import assert from 'node:assert/strict'
import { XMLParser } from 'fast-xml-parser'
import type { Answer, TestServer } from '../../helpers/harness.js'

export const PATH = '/cortexapi/default.aspx'
export const DECL = '<?xml version="1.0" encoding="utf-8"?>'

/** Elements that may repeat, parsed as arrays wherever they are. */
const REPEATED = ['customer', 'user', 'service', 'property', 'distributiongroup', 'contact', 'member', 'owner', 'sendasmember', 'sendrestrictionacceptedmember', 'sendrestrictionrejectedmember', 'emailaddress']
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (n) => REPEATED.includes(n) })

/** A request document. */
export const doc = (action: string, inner: string): string => `${DECL}<request version="1.0" action="${action}">${inner}</request>`

/** A GET answer turned into the SET document that gives it back. */
export const asSet = (text: string): string => text.replace(/<response version="1.0">/, '<request version="1.0" action="SET">').replace(/<\/response>$/, '</request>')

export interface XmlReply {
  status: number
  text: string
  doc: any
}

export function xmlClient(server: () => TestServer) {
  const c = {
    async post(body: string, auth?: [string, string]): Promise<XmlReply> {
      const r = await server().req('POST', PATH, { raw: body, headers: { 'content-type': 'text/xml' }, ...(auth && { auth }) })
      assert.match(r.headers.get('content-type') ?? '', /^text\/xml/, r.text)
      return { status: r.status, text: r.text, doc: parser.parse(r.text).response }
    },
    /** Posts and requires success; answers the parsed `<response>`. */
    async ok(body: string, auth?: [string, string]): Promise<any> {
      const r = await c.post(body, auth)
      assert.equal(r.status, 200, `${r.text}\nfor ${body}`)
      return r.doc
    },
    /** Posts and requires the seed's error `code` (HTTP 400 unless said); answers the message. */
    async fails(body: string, code: number, http = 400, auth?: [string, string]): Promise<string> {
      const r = await c.post(body, auth)
      assert.equal(r.status, http, `${r.text}\nfor ${body}`)
      assert.equal(r.doc.error?.id, String(code), `${r.text}\nfor ${body}`)
      return r.doc.error.message
    },
    /** The operations a SET's answered request ran: itself, or its children when it is a batch. */
    async operations(answer: any): Promise<string[]> {
      const id = answer.request.id
      const job = await server().req('GET', `/jobs/${id}`)
      assert.equal(job.status, 200, job.text)
      if (job.body.operation !== 'request.batch') return [job.body.operation]
      return (await server().req('GET', `/jobs?parent=${id}`)).body.items.map((j: any) => j.operation)
    },
    /** Waits until the REST resource at `path` answers `status` `want`. */
    async until(path: string, want: string): Promise<Answer> {
      const t0 = Date.now()
      for (;;) {
        const r = await server().req('GET', path)
        if (r.body?.status === want) return r
        if (Date.now() - t0 > 15_000) assert.fail(`${path} stayed ${r.body?.status} (${r.text}), wanted ${want}`)
        await new Promise((res) => setTimeout(res, 20))
      }
    },
  }
  return c
}

/** The worker settings that make provisioning quick in tests. */
export const QUICK_WORKER = { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 } }
