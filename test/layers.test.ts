/**
 * The map of ../shared/ARCHITECTURE.md, checked on the code: faces → operations → store, with
 * the domain types in core. Each rule lists the files that break it, so a change that crosses a
 * layer fails `npm test` with the file and the import that did it.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')

/** Every non-test TypeScript file under `dir`, as a path relative to the project root. */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sources(p, out)
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(relative(ROOT, p))
  }
  return out
}

/** Comments out of the way, so that a word in a JSDoc is not taken for code. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
}

/** What a file imports (static, `export … from`, dynamic): the specifier and, for relative ones, the target path. */
function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = code(readFileSync(join(ROOT, file), 'utf8'))
  const out: { spec: string; target: string | null }[] = []
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm
  for (const m of text.matchAll(re)) {
    const spec = m[1]!
    out.push({ spec, target: spec.startsWith('.') ? normalize(join(dirname(file), spec)) : null })
  }
  return out
}

const ALL = sources(SRC)
const under = (folder: string) => ALL.filter((f) => f.startsWith(`src/${folder}/`))

/** The files of `files` whose imports satisfy `bad`, with the offending specifiers. */
function offenders(files: string[], bad: (i: { spec: string; target: string | null }) => boolean): string[] {
  return files.flatMap((f) => importsOf(f).filter(bad).map((i) => `${f} imports ${i.spec}`))
}

describe('the layers of the map hold', () => {
  it('finds the source files it checks', () => {
    for (const folder of ['core', 'store', 'ops', 'auth', 'jobs', 'faces']) assert.ok(under(folder).length > 0, `no files under src/${folder}`)
  })

  it('faces import nothing from src/store/ (types they share with operations live in src/core/)', () => {
    assert.deepEqual(offenders(under('faces'), (i) => i.target?.startsWith('src/store/') ?? false), [])
  })

  it('faces never import the database drivers or Kysely', () => {
    assert.deepEqual(offenders(under('faces'), (i) => /^(kysely|better-sqlite3|pg)(\/|$)/.test(i.spec)), [])
  })

  it('core imports nothing of ours outside src/core/', () => {
    assert.deepEqual(offenders(under('core'), (i) => i.target !== null && !i.target.startsWith('src/core/')), [])
  })

  it('the store imports only core and itself (it knows nothing of actors, operations, jobs or wires)', () => {
    assert.deepEqual(offenders(under('store'), (i) => i.target !== null && !/^src\/(core|store)\//.test(i.target)), [])
  })

  it('operations, auth, jobs and registrars reach the database only through store functions', () => {
    const query = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\s*\(|\bsql\s*`|\bsql\.(raw|ref|table|id|lit|join)\b/
    const files = [...under('ops'), ...under('auth'), ...under('jobs'), ...under('registrars')]
    const found = files.flatMap((f) => {
      const lines = code(readFileSync(join(ROOT, f), 'utf8')).split('\n')
      return lines.flatMap((l, n) => (query.test(l) ? [`${f}:${n + 1}: ${l.trim()}`] : []))
    })
    assert.deepEqual(found, [])
    assert.deepEqual(offenders(files, (i) => /^kysely(\/|$)/.test(i.spec)), [])
  })

  it('the rule above sees a query where one is written', () => {
    const query = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\s*\(|\bsql\s*`/
    assert.ok(query.test("await trx.selectFrom('orgs').selectAll()"))
    assert.ok(query.test('sql`select 1`'))
    assert.equal(query.test(code('/** never trx.selectFrom(...) here */ const x = 1')), false)
  })
})
