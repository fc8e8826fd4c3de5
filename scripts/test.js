#!/usr/bin/env node
// Runs the test suite: the type check, then every *.test.ts under src/ and test/ through
// node:test. Node 20's runner finds no .ts files by itself and would exit 0 having run none,
// so the files are listed here and a run that reports zero tests fails.
import { spawnSync, spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

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
  if (tc.status !== 0) process.exit(tc.status ?? 1)
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
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: ['inherit', 'pipe', 'inherit'],
})
let tail = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  tail = (tail + chunk.toString()).slice(-4000)
})
child.on('exit', (code) => {
  const m = /ℹ tests (\d+)/.exec(tail)
  const n = m ? Number(m[1]) : 0
  const skipped = /ℹ skipped (\d+)/.exec(tail)
  if (n === 0) {
    console.error('the run reported zero tests: failing')
    process.exit(1)
  }
  if (skipped && Number(skipped[1]) > 0) console.error(`${skipped[1]} tests were skipped`)
  process.exit(code ?? 1)
})
