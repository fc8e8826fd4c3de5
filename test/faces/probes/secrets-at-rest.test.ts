/**
 * Secrets at rest: after canary passwords, a support PIN, an API key, an FTP password, a
 * registrar's secret and a webhook driver's secret went in through the API, a dump of every
 * table of the database (every row of every table, as text) holds none of them, and every
 * password hash is Argon2id with OWASP's parameters (m=19456 KiB, t=2, p=1).
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

const CANARY = {
  password: 'Canary-Password-7f3a9c',
  pin: '93174650',
  ftp: 'Canary-Ftp-Secret-51be',
  registrar: 'Canary-Registrar-Secret-c0ffee',
  driver: 'Canary-Driver-Secret-d15ea5e',
}

/** Every row of every table, as one text. */
async function dump(location: string, dialect: string): Promise<{ text: string; hashes: string[] }> {
  const parts: string[] = []
  const hashes: string[] = []
  const take = (table: string, rows: Record<string, unknown>[]) => {
    for (const r of rows) {
      parts.push(`${table} ${JSON.stringify(r)}`)
      for (const [k, v] of Object.entries(r)) if (/_hash$/.test(k) && typeof v === 'string' && v.startsWith('$argon2')) hashes.push(v)
    }
  }
  if (dialect === 'sqlite') {
    const db = new Database(location, { readonly: true })
    try {
      const tables = db.prepare(`select name from sqlite_master where type = 'table'`).pluck().all() as string[]
      for (const t of tables) take(t, db.prepare(`select * from "${t}"`).all() as Record<string, unknown>[])
    } finally {
      db.close()
    }
  } else {
    const c = new pg.Client({ connectionString: location })
    await c.connect()
    try {
      const { rows } = await c.query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public'`)
      for (const { tablename } of rows) take(tablename, (await c.query(`select * from "${tablename}"`)).rows)
    } finally {
      await c.end()
    }
  }
  return { text: parts.join('\n'), hashes }
}

eachDialect('secrets at rest', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(() => s.close())

  it('a dump of the database holds no canary secret, and password hashes are Argon2id at OWASP parameters', async () => {
    const org = await p.customer('Canary Co')
    const member = await s.req('POST', `/orgs/${org}/members`, { body: { username: 'canary-owner', password: CANARY.password, role: 'owner' } })
    assert.equal(member.status, 201, member.text)
    assert.equal((await s.req('PUT', `/orgs/${org}/pin`, { body: { pin: CANARY.pin } })).status, 204)
    const key = await s.req('POST', `/orgs/${org}/api-keys`, { body: { role: 'member' } })
    assert.equal(key.status, 201, key.text)
    const secret = key.body.secret as string
    const ftp = await s.req('POST', `/orgs/${org}/ftp-users`, { body: { name: 'Canary FTP', username: 'canaryftp', password: CANARY.ftp, relativeRoot: 'www', type: 'full' } })
    assert.equal(ftp.status, 201, ftp.text)
    const reg = await s.req('PUT', '/registrars/canary', { body: { driver: 'webhook', url: 'https://registrar.example/api', secret: CANARY.registrar } })
    assert.ok(reg.status === 200 || reg.status === 201, reg.text)
    const svc = await s.req('POST', '/services', { body: { name: 'CanaryHook', driver: 'webhook', driverConfig: { url: 'https://hooks.example/provision', secret: CANARY.driver } } })
    assert.equal(svc.status, 201, svc.text)
    // The password works (it was stored), and the key too.
    assert.equal((await s.req('GET', `/orgs/${org}`, { auth: ['canary-owner', CANARY.password] })).status, 200)
    assert.equal((await s.req('GET', `/orgs/${org}`, { auth: secret })).status, 200)

    assert.match(secret, /^clt_[0-9a-f]{16}_[A-Za-z0-9_-]{20,}$/)
    const { text, hashes } = await dump(s.location, dialect)
    for (const [what, value] of [...Object.entries(CANARY), ['API key secret', secret], ['API key secret part', secret.slice('clt_'.length + 17)]] as const) {
      assert.equal(text.includes(value), false, `the dump holds the ${what}`)
    }
    assert.ok(hashes.length >= 3, `password, PIN and FTP hashes found: ${hashes.length}`)
    for (const h of hashes) assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'an Argon2id hash at OWASP parameters')
  })
})
