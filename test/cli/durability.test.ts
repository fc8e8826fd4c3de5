/**
 * No acknowledged write is lost: `clientele serve` starts only on a SQLite database that
 * journals to WAL and syncs FULL (an in-memory database does neither, and is refused with the
 * reason), and says so in a warning when PostgreSQL's own fsync or synchronous_commit is off.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, it } from 'node:test'
import { openStore, type Store } from '../../src/store/store.js'
import { eachDialect, freshDb } from '../helpers/harness.js'

eachDialect('the database keeps what it acknowledges', (dialect) => {
  let db: Awaited<ReturnType<typeof freshDb>>
  let store: Store
  before(async () => {
    db = await freshDb(dialect)
    store = openStore(db.location)
  })
  after(async () => {
    await store.close()
    await db.drop()
  })

  it('reports nothing to refuse or warn about on the database as Clientele opens it', async () => {
    assert.deepEqual(await store.durability(), { refusals: [], warnings: [] })
  })

  if (dialect === 'postgres') {
    it("warns, without refusing, when the server's synchronous_commit is off for the connection", async () => {
      const u = new URL(db.location)
      u.searchParams.set('options', '-c synchronous_commit=off')
      const loose = openStore(u.toString(), { poolSize: 1 })
      try {
        const d = await loose.durability()
        assert.deepEqual(d.refusals, [])
        assert.equal(d.warnings.length, 1)
        assert.match(d.warnings[0]!, /synchronous_commit is off/)
      } finally {
        await loose.close()
      }
    })
  }
})

it('refuses to serve an in-memory SQLite database, saying why, and exits non-zero', () => {
  const r = spawnSync(process.execPath, ['bin/clientele.js', 'serve', '--db', ':memory:', '--port', '0', '--no-worker'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CLIENTELE_ADMIN_PASSWORD: 'a-long-password-1' } })
  assert.equal(r.status, 1, r.stdout + r.stderr)
  assert.match(r.stderr, /refuses to start: SQLite's journal_mode is memory, not WAL/)
  const mem = openStore(':memory:')
  return mem.durability().then(async (d) => {
    await mem.close()
    assert.equal(d.refusals.length, 1)
  })
})
