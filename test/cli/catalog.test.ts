import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { ADMIN_PASSWORD, eachDialect, freshDb, startServerOn } from '../helpers/harness.js'
import { createDeps } from '../../src/server.js'
import { exportCatalog } from '../../src/ops/catalog/export-catalog.js'
import { masterContext } from '../../src/cli/master-actor.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const EXAMPLE_FILE = join(ROOT, 'examples/catalog.yaml')
const EXAMPLE = parseYaml(readFileSync(EXAMPLE_FILE, 'utf8')) as { services: { name: string }[] }

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs `clientele ARGS…` as a user would, from the repository's root. */
function clientele(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/clientele.js', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

/** The whole catalogue of the database at `location`, read in this process (quicker than a CLI run). */
async function snapshot(location: string): Promise<unknown> {
  const deps = createDeps({ db: location, logger: { info() {}, warn() {}, error() {} } })
  try {
    return await exportCatalog(await masterContext(deps), { filter: 'all' })
  } finally {
    await deps.store.close()
  }
}

eachDialect('clientele catalog import and export', (dialect) => {
  let db: { location: string; drop(): Promise<void> }
  let dir: string
  const env = { CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD }
  before(async () => {
    db = await freshDb(dialect)
    dir = mkdtempSync(join(tmpdir(), 'clientele-cli-'))
  })
  after(async () => {
    await db.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('imports examples/catalog.yaml into a new database', async () => {
    const r = await clientele(['catalog', 'import', 'examples/catalog.yaml', '--db', db.location], env)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^services: ${EXAMPLE.services.length} created, 0 updated, 0 deleted, 0 unchanged$`, 'm'))
    assert.match(r.stdout, /^locations: 1 created/m)
    assert.match(r.stdout, /^imported$/m)
  })

  it('changes nothing when the same file is imported again', async () => {
    const r = await clientele(['catalog', 'import', EXAMPLE_FILE, '--db', db.location], env)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^services: 0 created, 0 updated, 0 deleted, ${EXAMPLE.services.length} unchanged$`, 'm'))
    assert.match(r.stdout, /^no changes$/m)
  })

  it('exports YAML on stdout holding every service, hidden properties included', async () => {
    const r = await clientele(['catalog', 'export', '--db', db.location])
    assert.equal(r.code, 0, r.stderr)
    const doc = parseYaml(r.stdout) as any
    assert.deepEqual(doc.services.map((s: any) => s.name).sort(), EXAMPLE.services.map((s) => s.name).sort())
    const he = doc.services.find((s: any) => s.name === 'HE')
    assert.deepEqual([he.displayName, he.version], ['Hosted Exchange', '2010'])
    assert.deepEqual(he.plans.map((p: any) => p.fullname).sort(), ['Ex10 Basic', 'Ex10 Full'])
    const fss = doc.services.find((s: any) => s.name === 'FSS')
    assert.deepEqual(fss.plans.map((p: any) => `${p.name}:${p.userlimit}`), ['FULL:Unlimited', 'LIST:Unlimited', 'READ:Unlimited'])
    assert.ok(fss.properties.some((p: any) => p.hidden === true))
    assert.equal(doc.locations[0].name, 'csm.Local')
    assert.equal((await clientele(['catalog', 'export', '--db', db.location])).stdout, r.stdout, 'the export is stable')
  })

  it('imports its own export as no change (a round trip)', async () => {
    const file = join(dir, 'exported.yaml')
    writeFileSync(file, (await clientele(['catalog', 'export', '--db', db.location])).stdout)
    const r = await clientele(['catalog', 'import', file, '--db', db.location])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^no changes$/m)
  })

  it('serves what it imported', async () => {
    const s = await startServerOn(db.location)
    try {
      const he = await s.req('GET', '/services/he/plans')
      assert.equal(he.status, 200, he.text)
      assert.deepEqual(he.body.items.map((p: any) => p.name), ['EX10BASIC', 'EX10FULL'])
      assert.equal((await s.req('GET', '/services/HostedAppsAndDesktops')).body.multipleUserPlans, true)
    } finally {
      await s.close()
    }
  })

  const refused: [string, string | null, RegExp][] = [
    ['a document with an unknown field', 'services:\n  - name: HE\n    colour: red\n', /unknown field in services\.0 \(accepted: .*\bname\b/],
    ['a version written as a number', 'services:\n  - name: HE\n    version: 2013\n', /version/],
    ['a location offering an unknown service', 'locations:\n  - name: csm.Local\n    services: [Nope]\n', /Nope/],
    ['text that is not YAML', 'services: [\n', /not valid YAML/],
    ['an empty file', '', /empty/],
    ['a missing file', null, /ENOENT|no such file/],
  ]
  for (const [what, text, message] of refused) {
    it(`refuses ${what} with exit status 1, changing nothing`, async () => {
      const file = join(dir, 'bad.yaml')
      if (text === null) rmSync(file, { force: true })
      else writeFileSync(file, text)
      const before = await snapshot(db.location)
      const r = await clientele(['catalog', 'import', file, '--db', db.location])
      assert.equal(r.code, 1, r.stdout)
      assert.match(r.stderr, message)
      assert.deepEqual(await snapshot(db.location), before)
    })
  }

  it('with --prune, removes what the file does not name', async () => {
    const file = join(dir, 'small.yaml')
    writeFileSync(file, 'services:\n  - name: HE\n    displayName: Hosted Exchange\n')
    const r = await clientele(['catalog', 'import', file, '--prune', '--db', db.location])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^services: 0 created, 1 updated, ${EXAMPLE.services.length - 1} deleted, 0 unchanged$`, 'm'))
    const doc = (await snapshot(db.location)) as any
    assert.deepEqual(doc.services.map((s: any) => s.name), ['HE'])
    assert.deepEqual(doc.locations, [])
  })
})
