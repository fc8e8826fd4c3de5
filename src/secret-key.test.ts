import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { defaultKeyFile, loadSecretKeyring } from './secret-key.js'
import { keyId } from './core/sealed.js'

describe('where the secret key comes from', () => {
  it('creates secret.key (0600) beside a SQLite file once, and every later load finds the same key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clientele-key-'))
    try {
      const db = join(dir, 'clientele.db')
      assert.equal(defaultKeyFile(db), join(dir, 'secret.key'))
      const a = loadSecretKeyring({ db, env: {} })
      const b = loadSecretKeyring({ db: join(dir, 'other.db'), env: {} })
      assert.deepEqual(a.ids, b.ids)
      assert.equal(a.source, join(dir, 'secret.key'))
      assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600)
      assert.equal(Buffer.from(readFileSync(join(dir, 'secret.key'), 'utf8').trim(), 'base64').length, 32)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('uses ./data/secret.key for PostgreSQL', () => {
    assert.equal(defaultKeyFile('postgres://u:p@h/db'), resolve('data', 'secret.key'))
  })

  it('prefers CLIENTELE_SECRET_KEY, then a named file; a named file must exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clientele-key-'))
    try {
      const k = randomBytes(32)
      const db = join(dir, 'x.db')
      const inline = loadSecretKeyring({ db, env: { CLIENTELE_SECRET_KEY: k.toString('base64') } })
      assert.deepEqual(inline.ids, [keyId(k)])
      assert.equal(inline.source, 'CLIENTELE_SECRET_KEY')
      const file = join(dir, 'mounted.key')
      writeFileSync(file, k.toString('base64') + '\n')
      assert.deepEqual(loadSecretKeyring({ db, env: { CLIENTELE_SECRET_KEY_FILE: file } }).ids, [keyId(k)])
      assert.deepEqual(loadSecretKeyring({ db, file, env: {} }).ids, [keyId(k)])
      assert.throws(() => loadSecretKeyring({ db, file: join(dir, 'missing.key'), env: {} }), /cannot read the secret key file .*missing\.key/)
      assert.throws(() => loadSecretKeyring({ db, env: { CLIENTELE_SECRET_KEY: 'short' } }), /CLIENTELE_SECRET_KEY/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
