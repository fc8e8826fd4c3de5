#!/usr/bin/env node
// Runs the test suite: the type check, then every *.test.ts under src/ and test/ through
// node:test. Node 20's runner finds no .ts files by itself and would exit 0 having run none,
// so the files are listed here. The totals come from a second reporter
// (scripts/totals-reporter.mjs) that sees the whole run; the run fails when it reports zero
// tests, any failure, a skipped or todo test, or no totals at all, and says which.
import { spawnSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

function find(dir, out = []) {
  let names
  try { names = readdirSync(dir) } catch { return out }
  for (const name of names) {
    const p = join(dir, name)
    if (name === 'node_modules') continue
    if (statSync(p).isDirectory()) find(p, out)
    else if (name.endsWith('.test.ts')) out.push(p)
  }
  return out
}

const only = process.argv.slice(2)
if (only.length === 0) {
  const tc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit'], { stdio: 'inherit' })
  if (tc.status !== 0) {
    console.error('the type check failed: no tests were run')
    process.exit(tc.status ?? 1)
  }
}
const files = only.length ? only : [...find('src'), ...find('test')].sort()
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const db = process.env.TEST_DIALECTS
  ? process.env.TEST_DIALECTS
  : process.env.TEST_POSTGRES_URL
    ? 'SQLite and PostgreSQL'
    : 'SQLite only (set TEST_POSTGRES_URL for PostgreSQL)'
console.error(`running ${files.length} test files on ${db}`)

const dir = mkdtempSync(join(tmpdir(), 'clientele-test-'))
const totalsFile = join(dir, 'totals.json')
const reporter = fileURLToPath(new URL('./totals-reporter.mjs', import.meta.url))
const child = spawn(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`, '--test-reporter-destination=/dev/null',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, CLIENTELE_TEST_TOTALS: totalsFile } },
)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => {
  let report
  try { report = JSON.parse(readFileSync(totalsFile, 'utf8')) } catch { report = undefined }
  rmSync(dir, { recursive: true, force: true })
  if (!report || report.totals.tests === undefined) {
    console.error(`the test runner ended (${signal ?? `exit code ${code}`}) without reporting its totals: failing`)
    process.exit(1)
  }
  const t = report.totals
  const line = `${t.tests} tests: ${t.pass ?? 0} passed, ${t.fail ?? 0} failed, ${t.cancelled ?? 0} cancelled, ${t.skipped ?? 0} skipped, ${t.todo ?? 0} todo`
  if (t.tests === 0) {
    console.error(`the run reported zero tests: failing (${files.length} files given)`)
    process.exit(1)
  }
  const bad = (t.fail ?? 0) + (t.cancelled ?? 0)
  if (bad > 0 || code !== 0) {
    console.error(`\nFAILED: ${line}`)
    for (const f of report.failed) console.error(`  ✖ ${f.name}${f.file ? ` (${f.file})` : ''}`)
    process.exit(code || 1)
  }
  if ((t.skipped ?? 0) + (t.todo ?? 0) > 0) {
    // A test that did not run is not a pass: find what it needs, or fail naming it.
    console.error(`\nFAILED: ${line}: skipped and todo tests do not count as passing`)
    process.exit(1)
  }
  console.error(`\npassed: ${line}`)
  process.exit(0)
})
