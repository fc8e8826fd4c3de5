#!/usr/bin/env node
// `npm run test:adversarial`: the adversarial suite at the full counts issue 15 names (see
// test/helpers/adversarial.ts), on SQLite and, when TEST_POSTGRES_URL is set, PostgreSQL.
// `npm test` runs the same files at reduced counts; extra arguments name a subset of files.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dirs = ['test/adversarial', 'test/faces/probes']
const given = process.argv.slice(2)
const files = given.length
  ? given
  : dirs.flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.test.ts')).map((n) => join(d, n))).sort()
const r = spawnSync(process.execPath, ['scripts/test.js', ...files], {
  stdio: 'inherit',
  env: { ...process.env, ADVERSARIAL: 'full' },
})
process.exit(r.status ?? 1)
