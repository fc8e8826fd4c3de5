/** The tree as committed: no file keeps the markers of a merge left unresolved. */
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = new URL('..', import.meta.url).pathname
const SKIP = new Set(['node_modules', '.git', 'data', '.bench', 'dist'])
const TEXT = /\.(ts|js|mjs|cjs|json|md|yaml|yml|xsd|thrift|py|sh)$|^run$/

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) files(p, out)
    else if (TEXT.test(name)) out.push(p)
  }
  return out
}

it('no file holds an unresolved merge conflict', () => {
  const marker = /^(<{7} |>{7} |={7}$)/m
  const hit = files(ROOT).filter((p) => marker.test(readFileSync(p, 'utf8')))
  assert.deepEqual(hit.map((p) => p.slice(ROOT.length)), [])
})
