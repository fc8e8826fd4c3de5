/**
 * Seed 003's password recovery held to Enhance's published OpenAPI document, on both databases,
 * with the mail outbox behind it: an unknown address gets the same answer as a known one; the
 * mailed link works once, expires, and dies when the password changes; the old password and
 * the sessions end with it; secrets never appear in logs or in the outbox listing; starts are
 * throttled. Mail is read from the outbox through the store (no SMTP server needed), and a
 * small SMTP listener in this process shows delivery and its retries.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { conformanceCaller } from '../../helpers/enhance.js'
import { COVERED } from '../../helpers/enhance-coverage.js'
import { mailBodyAad } from '../../../src/core/mail.js'

/** A logger that keeps every line, to show that no secret is ever logged. */
function capturingLogger() {
  const lines: string[] = []
  const keep = (obj: unknown, msg?: string) => lines.push(JSON.stringify(obj, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)) + (msg ?? ''))
  return { lines, logger: { info: keep, warn: keep, error: keep } }
}

/** The messages of the outbox, newest last, with their bodies opened (as only the worker does). */
async function outbox(s: TestServer) {
  const rows = await s.deps.store.db.selectFrom('mail_outbox').selectAll().orderBy('id').execute()
  return rows.map((r) => ({ ...r, text: String(s.deps.secrets.open(r.body, mailBodyAad(r.guid))) }))
}

const secretOf = (text: string) => /secret=([0-9a-f-]{36})/.exec(text)![1]!

