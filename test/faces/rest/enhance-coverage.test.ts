/**
 * The conformance tests together cover every operation of Enhance's document (the fixture) that
 * Clientele serves, and the README maps every operation: each is either exercised by one of the
 * enhance-*.test.ts files (each of which asserts its own list) or named as not served, with the
 * reason — and those answer 404, so that an operation served by accident is noticed too.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { ENHANCE } from '../../helpers/enhance.js'
import { COVERED, NOT_SERVED } from '../../helpers/enhance-coverage.js'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

/** Every operation of the document: operationId → [method, path template]. */
function operations(): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>()
  for (const [path, item] of Object.entries(ENHANCE.paths as Record<string, Record<string, { operationId?: string }>>)) {
    for (const [method, op] of Object.entries(item)) if (op?.operationId) out.set(op.operationId, [method.toUpperCase(), path])
  }
  return out
}

it("every operation of Enhance's document is covered by a conformance test or named as not served, and the README names each", () => {
  const all = operations()
  const covered = Object.values(COVERED).flat()
  assert.equal(new Set(covered).size, covered.length, 'an operation is covered by two files')
  for (const op of covered) assert.ok(!(op in NOT_SERVED), `${op} is both covered and not served`)
  const accounted = new Set<string>([...covered, ...Object.keys(NOT_SERVED)])
  assert.deepEqual([...all.keys()].filter((op) => !accounted.has(op)).sort(), [], 'operations of the document neither covered nor named as not served')
  assert.deepEqual([...accounted].filter((op) => !all.has(op)).sort(), [], 'operations named that the document does not have')
  assert.deepEqual([...all.keys()].filter((op) => !README.includes(`\`${op}\``)).sort(), [], 'operations the README does not name')
})

eachDialect('operations Clientele does not serve', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startServer(dialect, { worker: false })
  })
  after(() => s.close())

  it('answer 404 to an authenticated caller', async () => {
    const all = operations()
    for (const op of Object.keys(NOT_SERVED)) {
      const [method, template] = all.get(op)!
      const path = template.replace('{org_id}', s.masterId).replace(/\{[a-z_]+_id\}|\{[a-z_]+\}/g, (m) => (m === '{subscription_id}' ? '1' : '00000000-0000-4000-8000-000000000000'))
      const r = await s.req(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} })
      assert.equal(r.status, 404, `${op} (${method} ${path}) answered ${r.status}: ${r.text.slice(0, 200)}`)
    }
  })
})
