/**
 * Canary secrets sent through every face, on success and error paths, appear nowhere they
 * could leak: not in the HTTP log (every request logged, at trace level), not in the core's log,
 * not in any answer or fault (but the one answer that creates an API key shows its secret,
 * once), and not in any request's recorded log. Faces: REST (login, Basic, members, PIN,
 * registrar), XML-RPC (Basic), seed 004's XML action API (`<password>`), Thrift over HTTP
 * (changePassword, changePIN).
 */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { after, before, it } from 'node:test'
import { basic, eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'
import { encodeCall, T } from '../../helpers/thrift-wire.js'

const C = {
  login: 'CanaryLogin-8c1f2e7a',
  member: 'CanaryMember-4d9b3f10',
  xml: 'CanaryXml-7e2a5c91',
  thrift: 'CanaryThrift-19ab7d3c',
  pin: '73915824',
  registrar: 'CanaryRegistrar-5f0e2b6d',
  wrong: 'CanaryWrong-2b8e4a17',
  badPin: '12x-CanaryPin-6c3d',
}

eachDialect('secrets never reach a log, an answer or a request log', (dialect) => {
  let s: TestServer
  const lines: string[] = []
  const answers: string[] = []
  const p = people(() => s)
  const capture = (level: string) => (o: object | string, m?: string) => lines.push(`${level} ${inspect(o, { depth: 8 })} ${m ?? ''}`)
  before(async () => {
    s = await startServer(
      dialect,
      { logLevel: 'trace', logRequests: true, logStream: { write: (l: string) => void lines.push(l) } },
      { logger: { info: capture('info'), warn: capture('warn'), error: capture('error') } },
    )
  })
  after(() => s?.close())

  /** Sends a request and keeps its answer's text for the scan. */
  async function send(path: string, init: RequestInit): Promise<{ status: number; text: string }> {
    const r = await fetch(s.base + path, init)
    const text = Buffer.from(await r.arrayBuffer()).toString('latin1')
    answers.push(`${r.status} ${path} ${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('; ')} ${text}`)
    return { status: r.status, text }
  }
  const json = (auth: string | null, body?: unknown): RequestInit => ({
    headers: { ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const admin = basic('admin', 'admin-password-for-tests')

  it('sends the canaries through every face, then finds none of them anywhere', async () => {
    const org = await p.customer('Canary Logs Co')
    // REST: a member with a canary password (success), the same name again (error, the body carries the password).
    assert.equal((await send(`/orgs/${org}/members`, { method: 'POST', ...json(admin, { username: 'canary-logs', password: C.member, role: 'owner' }) })).status, 201)
    assert.equal((await send(`/orgs/${org}/members`, { method: 'POST', ...json(admin, { username: 'canary-logs', password: C.member, role: 'owner' }) })).status, 409)
    // Login: right and wrong; Basic with a wrong password.
    assert.equal((await send('/login', { method: 'POST', ...json(null, { username: 'canary-logs', password: C.member }) })).status, 200)
    assert.equal((await send('/login', { method: 'POST', ...json(null, { username: 'canary-logs', password: C.wrong }) })).status, 401)
    assert.equal((await send(`/orgs/${org}`, { method: 'GET', ...json(basic('canary-logs', C.wrong)) })).status, 401)
    // PIN: set, and a malformed one refused.
    assert.equal((await send(`/orgs/${org}/pin`, { method: 'PUT', ...json(admin, { pin: C.pin }) })).status, 204)
    assert.equal((await send(`/orgs/${org}/pin`, { method: 'PUT', ...json(admin, { pin: C.badPin }) })).status, 400)
    // Registrar secret: accepted, and with a bad URL refused.
    assert.ok([200, 201].includes((await send('/registrars/canary', { method: 'PUT', ...json(admin, { driver: 'webhook', url: 'https://registrar.example/api', secret: C.registrar }) })).status))
    assert.equal((await send('/registrars/canary2', { method: 'PUT', ...json(admin, { driver: 'webhook', url: 'not a url', secret: C.registrar }) })).status, 400)
    // An API key: its secret answered once (that answer is not scanned), then a wrong one.
    const key = await s.req('POST', `/orgs/${org}/api-keys`, { body: { role: 'member' } })
    assert.equal(key.status, 201)
    const secret = key.body.secret as string
    assert.equal((await send(`/orgs/${org}`, { method: 'GET', ...json(`Bearer ${secret}`) })).status, 200)
    assert.equal((await send(`/orgs/${org}`, { method: 'GET', ...json(`Bearer ${secret.slice(0, -4)}AAAA`) })).status, 401)
    // XML-RPC with the wrong password.
    const rpc = `<?xml version="1.0"?><methodCall><methodName>cloud_api_customer.list</methodName><params><param><value><string>${org}</string></value></param></params></methodCall>`
    assert.equal((await send('/appserver/xmlrpc', { method: 'POST', headers: { authorization: basic('canary-logs', C.wrong), 'content-type': 'text/xml' }, body: rpc })).status, 401)
    // Seed 004's XML action API: a user with a canary password, and a SET refused for another field.
    const code = (await s.req('GET', `/orgs/${org}`)).body.code as string
    const xml = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><request action="SET" version="1.0"><customer><name>${code}</name>${inner}</customer></request>`
    const made = await send('/cortexapi/default.aspx', { method: 'POST', headers: { authorization: admin, 'content-type': 'text/xml' }, body: xml(`<user><name>xmlcanary</name><password><password>${C.xml}</password></password></user>`) })
    assert.equal(made.status, 200, made.text)
    const refused = await send('/cortexapi/default.aspx', { method: 'POST', headers: { authorization: admin, 'content-type': 'text/xml' }, body: xml(`<user><name>xmlcanary</name><password><password>${C.xml}</password><expires>someday</expires></password></user>`) })
    assert.equal(refused.status, 400, refused.text)
    // Thrift over HTTP: changePassword, changePIN, and a malformed PIN refused.
    const thrift = (name: string, ...strings: string[]) =>
      send('/thrift/customer', { method: 'POST', headers: { authorization: admin, 'content-type': 'application/x-thrift' }, body: encodeCall(name, strings.map((v, i) => [i + 1, T.STRING, v])) })
    assert.equal((await thrift('changePassword', org, C.thrift)).status, 200)
    assert.equal((await thrift('changePIN', org, C.pin)).status, 200)
    assert.equal((await thrift('changePIN', org, C.badPin)).status, 200)
    assert.equal((await send(`/orgs/${org}`, { method: 'GET', ...json(basic('canary-logs', C.thrift)) })).status, 200, 'the Thrift password took')

    // Every request recorded, with its log.
    const recent = await s.req('GET', '/jobs?limit=1000')
    assert.equal(recent.status, 200, recent.text)
    const requestLogs: string[] = [JSON.stringify(recent.body)]
    for (const r of recent.body.items as { guid: string }[]) requestLogs.push(JSON.stringify((await s.req('GET', `/jobs/${r.guid}/log`)).body))
    assert.ok(requestLogs.length > 5, 'requests were recorded')
    assert.ok(lines.length > 20, 'the log was captured')

    const places = { log: lines.join('\n'), answers: answers.join('\n'), 'request logs': requestLogs.join('\n') }
    // The scan reads what was said: every request is in the log, the usernames in the answers.
    for (const path of ['/thrift/customer', '/cortexapi/default.aspx', '/appserver/xmlrpc', '/login', '/registrars/canary2']) assert.ok(places.log.includes(path), `the log has ${path}`)
    assert.ok(places['request logs'].includes('user.create') && places['request logs'].includes('customer.password.change'), 'the request logs hold the calls')
    const canaries: [string, string][] = [...Object.entries(C), ['API key secret', secret], ['API key secret part', secret.slice('clt_'.length + 17)]]
    for (const [name, value] of canaries) {
      for (const [where, text] of Object.entries(places)) assert.equal(text.includes(value), false, `the ${name} canary is in the ${where}`)
    }
  })
})