eachDialect("seed 003's password recovery against Enhance's OpenAPI document", (dialect) => {
  let s: TestServer
  let skew = 0
  const log = capturingLogger()
  const checked = new Set<string>()
  const call = conformanceCaller(() => s, checked)
  const seen: string[] = []
  let org: string

  before(async () => {
    s = await startServer(dialect, { worker: false }, { logger: log.logger, clock: () => Date.now() + skew })
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Recovery Customer' } })
    org = r.body.id
    for (const [username, email] of [['rita', 'Rita@Example.com'], ['otto', 'otto@example.com']]) {
      const u = await s.req('POST', `/orgs/${org}/members`, { body: { username, password: `${username}-old-password`, role: 'owner', email } })
      assert.equal(u.status, 201, u.text)
    }
  })
  after(() => s.close())

  async function login(email: string, password: string) {
    return s.req('POST', '/login/sessions', { auth: null, body: { email, password } })
  }

  async function start(email: string, query = '') {
    return call('PUT', '/login/password-recovery', `/login/password-recovery${query}`, { auth: null, body: { email } }, 200)
  }

  it('an unknown address and a known one get the same answer; only the known one is mailed, held in the outbox', async () => {
    const unknown = await start('nobody@example.com')
    const known = await start('rita@example.com')
    assert.deepEqual([unknown.status, unknown.text, known.status, known.text], [200, '', 200, ''])
    const mail = await outbox(s)
    assert.equal(mail.length, 1)
    assert.deepEqual([mail[0]!.recipient, mail[0]!.state, mail[0]!.request_id], ['Rita@Example.com', 'held', null])
    assert.ok(mail[0]!.body.startsWith('sealed:v1:'), 'the body is sealed at rest')
    const secret = secretOf(mail[0]!.text)
    seen.push(secret)
    assert.ok(!mail[0]!.body.includes(secret) && !mail[0]!.subject.includes(secret))
    assert.match(mail[0]!.text, /rita/)
    // Another organisation's realm names nobody.
    await start('rita@example.com', `?realmId=${s.masterId}`)
    assert.equal((await outbox(s)).length, 1)
    await start('rita@example.com', `?realmId=${org}`)
    assert.equal((await outbox(s)).length, 2)
    seen.push(secretOf((await outbox(s))[1]!.text))
    await call('PUT', '/login/password-recovery', '/login/password-recovery', { auth: null, body: { email: 'not an address' } }, 400, 'invalid')
    await call('PUT', '/login/password-recovery', '/login/password-recovery', { auth: null, body: {} }, 400, 'invalid')
  })

  it("the outbox is read by the master organisation's admins only, never with a body", async () => {
    const list = await s.req('GET', '/mail/outbox')
    assert.equal(list.status, 200, list.text)
    assert.ok(list.body.total >= 2)
    assert.deepEqual(Object.keys(list.body.items[0]).sort(), ['attempts', 'createdAt', 'failedAt', 'id', 'lastError', 'sentAt', 'state', 'subject', 'to'])
    assert.equal(list.body.items[0].state, 'held')
    for (const secret of seen) assert.ok(!list.text.includes(secret))
    assert.ok(!list.text.includes('secret='))
    assert.equal((await s.req('GET', '/mail/outbox?state=sent')).body.total, 0)
    // A customer's owner, and the master organisation's support, do not see it.
    assert.equal((await s.req('GET', '/mail/outbox', { auth: ['rita', 'rita-old-password'] })).status, 404)
    const sup = await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username: 'mail-support', password: 'mail-support-password', role: 'support' } })
    assert.equal(sup.status, 201, sup.text)
    assert.equal((await s.req('GET', '/mail/outbox', { auth: ['mail-support', 'mail-support-password'] })).status, 404)
    assert.equal((await s.req('GET', '/mail/outbox', { auth: null })).status, 401)
  })

  it('the link validates, sets the password once (of two concurrent finishes one wins), and ends the old password and sessions', async () => {
    const session = await login('rita@example.com', 'rita-old-password')
    assert.equal(session.status, 200, session.text)
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!
    assert.equal((await s.req('GET', '/login', { auth: null, headers: { cookie } })).status, 200)

    const secret = seen[1]!
    const v = await call('POST', '/login/password-recovery/validate', `/login/password-recovery/validate?secret=${secret}`, { auth: null }, 200)
    assert.equal(v.body.obfuscatedEmail, 'R***@example.com')
    await call('POST', '/login/password-recovery/validate', '/login/password-recovery/validate?secret=00000000-0000-4000-8000-000000000000', { auth: null }, 400)
    await call('POST', '/login/password-recovery/validate', '/login/password-recovery/validate?secret=not-a-uuid', { auth: null }, 400)
    // A password the rule refuses changes nothing; the link still works.
    await call('POST', '/login/password-recovery', `/login/password-recovery?secret=${secret}`, { auth: null, body: { newPassword: 'short' } }, 400)
    await call('POST', '/login/password-recovery', `/login/password-recovery?secret=${secret}`, { auth: null, body: {} }, 400, 'invalid')
    await call('POST', '/login/password-recovery/validate', `/login/password-recovery/validate?secret=${secret}`, { auth: null }, 200)

    const both = await Promise.all(
      ['rita-new-password-1', 'rita-new-password-2'].map((newPassword) => s.req('POST', `/login/password-recovery?secret=${secret}`, { auth: null, body: { newPassword } })),
    )
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 400], both.map((r) => r.text).join(' | '))
    const won = both[0]!.status === 200 ? 'rita-new-password-1' : 'rita-new-password-2'
    await call('POST', '/login/password-recovery', `/login/password-recovery?secret=${secret}`, { auth: null, body: { newPassword: 'rita-third-password' } }, 400)
    await call('POST', '/login/password-recovery/validate', `/login/password-recovery/validate?secret=${secret}`, { auth: null }, 400)

    assert.equal((await login('rita@example.com', 'rita-old-password')).status, 401)
    assert.equal((await s.req('GET', '/login', { auth: ['rita', 'rita-old-password'] })).status, 401)
    assert.equal((await s.req('GET', '/login', { auth: null, headers: { cookie } })).status, 401, 'the old session ended')
    assert.equal((await login('rita@example.com', won)).status, 200)
    // The earlier link was bound to the old password: it died with it.
    await call('POST', '/login/password-recovery/validate', `/login/password-recovery/validate?secret=${seen[0]}`, { auth: null }, 400)
    seen.push(won)
  })

  it('a link dies when the password is changed otherwise, and expires after an hour', async () => {
    await start('otto@example.com')
    const first = secretOf((await outbox(s)).at(-1)!.text)
    seen.push(first)
    const changed = await s.req('PATCH', '/login', { auth: ['otto', 'otto-old-password'], body: { password: 'otto-new-password', currentPassword: 'otto-old-password' } })
    assert.equal(changed.status, 200, changed.text)
    await call('POST', '/login/password-recovery', `/login/password-recovery?secret=${first}`, { auth: null, body: { newPassword: 'otto-hijack-password' } }, 400)

    await start('otto@example.com')
    const second = secretOf((await outbox(s)).at(-1)!.text)
    seen.push(second)
    skew = 59 * 60_000
    await call('POST', '/login/password-recovery/validate', `/login/password-recovery/validate?secret=${second}`, { auth: null }, 200)
    skew = 61 * 60_000
    await call('POST', '/login/password-recovery/validate', `/login/password-recovery/validate?secret=${second}`, { auth: null }, 400)
    await call('POST', '/login/password-recovery', `/login/password-recovery?secret=${second}`, { auth: null, body: { newPassword: 'otto-late-password' } }, 400)
    skew = 0
    assert.equal((await s.req('GET', '/login', { auth: ['otto', 'otto-new-password'] })).status, 200)
  })

  it('starts are throttled per address and source, known address or not', async () => {
    const u = await s.req('POST', `/orgs/${org}/members`, { body: { username: 'tess', password: 'tess-old-password', role: 'member', email: 'tess@example.com' } })
    assert.equal(u.status, 201, u.text)
    for (const email of ['nobody-else@example.com', 'tess@example.com']) {
      for (let i = 0; i < 3; i++) await start(email)
      const r = await s.req('PUT', '/login/password-recovery', { auth: null, body: { email } })
      assert.equal(r.status, 429, r.text)
      assert.ok(Number(r.headers.get('retry-after')) > 0)
    }
    // Another address from the same source is not held up.
    await start('someone-new@example.com')
  })

  it('no secret is ever logged', () => {
    assert.ok(seen.length >= 5)
    const all = log.lines.join('\n')
    for (const secret of seen) assert.ok(!all.includes(secret), 'a secret was logged')
  })

  it('exercised exactly the operations this file covers', () => {
    assert.deepEqual([...checked].sort(), [...COVERED['enhance-recovery.test.ts']].sort())
  })
})

