import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ADMIN_PASSWORD, eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { python3 } from '../helpers/programs.js'

const PYTHON = python3()
const SCRIPT = fileURLToPath(new URL('./admin_v3_client.py', import.meta.url))

function runClient(base: string, user: string, password: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [SCRIPT, base],
      { env: { PATH: process.env.PATH ?? '', CLIENTELE_USER: user, CLIENTELE_PASSWORD: password }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

eachDialect('a Python standard-library client of /v3/admin', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
    const p = await s.req('POST', '/cloud-providers', { body: { name: 'Interop Cloud', requiredCredentials: ['token'] } })
    assert.equal(p.status, 201, p.text)
  })
  after(() => s.close())

  it('creates, lists, shows, updates, lists cloud providers and deletes a customer', async () => {
    const out = await runClient(s.base, 'admin', ADMIN_PASSWORD)
    assert.equal(out.code, 0, `client failed: ${out.stderr}`)
    const summary = JSON.parse(out.stdout)
    assert.equal(summary.own_id, s.masterId)
    assert.equal(summary.created_status, 201)
    assert.match(summary.created_id, /^[0-9a-f-]{36}$/)
    assert.equal(summary.listed, true)
    assert.deepEqual(summary.show_fields, [
      'admin',
      'external_id',
      'external_metadata',
      'id',
      'licensing_enabled',
      'name',
      'resource_type',
      'resource_usage',
      'skin_names',
    ])
    assert.equal(summary.shown_external_id, 'py-1')
    assert.equal(summary.updated_name, 'Interop Python Customer Renamed')
    assert.deepEqual(summary.updated_metadata, { hub: 'py-hub' })
    assert.equal(summary.updated_licensing, false)
    assert.deepEqual(summary.own_providers, ['Interop Cloud'])
    assert.equal(summary.customer_providers, 0)
    assert.deepEqual(summary.unknown_field, { status: 400, problem: true, code: 'invalid_argument' })
    assert.equal(summary.deleted_status, 204)
    assert.deepEqual(summary.after_delete, { status: 404, problem: true, code: 'not_found' })
    // What the client did is what the native face sees.
    assert.equal((await s.req('GET', `/orgs/${summary.created_id}`)).body.status, 'deleted')
  })

  it('exits non-zero when its credentials are refused', async () => {
    const out = await runClient(s.base, 'admin', 'wrong-password')
    assert.notEqual(out.code, 0)
    assert.match(out.stderr, /list: status 401/)
  })
})
