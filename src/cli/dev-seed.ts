/**
 * Builds a large organisation hierarchy quickly, for benchmarks and scale checks: resellers
 * with `fanout` customers each, level by level under the master organisation, until `orgs`
 * organisations are added. Rows are written in bulk, straight through the store (not through
 * operations: this is a data generator, not a client), with the per-ancestor counts summed in
 * memory and written once.
 */
import { sql, type Insertable } from 'kysely'
import type { Deps } from '../ops/context.js'
import { newId } from '../core/ids.js'
import { findRootOrg, pathNumbers } from '../store/orgs.repo.js'
import type { OrgTable } from '../store/schema.js'

const WORDS = ['Acme', 'Blue', 'Cedar', 'Delta', 'Echo', 'Falcon', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Kestrel', 'Lumen', 'Maple', 'Nimbus', 'Orbit', 'Pine', 'Quartz', 'Raven', 'Summit', 'Tide']
const KINDS = ['Hosting', 'Cloud', 'Networks', 'Systems', 'Digital', 'Labs', 'Media', 'Works']

export interface SeedOptions {
  orgs: number
  fanout: number
  progress: 'bar' | 'lines' | 'none'
}

export async function seedHierarchy(deps: Deps, opts: SeedOptions): Promise<void> {
  const { store } = deps
  const root = await findRootOrg(store.db)
  if (!root) throw new Error('no master organisation')
  const max = await store.db.selectFrom('orgs').select((eb) => eb.fn.max<number>('number').as('m')).executeTakeFirstOrThrow()
  let next = Number(max.m) + 1
  const counts = new Map<string, number>()
  const now = new Date().toISOString()
  const batch: Insertable<OrgTable>[] = []
  let done = 0
  let lastShown = -1

  const show = () => {
    const pct = Math.floor((done / opts.orgs) * 100)
    if (pct === lastShown) return
    lastShown = pct
    if (opts.progress === 'bar') {
      const w = 40
      const fill = Math.round((pct / 100) * w)
      process.stderr.write(`\r[${'#'.repeat(fill)}${' '.repeat(w - fill)}] ${pct}% ${done}/${opts.orgs}`)
      if (done === opts.orgs) process.stderr.write('\n')
    } else if (opts.progress === 'lines' && pct % 10 === 0) {
      process.stderr.write(`${pct}% ${done}/${opts.orgs}\n`)
    }
  }

  const flush = async () => {
    if (batch.length === 0) return
    const rows = batch.splice(0)
    await store.write(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('orgs').values(rows.slice(i, i + 500)).execute()
    })
  }

  // Breadth first: every organisation of a level becomes a reseller with `fanout` customers.
  let level: { id: string; path: string; depth: number }[] = [{ id: root.id, path: root.path, depth: root.depth }]
  while (done < opts.orgs) {
    const nextLevel: typeof level = []
    for (const parent of level) {
      for (let k = 0; k < opts.fanout && done < opts.orgs; k++) {
        const number = next++
        const path = `${parent.path}${number}/`
        const id = newId()
        const name = `${WORDS[number % WORDS.length]} ${KINDS[(number >> 3) % KINDS.length]} ${number}`
        const status = number % 50 === 0 ? 'suspended' : 'active'
        batch.push({
          number,
          id,
          parent_id: parent.id,
          path,
          depth: parent.depth + 1,
          code: `S${number.toString(36).toUpperCase()}`,
          name,
          description: '',
          address: '',
          city: '',
          country: '',
          contact_name: '',
          contact_email: '',
          primary_domain: '',
          billing_id: '',
          external_id: '',
          external_metadata: '{}',
          licensing_enabled: 0,
          skin_names: '[]',
          is_reseller: 1,
          status,
          enabled: 1,
          locale: 'en-GB',
          suspended_by: null,
          subscriptions_count: 0,
          websites_count: 0,
          created_at: now,
          updated_at: now,
          version: 1,
        })
        const nums = pathNumbers(path)
        for (let i = 0; i < nums.length - 1; i++) {
          const key = `${nums[i]}|${nums.length - 1 - i}|${status}`
          counts.set(key, (counts.get(key) ?? 0) + 1)
        }
        nextLevel.push({ id, path, depth: parent.depth + 1 })
        done++
        if (batch.length >= 10_000) await flush()
        show()
      }
      if (done >= opts.orgs) break
    }
    level = nextLevel
  }
  await flush()

  const entries = [...counts.entries()].map(([k, n]) => {
    const [ancestor, rel_depth, status] = k.split('|')
    return { ancestor: Number(ancestor), rel_depth: Number(rel_depth), status: status!, n }
  })
  await store.write(async (trx) => {
    for (let i = 0; i < entries.length; i += 500) {
      await trx
        .insertInto('org_counts')
        .values(entries.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['ancestor', 'rel_depth', 'status']).doUpdateSet({ n: sql`org_counts.n + excluded.n` }))
        .execute()
    }
  })
  if (store.dialect === 'postgres') {
    await sql`select setval(pg_get_serial_sequence('orgs', 'number'), (select max(number) from orgs))`.execute(store.db)
    await sql`analyze`.execute(store.db)
  } else {
    await sql`analyze`.execute(store.db)
  }
}
