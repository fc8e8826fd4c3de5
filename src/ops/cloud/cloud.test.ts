import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import { createCustomer } from '../orgs/create-customer.js'
import { deleteOrg } from '../orgs/delete-org.js'
import { createProvider } from './create-provider.js'
import { deleteProvider } from './delete-provider.js'
import { allowProvider } from './allow-provider.js'
import { disallowProvider } from './disallow-provider.js'
import { createCloudAccount } from './create-cloud-account.js'
import { getCustomerWithUsage } from './get-customer-with-usage.js'

/** Every rejection is one of the expected domain errors (never a database error or `internal`). */
function onlyExpected(results: PromiseSettledResult<unknown>[], codes: ErrorCode[]): void {
  for (const r of results) {
    if (r.status === 'rejected') assert.ok(codes.some((c) => isDomainError(r.reason, c)), String(r.reason))
  }
}

eachDialect('cloud operations', (dialect) => {
  let f: OpsFixture
  before(async () => {
    f = await opsFixture(dialect)
  })
  after(() => f.close())

  /** Allowances whose organisation's parent (not the master organisation) lacks the provider. */
  async function orphanAllowances(): Promise<number> {
    const db = f.deps.store.db
    const rows = await db
      .selectFrom('org_cloud_providers as a')
      .innerJoin('orgs as o', 'o.id', 'a.org_id')
      .innerJoin('orgs as p', 'p.id', 'o.parent_id')
      .leftJoin('org_cloud_providers as pa', (j) => j.onRef('pa.org_id', '=', 'p.id').onRef('pa.provider_id', '=', 'a.provider_id'))
      .select('a.org_id')
      .where('p.depth', '>', 0)
      .where('pa.org_id', 'is', null)
      .execute()
    return rows.length
  }

  /** Cloud accounts of live organisations on a provider not allowed to them. */
  async function orphanAccounts(): Promise<number> {
    const db = f.deps.store.db
    const rows = await db
      .selectFrom('cloud_accounts as c')
      .innerJoin('orgs as o', 'o.id', 'c.org_id')
      .leftJoin('org_cloud_providers as a', (j) => j.onRef('a.org_id', '=', 'c.org_id').onRef('a.provider_id', '=', 'c.provider_id'))
      .select('c.id')
      .where('o.depth', '>', 0)
      .where('o.status', '<>', 'deleted')
      .where('a.org_id', 'is', null)
      .execute()
    return rows.length
  }

  it('never leaves a customer a provider its parent lost, when allowing and withdrawing race', async () => {
    const p = await createProvider(f.master, { name: 'Race Cloud' })
    const top = await createCustomer(f.master, { parentId: f.masterId, name: 'Race Top', isReseller: true })
    const kids = []
    for (let i = 0; i < 8; i++) kids.push(await createCustomer(f.master, { parentId: top.id, name: `Race Kid ${i}` }))
    for (let round = 0; round < 5; round++) {
      await allowProvider(f.master, { orgId: top.id, providerId: p.id })
      const results = await Promise.allSettled([
        ...kids.map((k) => allowProvider(f.master, { orgId: k.id, providerId: p.id })),
        disallowProvider(f.master, { orgId: top.id, providerId: p.id }),
      ])
      onlyExpected(results, ['failed_precondition', 'not_found'])
      assert.equal(await orphanAllowances(), 0, `round ${round}`)
    }
  })

  it('never leaves a cloud account on a withdrawn provider, when creating accounts and withdrawing race', async () => {
    const p = await createProvider(f.master, { name: 'Account Race Cloud' })
    const orgs = []
    for (let i = 0; i < 6; i++) orgs.push(await createCustomer(f.master, { parentId: f.masterId, name: `Account Racer ${i}` }))
    for (let round = 0; round < 4; round++) {
      for (const o of orgs) await allowProvider(f.master, { orgId: o.id, providerId: p.id })
      const results = await Promise.allSettled([
        ...orgs.map((o) => createCloudAccount(f.master, { orgId: o.id, providerId: p.id, name: `acct ${round}` })),
        ...orgs.map((o) => disallowProvider(f.master, { orgId: o.id, providerId: p.id })),
      ])
      onlyExpected(results, ['failed_precondition', 'not_found'])
      assert.equal(await orphanAccounts(), 0, `round ${round}`)
    }
  })

  it('deletes a provider racing allowances and accounts without a database error or an orphan', async () => {
    const orgs = []
    for (let i = 0; i < 6; i++) orgs.push(await createCustomer(f.master, { parentId: f.masterId, name: `Delete Racer ${i}` }))
    for (let round = 0; round < 4; round++) {
      const p = await createProvider(f.master, { name: 'Doomed Race Cloud', disambiguation: String(round) })
      const results = await Promise.allSettled([
        ...orgs.map((o) => allowProvider(f.master, { orgId: o.id, providerId: p.id })),
        createCloudAccount(f.master, { orgId: f.masterId, providerId: p.id, name: `master ${round}` }),
        deleteProvider(f.master, { providerId: p.id }),
      ])
      onlyExpected(results, ['failed_precondition', 'not_found'])
      const db = f.deps.store.db
      const gone = (await db.selectFrom('cloud_providers').select('id').where('id', '=', p.id).executeTakeFirst()) === undefined
      const allowances = await db.selectFrom('org_cloud_providers').select('org_id').where('provider_id', '=', p.id).execute()
      if (gone) assert.equal(allowances.length, 0, `round ${round}`)
    }
  })

  it('removes the cloud accounts and allowances of a deleted organisation', async () => {
    const p = await createProvider(f.master, { name: 'Cascade Cloud' })
    const top = await createCustomer(f.master, { parentId: f.masterId, name: 'Cascade Top', isReseller: true })
    const kid = await createCustomer(f.master, { parentId: top.id, name: 'Cascade Kid' })
    await allowProvider(f.master, { orgId: top.id, providerId: p.id })
    await allowProvider(f.master, { orgId: kid.id, providerId: p.id })
    const a = await createCloudAccount(f.master, { orgId: kid.id, providerId: p.id, name: 'kid', servers: 2 })
    assert.deepEqual((await getCustomerWithUsage(f.master, { orgId: kid.id })).resourceUsage, { [a.id]: { servers: 2 } })
    await deleteOrg(f.master, { orgId: top.id, cascade: true })
    const db = f.deps.store.db
    assert.equal((await db.selectFrom('cloud_accounts').select('id').where('org_id', 'in', [top.id, kid.id]).execute()).length, 0)
    assert.equal((await db.selectFrom('org_cloud_providers').select('org_id').where('org_id', 'in', [top.id, kid.id]).execute()).length, 0)
    await assert.rejects(getCustomerWithUsage(f.master, { orgId: kid.id }), (e) => isDomainError(e, 'not_found'))
    await deleteProvider(f.master, { providerId: p.id })
  })
})
