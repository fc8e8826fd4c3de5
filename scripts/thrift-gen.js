#!/usr/bin/env node
// Regenerates the Thrift face's Node code from idl/customer.thrift with Debian's Apache Thrift
// compiler (`apt-get install thrift-compiler`, 0.17): `npm run thrift:gen`. The output is
// committed (src/faces/thrift/gen/), so that `npm ci && npm start` needs no compiler; the
// interop test (test/interop/thrift.test.ts) checks that it is what the compiler makes of the
// IDL today. Only the `es6` flavour works with npm `thrift` 0.24 (0.17's plain `js:node`
// output calls `thrift.Q`, which 0.24 dropped).
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const out = process.argv[2] ?? join(root, 'src/faces/thrift/gen')
const idl = join(root, 'idl/customer.thrift')

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const r = spawnSync('thrift', ['--gen', 'js:node,es6,ts', '-out', out, idl], { stdio: 'inherit' })
if (r.error) {
  console.error(`the Thrift compiler was not found (${r.error.message}): apt-get install thrift-compiler`)
  process.exit(1)
}
if (r.status !== 0) process.exit(r.status ?? 1)
// The generated code uses require(); this package is "type": "module".
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n')
