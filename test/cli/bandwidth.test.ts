import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ADMIN_PASSWORD, eachDialect, freshDb } from '../helpers/harness.js'
import { createDeps } from '../../src/server.js'
import { ensureMaster } from '../../src/ops/orgs/bootstrap.js'
import { masterContext } from '../../src/cli/master-actor.js'
import { createCustomer } from '../../src/ops/orgs/create-customer.js'
import { getBillableBandwidth } from '../../src/ops/bandwidth/get-billable-bandwidth.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const quiet = { info() {}, warn() {}, error() {} }

function clientele(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/clientele.js', ...args], { cwd: ROOT, env: { ...process.env, CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

/** This month's slot n (samples must not be in the future), ISO. */
function slot(n: number): string {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) + n * 300_000).toISOString()
}

eachDialect('clientele bandwidth import', (dialect) => {
  let db: { location: string; drop(): Promise<void> }
  let dir: string
  const ids: { a: string; b: string; codeB: string } = { a: '', b: '', codeB: '' }
  const billable = async (orgId: string) => {
    const deps = createDeps({ db: db.location, logger: quiet })
    try {
      return await getBillableBandwidth(await masterContext(deps), { orgId })
    } finally {
      await deps.store.close()
    }
  }
  before(async () => {
    db = await freshDb(dialect)
    dir = mkdtempSync(join(tmpdir(), 'clientele-bw-'))
    const deps = createDeps({ db: db.location, logger: quiet })
    await deps.store.migrate()
    await ensureMaster(deps, ADMIN_PASSWORD)
    const m = await masterContext(deps)
    const a = await createCustomer(m, { parentId: m.actor.orgId, name: 'CLI Bandwidth Alpha' })
    const b = await createCustomer(m, { parentId: m.actor.orgId, name: 'CLI Bandwidth Beta' })
    Object.assign(ids, { a: a.id, b: b.id, codeB: b.code })
    await deps.store.close()
  })
  after(async () => {
    await db.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a file with bad lines, naming each line, and imports nothing', async () => {
    const file = join(dir, 'bad.csv')
    writeFileSync(file, ['customer,timestamp,in,out', `${ids.a},${slot(0)},100,50`, `${ids.a},${slot(1)},-5,50`, `${ids.codeB},not-a-time,1,1`, `${ids.a},${slot(2)},NaN,1`, `${ids.a},${slot(3)},1`].join('\n'))
    const r = await clientele(['bandwidth', 'import', file, '--db', db.location])
    assert.equal(r.code, 1)
    for (const line of [3, 4, 5, 6]) assert.match(r.stderr, new RegExp(`bad\\.csv:${line}: `))
    assert.doesNotMatch(r.stderr, /bad\.csv:2:/)
    assert.match(r.stderr, /nothing imported/)
    assert.equal((await billable(ids.a)).samples, 0)
  })

  it('refuses a file whose sample is refused by the operation (in the future), naming its line, and imports nothing', async () => {
    const file = join(dir, 'future.csv')
    writeFileSync(file, [`${ids.a},${slot(0)},100,50`, `${ids.codeB},2999-01-01T00:00:00Z,1,1`].join('\n'))
    const r = await clientele(['bandwidth', 'import', file, '--db', db.location])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /future\.csv:2: .*future/)
    assert.equal((await billable(ids.a)).samples, 0)
  })

  it('imports samples of several customers, by id and by code, and reports counts', async () => {
    const file = join(dir, 'good.csv')
    const lines = ['# exported from the collector', 'customer,timestamp,in,out']
    for (let i = 0; i < 10; i++) lines.push(`${ids.a},${slot(i)},${(i + 1) * 10},5`)
    lines.push(`${ids.codeB},${Math.floor(Date.parse(slot(0)) / 1000)},7,9`)
    writeFileSync(file, lines.join('\n') + '\n')
    const r = await clientele(['bandwidth', 'import', file, '--db', db.location])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^imported 11 samples for 2 customers \(11 new, 0 replaced\)$/m)
    assert.equal((await billable(ids.a)).billableBitsPerSecond, 100) // 10 samples: 5 % drops none
    assert.equal((await billable(ids.b)).billableBitsPerSecond, 9)
    const again = await clientele(['bandwidth', 'import', file, '--db', db.location])
    assert.match(again.stdout, /\(0 new, 11 replaced\)/)
  })
})
