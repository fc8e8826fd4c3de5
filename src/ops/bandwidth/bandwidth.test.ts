import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { createPlan } from '../plans/create-plan.js'
import { updatePlan } from '../plans/update-plan.js'
import { createSubscription } from '../subscriptions/create-subscription.js'
import { importBandwidth } from './import-bandwidth.js'
import { importBandwidthBatches } from './import-bandwidth-batches.js'
import { getBillableBandwidth } from './get-billable-bandwidth.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import type { Ctx } from '../context.js'

/** 2026-12-31T23:58Z: the current period is 2026-12, and its last slot has begun. */
const NOW = Date.UTC(2026, 11, 31, 23, 58)
const DEC = Date.UTC(2026, 11, 1)
const at = (ms: number) => new Date(ms).toISOString()
const slot = (n: number) => at(DEC + n * 300_000)

/** 100 samples in December whose max(in, out) are 1..100, in shuffled order, alternating which direction peaks. */
function hundred(): { at: string; inBps: number; outBps: number }[] {
  const out = []
  for (let v = 1; v <= 100; v++) {
    const small = Math.floor(v / 2)
    out.push({ at: slot((v * 37) % 100), inBps: v % 2 ? v : small, outBps: v % 2 ? small : v })
  }
  return out
}

function refuses(code: ErrorCode, field?: RegExp) {
  return (e: unknown) => {
    assert.ok(isDomainError(e, code), String(e))
    if (field) assert.match(String(e.details?.field), field)
    return true
  }
}

