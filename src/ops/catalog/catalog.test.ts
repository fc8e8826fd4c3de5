import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import { createService } from './create-service.js'
import { deleteService } from './delete-service.js'
import { createPlan } from './create-plan.js'
import { createLocation } from './create-location.js'
import { updateLocation } from './update-location.js'
import { deleteLocation } from './delete-location.js'
import { importCatalog } from './import-catalog.js'
import { exportCatalog } from './export-catalog.js'

const EXAMPLE = parseYaml(readFileSync(new URL('../../../examples/catalog.yaml', import.meta.url), 'utf8'))

/** Every rejection is one of the expected domain errors (never a database error or `internal`). */
function onlyExpected(results: PromiseSettledResult<unknown>[], codes: ErrorCode[]): void {
  for (const r of results) {
    if (r.status === 'rejected') assert.ok(codes.some((c) => isDomainError(r.reason, c)), String(r.reason))
  }
}

eachDialect('catalogue operations', (dialect) => {
  let f: OpsFixture
  before(async () => {
    f = await opsFixture(dialect)
  })
  after(() => f.close())

  /** Rows of the service's children or offerings whose service or location is gone. */
  async function orphans(): Promise<number> {
    const db = f.deps.store.db
    let n = 0
    for (const t of ['service_packages', 'service_plans', 'service_properties'] as const) {
      n += (await db.selectFrom(t).select('id').where('service_id', 'not in', db.selectFrom('services').select('id')).execute()).length
    }
    n += (
      await db
        .selectFrom('location_services')
        .select('location_id')
        .where((eb) => eb.or([eb('service_id', 'not in', eb.selectFrom('services').select('id')), eb('location_id', 'not in', eb.selectFrom('locations').select('id'))]))
        .execute()
    ).length
    return n
  }

  it('imports the same document concurrently without a database error, ending as one import would', async () => {
    const results = await Promise.allSettled([1, 2, 3].map(() => importCatalog(f.master, { document: EXAMPLE })))
    onlyExpected(results, ['already_exists'])
    assert.ok(results.some((r) => r.status === 'fulfilled'))
    const again = await importCatalog(f.master, { document: EXAMPLE })
    assert.equal(Object.values(again).reduce((n, c) => n + c.created + c.updated + c.deleted, 0), 0)
    assert.equal((await exportCatalog(f.master, {})).services.length, EXAMPLE.services.length)
  })

  it('deletes a service racing plans added to it without an orphan', async () => {
    for (let round = 0; round < 4; round++) {
      await createService(f.master, { name: `Racing${round}` })
      const results = await Promise.allSettled([
        ...[0, 1, 2, 3, 4].map((i) => createPlan(f.master, { service: `Racing${round}`, name: `P${i}` })),
        deleteService(f.master, { service: `Racing${round}` }),
        importCatalog(f.master, { document: { services: [{ name: `Racing${round}`, plans: [{ name: 'Imported' }] }] } }),
      ])
      onlyExpected(results, ['not_found', 'already_exists'])
      assert.equal(await orphans(), 0, `round ${round}`)
    }
  })

  it('offers services at locations racing their deletion without an orphan', async () => {
    for (let round = 0; round < 4; round++) {
      const names = [0, 1, 2].map((i) => `Offered${round}-${i}`)
      for (const name of names) await createService(f.master, { name })
      await createLocation(f.master, { name: `race${round}.local` })
      const results = await Promise.allSettled([
        updateLocation(f.master, { location: `race${round}.local`, services: names }),
        createLocation(f.master, { name: `race${round}b.local`, services: names }),
        ...names.map((service) => deleteService(f.master, { service })),
        deleteLocation(f.master, { location: `race${round}.local` }),
        importCatalog(f.master, { document: { locations: [{ name: `race${round}.local`, services: [names[0]!] }] } }),
      ])
      onlyExpected(results, ['not_found', 'invalid_argument', 'already_exists'])
      assert.equal(await orphans(), 0, `round ${round}`)
    }
  })

  it('refuses every write to an actor outside the master organisation, or without catalog.write', async () => {
    const support = await f.as('admin', 'support')
    await assert.rejects(createService(support, { name: 'Nope' }), (e) => isDomainError(e, 'forbidden'))
    await assert.rejects(importCatalog(support, { document: {} }), (e) => isDomainError(e, 'forbidden'))
  })
})
