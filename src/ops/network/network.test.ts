import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import type { Ctx } from '../context.js'
import { createCustomer } from '../orgs/create-customer.js'
import { deleteOrg } from '../orgs/delete-org.js'
import { createUser } from '../users/create-user.js'
import { createLocation } from '../catalog/create-location.js'
import { deleteLocation } from '../catalog/delete-location.js'
import { createPool } from './create-pool.js'
import { listPools } from './list-pools.js'
import { getPool } from './get-pool.js'
import { updatePool } from './update-pool.js'
import { deletePool } from './delete-pool.js'
import { addAddress } from './add-address.js'
import { freeAddress } from './free-address.js'
import { listAddresses } from './list-addresses.js'
import { claimAddress } from '../../store/network.repo.js'

async function refused(p: Promise<unknown>, code: ErrorCode, text?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isDomainError(e, code), `expected ${code}, got ${String(e)}`)
    if (text) assert.match((e as Error).message, text)
    return true
  })
}

eachDialect('IP address pools and addresses', (dialect) => {
  let f: OpsFixture
  let resellerA: string
  let resellerB: string
  let custA: string
  let custB: string
  let adminA: Ctx
  let userOfCustA: Ctx
  before(async () => {
    f = await opsFixture(dialect)
    resellerA = (await createCustomer(f.master, { parentId: f.masterId, name: 'Net Reseller A', isReseller: true })).id
    resellerB = (await createCustomer(f.master, { parentId: f.masterId, name: 'Net Reseller B', isReseller: true })).id
    custA = (await createCustomer(f.master, { parentId: resellerA, name: 'Net Customer A' })).id
    custB = (await createCustomer(f.master, { parentId: resellerB, name: 'Net Customer B' })).id
    await createUser(f.master, { orgId: resellerA, username: `neta_${dialect}`, password: 'a-long-password-1', role: 'admin' })
    await createUser(f.master, { orgId: custA, username: `netca_${dialect}`, password: 'a-long-password-1', role: 'admin' })
    adminA = await f.as(`neta_${dialect}`)
    userOfCustA = await f.as(`netca_${dialect}`)
  })
  after(() => f.close())

  it('defines an IPv4 pool with its mask, default gateway and capacity, and refuses overlaps and bad ranges', async () => {
    const p = await createPool(f.master, { name: 'Edge v4', cidr: '198.51.100.0/24' })
    assert.equal(p.family, 'ipv4')
    assert.equal(p.cidr, '198.51.100.0/24')
    assert.equal(p.netmask, '255.255.255.0')
    assert.equal(p.gateway, '198.51.100.1')
    assert.equal(p.capacity, '253')
    assert.equal(p.allocated, 0)
    await refused(createPool(f.master, { name: 'Inside', cidr: '198.51.100.128/25' }), 'already_exists', /overlaps pool "Edge v4"/)
    await refused(createPool(f.master, { name: 'Around', cidr: '198.51.0.0/16' }), 'already_exists', /overlaps/)
    await refused(createPool(f.master, { name: 'edge V4', cidr: '203.0.113.0/24' }), 'already_exists')
    await refused(createPool(f.master, { name: 'Host bits', cidr: '203.0.113.5/24' }), 'invalid_argument', /203\.0\.113\.0\/24/)
    await refused(createPool(f.master, { name: 'Tiny', cidr: '203.0.113.0/31' }), 'invalid_argument', /\/16–\/30/)
    await refused(createPool(f.master, { name: 'Huge', cidr: '10.0.0.0/8' }), 'invalid_argument')
    await refused(createPool(f.master, { name: 'Word', cidr: 'not-a-network' }), 'invalid_argument')
    await refused(createPool(f.master, { name: 'Short', cidr: '10.1/24' }), 'invalid_argument')
    await refused(createPool(f.master, { name: 'GwOut', cidr: '203.0.113.0/24', gateway: '203.0.114.1' }), 'invalid_argument', /not in/)
    await refused(createPool(f.master, { name: 'GwBcast', cidr: '203.0.113.0/24', gateway: '203.0.113.255' }), 'invalid_argument', /broadcast/)
  })

  it('lets only the master organisation with catalogue rights define pools; anyone reads them', async () => {
    await refused(createPool(adminA, { name: 'Reseller pool', cidr: '192.0.2.0/24' }), 'forbidden')
    await refused(createPool(await f.as('admin', 'support'), { name: 'Support pool', cidr: '192.0.2.0/24' }), 'forbidden')
    assert.ok((await listPools(userOfCustA, {})).some((p) => p.name === 'Edge v4'))
    await refused(deletePool(adminA, { pool: 'Edge v4' }), 'forbidden')
    await refused(updatePool(adminA, { pool: 'Edge v4', name: 'x' }), 'forbidden')
  })

  it('ties a pool to a catalogue location by name and forgets it when the location goes', async () => {
    await createLocation(f.master, { name: `Net DC ${dialect}` })
    const p = await createPool(f.master, { name: 'Located', cidr: '192.0.2.0/28', location: `net dc ${dialect}` })
    assert.equal(p.location, `Net DC ${dialect}`)
    await refused(createPool(f.master, { name: 'Nowhere', cidr: '192.0.2.16/28', location: 'No Such DC' }), 'not_found')
    await deleteLocation(f.master, { location: `Net DC ${dialect}` })
    assert.equal((await getPool(f.master, { pool: p.id })).location, null)
    await deletePool(f.master, { pool: 'Located' })
  })

  it('gives the lowest free address in order, skipping the gateway, and runs out with failed_precondition', async () => {
    await createPool(f.master, { name: 'Order', cidr: '100.64.0.0/29', gateway: '100.64.0.4' })
    const got: string[] = []
    for (let i = 0; i < 5; i++) got.push((await addAddress(adminA, { orgId: custA, pool: 'Order' })).address)
    assert.deepEqual(got, ['100.64.0.1', '100.64.0.2', '100.64.0.3', '100.64.0.5', '100.64.0.6'])
    await refused(addAddress(adminA, { orgId: custA, pool: 'Order' }), 'failed_precondition', /no free address/)
    assert.equal((await getPool(f.master, { pool: 'order' })).allocated, 5)
  })

  it('a /30 has one address to give, then a clear failed_precondition', async () => {
    await createPool(f.master, { name: 'Thirty', cidr: '100.64.1.0/30' })
    const a = await addAddress(adminA, { orgId: custA, pool: 'Thirty' })
    assert.equal(a.address, '100.64.1.2')
    assert.equal(a.netmask, '255.255.255.252')
    assert.equal(a.gateway, '100.64.1.1')
    await refused(addAddress(f.master, { orgId: custB, pool: 'Thirty' }), 'failed_precondition', /pool "Thirty" has no free address/)
  })

  it('frees an address and gives it again (lowest gap first)', async () => {
    await createPool(f.master, { name: 'Reuse', cidr: '100.64.2.0/28' })
    for (let i = 0; i < 4; i++) await addAddress(adminA, { orgId: custA, pool: 'Reuse' })
    await freeAddress(adminA, { orgId: custA, address: '100.64.2.3' })
    assert.ok(!(await listAddresses(adminA, { orgId: custA })).some((a) => a.address === '100.64.2.3'))
    await refused(freeAddress(adminA, { orgId: custA, address: '100.64.2.3' }), 'not_found')
    assert.equal((await addAddress(f.master, { orgId: custB, pool: 'Reuse' })).address, '100.64.2.3')
    assert.equal((await addAddress(adminA, { orgId: custA, pool: 'Reuse' })).address, '100.64.2.6')
  })

  it('gives a requested address only when it is in a pool, free and not reserved', async () => {
    await createPool(f.master, { name: 'Ask', cidr: '100.64.3.0/24', gateway: '100.64.3.254' })
    const a = await addAddress(adminA, { orgId: custA, address: '100.64.3.77' })
    assert.equal(a.pool, 'Ask')
    await refused(addAddress(f.master, { orgId: custB, address: '100.64.3.77' }), 'already_exists', /already given/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.3.77' }), 'already_exists', /to this customer/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.3.0' }), 'invalid_argument', /network address/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.3.255' }), 'invalid_argument', /broadcast address/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.3.254' }), 'invalid_argument', /gateway address/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.65.0.1' }), 'invalid_argument', /not in any pool/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.3.9', pool: 'Reuse' }), 'invalid_argument', /not in pool "Reuse"/)
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.3' }), 'invalid_argument', /not an IP address/)
    await refused(addAddress(adminA, { orgId: custA, address: 'banana' }), 'invalid_argument', /not an IP address/)
    await refused(addAddress(adminA, { orgId: custA, pool: 'No such pool' }), 'not_found')
  })

  it('allocates from an IPv6 /64 without enumerating it', async () => {
    const p = await createPool(f.master, { name: 'Six', cidr: '2001:db8:1::/64' })
    assert.equal(p.family, 'ipv6')
    assert.equal(p.netmask, '64')
    assert.equal(p.gateway, '2001:db8:1::1')
    assert.equal(p.capacity, String(2n ** 64n - 2n))
    const a = await addAddress(adminA, { orgId: custA, pool: 'Six' })
    assert.deepEqual([a.address, a.prefixLength, a.family], ['2001:db8:1::2', 64, 'ipv6'])
    const last = await addAddress(adminA, { orgId: custA, address: '2001:DB8:1:0:FFFF:FFFF:FFFF:FFFF' })
    assert.equal(last.address, '2001:db8:1:0:ffff:ffff:ffff:ffff')
    // the gap between ::2 and the last address is found at once
    assert.equal((await addAddress(adminA, { orgId: custA, pool: 'Six' })).address, '2001:db8:1::3')
    await refused(addAddress(adminA, { orgId: custA, address: '2001:db8:1::' }), 'invalid_argument', /network address/)
    await refused(createPool(f.master, { name: 'Six inside', cidr: '2001:db8:1::/96' }), 'already_exists')
    await refused(createPool(f.master, { name: 'Six huge', cidr: '2001:db8::/32' }), 'invalid_argument')
    await freeAddress(adminA, { orgId: custA, address: '2001:db8:1:0:ffff:ffff:ffff:ffff' })
  })

  it('keeps customers apart: another reseller\'s customer is not_found, a customer reads its own and may not allocate', async () => {
    await refused(listAddresses(adminA, { orgId: custB }), 'not_found')
    await refused(addAddress(adminA, { orgId: custB, pool: 'Ask' }), 'not_found')
    await refused(freeAddress(adminA, { orgId: custB, address: '100.64.2.3' }), 'not_found')
    const own = await listAddresses(userOfCustA, { orgId: custA })
    assert.ok(own.length > 0)
    assert.ok(own.every((a) => a.since && a.netmask && a.gateway && a.pool))
    await refused(addAddress(userOfCustA, { orgId: custA, pool: 'Ask' }), 'forbidden')
    await refused(freeAddress(userOfCustA, { orgId: custA, address: own[0]!.address }), 'forbidden')
    await refused(addAddress(adminA, { orgId: resellerA, pool: 'Ask' }), 'forbidden')
  })

  it('refuses to delete a pool with addresses, deletes it once they are freed, and records the requests', async () => {
    await createPool(f.master, { name: 'Gone', cidr: '100.64.4.0/29' })
    const a = await addAddress(adminA, { orgId: custA, pool: 'Gone' })
    await refused(deletePool(f.master, { pool: 'Gone' }), 'failed_precondition', /free it first/)
    await refused(updatePool(f.master, { pool: 'Gone', gateway: a.address }), 'failed_precondition')
    await freeAddress(adminA, { orgId: custA, address: a.address })
    await deletePool(f.master, { pool: 'Gone' })
    await refused(getPool(f.master, { pool: 'Gone' }), 'not_found')
    const ops = await f.deps.store.db.selectFrom('requests').select(['operation', 'status']).where('operation', 'like', 'ip_%').execute()
    const names = new Set(ops.map((o) => o.operation))
    for (const n of ['ip_pool.create', 'ip_pool.delete', 'ip_address.add', 'ip_address.free']) assert.ok(names.has(n), n)
  })

  it('never gives one address twice under concurrent allocation', async () => {
    await createPool(f.master, { name: 'Race', cidr: '100.64.5.0/27' })
    const custs = [custA, custB]
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => addAddress(f.master, { orgId: custs[i % 2]!, pool: 'Race' })))
    const got = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ address: string }>).value.address)
    for (const r of results) if (r.status === 'rejected') assert.ok(isDomainError(r.reason, 'failed_precondition'), String(r.reason))
    assert.equal(got.length, 29) // a /27 has 32 addresses: less network, broadcast and gateway
    assert.equal(new Set(got).size, got.length)
  })

  it('the unique address key lets exactly one of several concurrent claims of one address win', async () => {
    const pool = await createPool(f.master, { name: 'Claim', cidr: '100.64.6.0/29' })
    const row = (org: string, i: number) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, pool_id: pool.id, org_id: org, address: '100.64.6.5', created_at: new Date().toISOString() })
    const key = '4' + (0x64400605).toString(16).padStart(8, '0')
    const wins = await Promise.all([custA, custB, custA, custB].map((org, i) => f.deps.store.write((trx) => claimAddress(trx, { ...row(org, i), address_key: key }))))
    assert.equal(wins.filter(Boolean).length, 1)
    const held = await listAddresses(f.master, { orgId: custA })
    const heldB = await listAddresses(f.master, { orgId: custB })
    assert.equal([...held, ...heldB].filter((a) => a.address === '100.64.6.5').length, 1)
    // and asking for it afterwards is refused
    await refused(addAddress(adminA, { orgId: custA, address: '100.64.6.5' }), 'already_exists')
  })

  it('gives a deleted customer\'s addresses back to their pools and gives it no more', async () => {
    await createPool(f.master, { name: 'Leaving', cidr: '100.64.7.0/29' })
    const gone = (await createCustomer(f.master, { parentId: resellerA, name: 'Net Leaving' })).id
    const a = await addAddress(adminA, { orgId: gone, pool: 'Leaving' })
    await deleteOrg(f.master, { orgId: gone })
    await refused(addAddress(adminA, { orgId: gone, pool: 'Leaving' }), 'failed_precondition', /deleted/)
    assert.equal((await addAddress(adminA, { orgId: custA, pool: 'Leaving' })).address, a.address)
  })
})
