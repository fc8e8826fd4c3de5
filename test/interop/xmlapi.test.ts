/**
 * Python's standard library against the XML action API (seed 004), posting the seed's documents
 * as its PowerShell sample does (Basic credentials answering the 401 challenge, no content type
 * of its own).
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { eachDialect, startServer, type TestServer } from '../helpers/harness.js'
import { python3 } from '../helpers/programs.js'

const PYTHON = python3()
const SCRIPT = fileURLToPath(new URL('./xmlapi_client.py', import.meta.url))

function runClient(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

eachDialect("Python's urllib against the XML action API (seed 004)", (dialect) => {
  let s: TestServer
  let summary: any

  before(async () => {
    s = await startServer(dialect, { worker: false })
    const csp = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cortex Service Provider', code: 'CSP', isReseller: true, primaryDomain: 'csp.local' } })
    assert.equal(csp.status, 201, csp.text)
    const m = await s.req('POST', `/orgs/${csp.body.id}/members`, { body: { username: 'cspadmin_CSP', password: 'csp-admin-password-1', role: 'admin' } })
    assert.equal(m.status, 201, m.text)
    const out = await runClient([s.base, 'cspadmin_CSP', 'csp-admin-password-1'])
    assert.equal(out.code, 0, `client failed: ${out.stderr}`)
    summary = JSON.parse(out.stdout)
  })
  after(() => s.close())

  it('finds CSP and every customer as the PowerShell and VBScript samples do', () => {
    assert.equal(summary.csp.name, 'CSP')
    assert.equal(summary.csp.fullname, 'Cortex Service Provider')
    assert.equal(summary.csp.billingid, '')
    assert.equal(summary.csp.primarydomain, 'csp.local')
    assert.match(summary.csp.id, /^\d+$/)
    assert.deepEqual(summary.all, ['CSP'])
  })

  it('creates a customer with a generated short code and a user, which REST sees', async () => {
    const job = await s.req('GET', `/jobs/${summary.create_request}`)
    assert.equal(job.body.operation, 'customer.create')
    assert.deepEqual(summary.bac, { name: 'BAC', fullname: 'Basic API Customer', contactemail: 'Admin@csm.local', enabled: 'True' })
    assert.deepEqual(summary.users, ['User1'])
  })

  it('reads errors at /response/error and is refused with 401 on a wrong password', () => {
    assert.deepEqual(summary.last_user, { status: 400, id: '15', message: 'Unable to delete the last user from the customer' })
    assert.deepEqual(summary.not_found, { status: 400, id: '34', message: "Customer 'NOPE' not found." })
    assert.deepEqual(summary.bad_password, { status: 401, id: '11' })
    assert.equal(summary.identity, 'cspadmin_CSP')
  })
})