eachDialect('billable bandwidth', (dialect) => {
  let f: OpsFixture
  let master: Ctx
  let reseller: string
  let viaReseller: string
  let direct: string
  let other: string
  const atNow = (c: Ctx): Ctx => ({ ...c, clock: () => NOW })
  const billable = (c: Ctx, orgId: string, period?: string) => getBillableBandwidth(atNow(c), { orgId, ...(period ? { period } : {}) })
  const count = async (orgId: string) =>
    Number((await f.deps.store.db.selectFrom('bandwidth_samples').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n)

  before(async () => {
    f = await opsFixture(dialect)
    master = atNow(f.master)
    reseller = (await createCustomer(master, { parentId: f.masterId, name: 'BW Reseller', isReseller: true })).id
    viaReseller = (await createCustomer(master, { parentId: reseller, name: 'BW Sub Customer' })).id
    direct = (await createCustomer(master, { parentId: f.masterId, name: 'BW Direct' })).id
    other = (await createCustomer(master, { parentId: f.masterId, name: 'BW Other' })).id
    await createUser(master, { orgId: reseller, username: 'bw-reseller', password: 'bw-reseller-password', role: 'admin' })
    await createUser(master, { orgId: viaReseller, username: 'bw-customer', password: 'bw-customer-password', role: 'admin' })
  })
  after(() => f.close())

  it('bills the 95th percentile of max(in, out) by default: 100 samples 1..100 give 95', async () => {
    const r = await importBandwidth(master, { orgId: direct, samples: hundred() })
    assert.deepEqual(r, { orgId: direct, received: 100, inserted: 100, replaced: 0 })
    const b = await billable(master, direct)
    assert.equal(b.rule, 'p95')
    assert.equal(b.period, '2026-12')
    assert.equal(b.periodStart, '2026-12-01T00:00:00.000Z')
    assert.equal(b.periodEnd, '2027-01-01T00:00:00.000Z')
    assert.equal(b.samples, 100)
    assert.equal(b.billableBitsPerSecond, 95)
    assert.equal(b.billableBytes, undefined)
  })

  it('answers 0 for a period with no samples', async () => {
    const b = await billable(master, other)
    assert.deepEqual([b.rule, b.samples, b.billableBitsPerSecond], ['p95', 0, 0])
  })

  it('bills by the rule of the plan of the first active subscription that names one: max, average, total', async () => {
    const plain = await createPlan(master, { orgId: f.masterId, name: 'BW Plain' })
    const plan = await createPlan(master, { orgId: f.masterId, name: 'BW Max', bandwidthBillingRule: 'max' })
    assert.equal(plan.hosting.bandwidthBillingRule, 'max')
    await createSubscription(master, { orgId: f.masterId, customerOrgId: direct, planId: plain.id })
    const sub = await createSubscription(master, { orgId: f.masterId, customerOrgId: direct, planId: plan.id })
    let b = await billable(master, direct)
    assert.deepEqual([b.rule, b.billableBitsPerSecond, b.subscriptionId, b.planId], ['max', 100, sub.id, plan.id])

    await updatePlan(master, { orgId: f.masterId, planId: plan.id, bandwidthBillingRule: 'average' })
    b = await billable(master, direct)
    assert.deepEqual([b.rule, b.billableBitsPerSecond], ['average', 51]) // mean of 1..100 is 50.5

    await updatePlan(master, { orgId: f.masterId, planId: plan.id, bandwidthBillingRule: 'total' })
    b = await billable(master, direct)
    const bits = hundred().reduce((n, s) => n + s.inBps + s.outBps, 0)
    assert.equal(b.rule, 'total')
    assert.equal(b.billableBytes, (bits * 300) / 8)
    assert.equal(b.billableBitsPerSecond, undefined)

    await updatePlan(master, { orgId: f.masterId, planId: plan.id, bandwidthBillingRule: null })
    b = await billable(master, direct)
    assert.deepEqual([b.rule, b.billableBitsPerSecond, b.subscriptionId], ['p95', 95, undefined])
  })

  it('refuses a rule that is not one of p95, max, average, total', async () => {
    await assert.rejects(createPlan(master, { orgId: f.masterId, name: 'BW Bad', bandwidthBillingRule: 'median' as 'max' }), refuses('invalid_argument'))
  })

  it("counts only the period's samples: last month's are excluded, and billed in their own month", async () => {
    await importBandwidth(master, {
      orgId: other,
      samples: [
        { at: '2026-11-30T23:55:00Z', inBps: 5000, outBps: 0 },
        { at: '2026-12-01T00:00:00Z', inBps: 10, outBps: 20 },
        { at: '2026-12-31T23:55:00Z', inBps: 30, outBps: 5 },
      ],
    })
    const dec = await billable(master, other)
    assert.deepEqual([dec.samples, dec.billableBitsPerSecond], [2, 30])
    const nov = await billable(master, other, '2026-11')
    assert.deepEqual([nov.samples, nov.billableBitsPerSecond, nov.periodStart, nov.periodEnd], [1, 5000, '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'])
    await assert.rejects(billable(master, other, '2026-13'), refuses('invalid_argument', /^period$/))
  })

  it('replaces a stored slot, and refuses two samples for one slot in one import', async () => {
    const r = await importBandwidth(master, { orgId: other, samples: [{ at: '2026-12-01T00:02:30Z', inBps: 40, outBps: 1 }] })
    assert.deepEqual([r.inserted, r.replaced], [0, 1]) // 00:02:30 is in the 00:00 slot
    const b = await billable(master, other)
    assert.deepEqual([b.samples, b.billableBitsPerSecond], [2, 40])
    await assert.rejects(
      importBandwidth(master, {
        orgId: other,
        samples: [
          { at: '2026-12-02T00:00:00Z', inBps: 1, outBps: 1 },
          { at: '2026-12-02T00:04:59Z', inBps: 2, outBps: 2 },
        ],
      }),
      refuses('invalid_argument', /^samples\.1\.at$/),
    )
    assert.equal(await count(other), 3)
  })

  it('refuses bad samples and writes none of the import', async () => {
    const good = { at: '2026-12-03T00:00:00Z', inBps: 1, outBps: 1 }
    const bad: [object, RegExp][] = [
      [{ at: '2026-12-03T00:05:00Z', inBps: -1, outBps: 1 }, /samples\/1\/inBps|samples\.1\.inBps/],
      [{ at: '2026-12-03T00:05:00Z', inBps: NaN, outBps: 1 }, /inBps/],
      [{ at: '2026-12-03T00:05:00Z', inBps: 1.5, outBps: 1 }, /inBps/],
      [{ at: '2026-12-03T00:05:00Z', inBps: 1, outBps: 2e12 }, /outBps/],
      [{ at: '2030-01-01T00:00:00Z', inBps: 1, outBps: 1 }, /^samples\.1\.at$/],
      [{ at: at(NOW + 600_000), inBps: 1, outBps: 1 }, /^samples\.1\.at$/],
      [{ at: '1999-12-31T23:55:00Z', inBps: 1, outBps: 1 }, /^samples\.1\.at$/],
      [{ at: 'yesterday', inBps: 1, outBps: 1 }, /^samples\.1\.at$/],
      [{ at: '2026-12-03T00:05:00', inBps: 1, outBps: 1 }, /^samples\.1\.at$/],
    ]
    for (const [sample, field] of bad) {
      await assert.rejects(importBandwidth(master, { orgId: other, samples: [good, sample as typeof good] }), refuses('invalid_argument', field), JSON.stringify(sample))
    }
    const many = Array.from({ length: 10_001 }, (_, i) => ({ at: at(DEC - (i + 1) * 300_000), inBps: 1, outBps: 1 }))
    await assert.rejects(importBandwidth(master, { orgId: other, samples: many }), refuses('invalid_argument'))
    await assert.rejects(importBandwidthBatches(master, { batches: [{ customer: other, samples: many.slice(0, 6000) }, { customer: direct, samples: many.slice(6000, 10_001) }] }), refuses('invalid_argument'))
    await assert.rejects(importBandwidth(master, { orgId: other, samples: [] }), refuses('invalid_argument'))
    assert.equal(await count(other), 3)
    assert.equal(await count(direct), 100)
  })

  it('lets the master organisation and a reseller report for their subtree only, and a customer read only its own', async () => {
    const r = await f.as('bw-reseller')
    const c = await f.as('bw-customer')
    const sample = [{ at: '2026-12-04T00:00:00Z', inBps: 7, outBps: 3 }]
    assert.equal((await importBandwidth(atNow(r), { orgId: viaReseller, samples: sample })).inserted, 1)
    await assert.rejects(importBandwidth(atNow(c), { orgId: viaReseller, samples: sample }), refuses('forbidden'))
    await assert.rejects(importBandwidth(atNow(r), { orgId: reseller, samples: sample }), refuses('forbidden'))
    await assert.rejects(importBandwidth(atNow(r), { orgId: direct, samples: sample }), refuses('not_found'))
    await assert.rejects(importBandwidth(atNow(await f.as('bw-reseller', 'readonly')), { orgId: viaReseller, samples: sample }), refuses('forbidden'))
    assert.equal((await billable(c, viaReseller)).billableBitsPerSecond, 7)
    assert.equal((await billable(r, viaReseller)).samples, 1)
    await assert.rejects(billable(c, direct), refuses('not_found'))
    await assert.rejects(billable(r, direct), refuses('not_found'))
    // Another customer's samples never count: direct still has its own 100.
    assert.equal((await billable(master, direct)).samples, 100)
  })

  it('imports batches for several customers, by id or code, all or nothing', async () => {
    const code = (await f.deps.store.db.selectFrom('orgs').select('code').where('id', '=', viaReseller).executeTakeFirstOrThrow()).code
    const before = [await count(viaReseller), await count(other)]
    await assert.rejects(
      importBandwidthBatches(master, {
        batches: [
          { customer: code, samples: [{ at: '2026-12-05T00:00:00Z', inBps: 1, outBps: 1 }] },
          { customer: 'NO-SUCH-CODE', samples: [{ at: '2026-12-05T00:00:00Z', inBps: 1, outBps: 1 }] },
        ],
      }),
      refuses('not_found', /^batches\.1\.customer$/),
    )
    assert.deepEqual([await count(viaReseller), await count(other)], before)
    const out = await importBandwidthBatches(master, {
      batches: [
        { customer: code, samples: [{ at: '2026-12-05T00:00:00Z', inBps: 1, outBps: 1 }] },
        { customer: other, samples: [{ at: '2026-12-05T00:00:00Z', inBps: 1, outBps: 1 }] },
      ],
    })
    assert.deepEqual(out.map((o) => [o.orgId, o.inserted]), [[viaReseller, 1], [other, 1]])
  })
})
