/**
 * The XML action API's part of the isolation matrix: the entities and their actions are the
 * face's table (`ENTITIES` in src/faces/xmlapi/entities.ts, each handler's find/get/set/delete);
 * each (entity, action) has a document here naming the relation's object, and an entity or
 * action without one fails the matrix naming it.
 */
import assert from 'node:assert/strict'
import type { TestServer } from '../helpers/harness.js'
import { ENTITIES } from '../../src/faces/xmlapi/entities.js'
import { normalise, type Outcome } from './isolation-rpc-oracle.js'

let uniq = 0

export const ACTIONS = ['find', 'get', 'set', 'delete'] as const
export type Action = (typeof ACTIONS)[number]

/** Every (entity, action) the face serves. */
export function xmlapiCalls(): { entity: string; action: Action }[] {
  const out: { entity: string; action: Action }[] = []
  for (const [entity, h] of ENTITIES) {
    if ('pending' in h) continue
    for (const action of ACTIONS) if (typeof (h as Record<string, unknown>)[action] === 'function') out.push({ entity, action })
  }
  return out
}

/** What a relation's organisation offers the documents. */
export interface XmlApiObjects {
  /** The customer's short code (`name`) and integer `id`. */
  code: string
  number: string
  /** A user of the organisation (its owner). */
  username: string
  /** The integer id of a request about the organisation. */
  request: string
}

/**
 * The documents of one (entity, action) for the relation's objects; `undefined` means the
 * entity names no organisation (one call per actor, judged for foreign data only).
 */
export function xmlapiDocuments(entity: string, action: Action, o: XmlApiObjects | undefined): { label: string; body: string; named: string[] }[] {
  const doc = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><request version="1.0" action="${action.toUpperCase()}">${inner}</request>`
  if (entity === 'customer') {
    if (o === undefined) return []
    const named = [o.code, o.number, o.username]
    if (action === 'find') return [{ label: 'customer FIND by name', body: doc(`<customer><name>${o.code}</name></customer>`), named }]
    if (action === 'get') {
      return [
        { label: 'customer GET by id', body: doc(`<customer><id>${o.number}</id></customer>`), named },
        { label: 'customer GET by name', body: doc(`<customer><name>${o.code}</name></customer>`), named },
        { label: 'customer GET user', body: doc(`<customer><id>${o.number}</id><user><name>${o.username}</name></user></customer>`), named },
      ]
    }
    if (action === 'set') {
      return [
        { label: 'customer SET by id', body: doc(`<customer><id>${o.number}</id><description>isolation matrix ${++uniq}</description></customer>`), named },
        { label: 'customer SET user', body: doc(`<customer><id>${o.number}</id><user><name>${o.username}</name><firstname>Iso${++uniq}</firstname></user></customer>`), named },
      ]
    }
    return [{ label: 'customer DELETE by id', body: doc(`<customer><id>${o.number}</id></customer>`), named }]
  }
  if (entity === 'request') return o === undefined ? [] : [{ label: 'request GET by id', body: doc(`<request><id>${o.request}</id></request>`), named: [o.request] }]
  // Entities that name no organisation: the caller's own view.
  if (o !== undefined) return []
  if (entity === 'location' || entity === 'identity' || entity === 'global' || entity === 'report' || entity === 'approval') {
    const inner = entity === 'approval' ? '<approval><id>00000000-0000-4000-8000-000000000000</id></approval>' : entity === 'report' && action === 'get' ? '' : `<${entity}/>`
    return inner === '' ? [] : [{ label: `${entity} ${action.toUpperCase()}`, body: doc(inner), named: [] }]
  }
  throw new Error(`the XML action API's entity <${entity}> (${action}) has no document in the isolation matrix`)
}

/** The entities whose documents name an organisation's object. */
export const XMLAPI_ORG_ENTITIES = new Set(['customer', 'request'])

export async function xmlapiCall(s: TestServer, authorization: string, body: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${s.base}/cortexapi/default.aspx`, { method: 'POST', headers: { 'content-type': 'text/xml', authorization }, body })
  return { status: r.status, text: await r.text() }
}

/** An answer as an Outcome: `ok`, or the seed's error number with the HTTP status and message. */
export function xmlapiOutcome(r: { status: number; text: string }, ids: readonly string[]): Outcome {
  assert.ok(r.status < 500, `the XML action API answered ${r.status}: ${r.text}`)
  const m = /<error>\s*<id>(\d+)<\/id>\s*<message>([\s\S]*?)<\/message>/.exec(r.text)
  if (!m) return { kind: 'ok', shape: `ok:${r.status}:${normalise(r.text.replace(/<id>\d+<\/id>/g, '<id>n</id>'), ids)}`, raw: r.text }
  return { kind: m[1]!, shape: `${r.status}:${m[1]}:${normalise(m[2]!, ids)}`, raw: r.text }
}

/** The report definitions FIND answers, for GET of each. */
export function reportNames(findText: string): string[] {
  return [...findText.matchAll(/<report>\s*<name>([^<]+)<\/name>/g)].map((m) => m[1]!)
}