/**
 * A tiny SMTP server: enough of RFC 5321 for nodemailer. `reply(rcpt)` decides the answer to
 * RCPT TO (250 to take it); every message taken is kept whole.
 */
function smtpListener(reply: (rcpt: string) => string): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = []
  const server = createServer((sock: Socket) => {
    let buf = ''
    let data = false
    sock.on('error', () => {})
    sock.write('220 test ESMTP\r\n')
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8')
      for (;;) {
        if (data) {
          const end = buf.indexOf('\r\n.\r\n')
          if (end < 0) return
          messages.push(buf.slice(0, end))
          buf = buf.slice(end + 5)
          data = false
          sock.write('250 taken\r\n')
          continue
        }
        const nl = buf.indexOf('\r\n')
        if (nl < 0) return
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') sock.write('250 test\r\n')
        else if (verb === 'MAIL') sock.write('250 ok\r\n')
        else if (verb === 'RCPT') sock.write(reply(line) + '\r\n')
        else if (verb === 'DATA') {
          data = true
          sock.write('354 go on\r\n')
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n')
        } else if (verb === 'RSET' || verb === 'NOOP') sock.write('250 ok\r\n')
        else sock.write('502 not here\r\n')
      }
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, messages })))
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

eachDialect('the mail outbox delivered through SMTP by the job queue', (dialect) => {
  let s: TestServer
  let smtp: Awaited<ReturnType<typeof smtpListener>>
  const log = capturingLogger()
  let tries = 0

  before(async () => {
    smtp = await smtpListener((rcpt) => {
      if (/bounce@/i.test(rcpt)) return '550 no such mailbox'
      // The first delivery meets a passing refusal, retried with the queue's backoff.
      return tries++ === 0 ? '451 try again later' : '250 ok'
    })
    s = await startServer(dialect, { worker: { retryBaseMs: 20, pollMaxMs: 20 } }, { logger: log.logger, mail: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'Clientele <noreply@example.com>', publicUrl: 'https://panel.example.com/' } })
    for (const [username, email] of [['sam', 'sam@example.com'], ['bob', 'bounce@example.com']]) {
      const u = await s.req('POST', `/orgs/${s.masterId}/members`, { body: { username, password: `${username}-password-1`, role: 'member', email } })
      assert.equal(u.status, 201, u.text)
    }
  })
  after(async () => {
    await s.close()
    smtp.server.close()
  })

  it('a queued message is sent by the worker, retried after a passing refusal, and marked sent', async () => {
    const r = await s.req('PUT', '/login/password-recovery', { auth: null, body: { email: 'sam@example.com' } })
    assert.equal(r.status, 200, r.text)
    const [row] = await s.deps.store.db.selectFrom('mail_outbox').selectAll().execute()
    assert.ok(row && row.state === 'queued' && row.request_id !== null)
    const sent = await until('the message to be sent', async () => {
      const m = await s.deps.store.db.selectFrom('mail_outbox').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()
      return m.state === 'sent' && m
    })
    assert.equal(sent.attempts, 2)
    assert.ok(sent.sent_at)
    assert.equal(smtp.messages.length, 1)
    // Quoted-printable, as nodemailer writes it.
    const msg = smtp.messages[0]!.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    assert.match(msg, /To: sam@example\.com/)
    assert.match(msg, /From: Clientele <noreply@example\.com>/)
    const secret = /secret=([0-9a-f-]{36})/.exec(msg)?.[1]
    assert.ok(secret, msg)
    assert.match(msg, /https:\/\/panel\.example\.com\/login\/password-recovery\?secret=/)
    // The request behind it finished with the job.
    const req = await s.deps.store.db.selectFrom('requests').select(['status', 'operation']).where('id', '=', row.request_id!).executeTakeFirstOrThrow()
    assert.deepEqual(req, { status: 'succeeded', operation: 'login.recovery.start' })
    // The link works.
    const v = await s.req('POST', `/login/password-recovery/validate?secret=${secret}`, { auth: null })
    assert.equal(v.status, 200, v.text)
    assert.ok(!log.lines.join('\n').includes(secret!), 'the secret was logged')
  })

  it('a lasting refusal fails the message at once, visible in the listing', async () => {
    await s.req('PUT', '/login/password-recovery', { auth: null, body: { email: 'bounce@example.com' } })
    const failed = await until('the message to fail', async () => {
      const l = await s.req('GET', '/mail/outbox?state=failed')
      return l.body.total === 1 && l.body.items[0]
    })
    assert.equal(failed.to, 'bounce@example.com')
    assert.equal(failed.attempts, 1)
    assert.match(failed.lastError, /550/)
    assert.ok(failed.failedAt)
  })
})
