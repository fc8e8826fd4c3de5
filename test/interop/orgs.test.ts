import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { ADMIN_PASSWORD, eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { python3 } from '../helpers/programs.js'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./orgs_client.py', import.meta.url))

eachDialect('/orgs face from a Python urllib client', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect)
  })
  after(() => s.close())

  it('creates, lists, logs in, uses a key, honours If-Match and deletes like seed 003 says', async () => {
    const { stdout } = await run(python3(), [script, s.base, 'admin', ADMIN_PASSWORD, s.masterId])
    const summary = JSON.parse(stdout.trim().split('\n').pop()!)
    assert.deepEqual(summary, { customers: 3, session: true, bearer: true, ok: true })
  })
})
