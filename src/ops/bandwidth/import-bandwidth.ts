import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { SamplesInput, checkSamples, getReportedOrg, writeSamples, type ImportResult } from './samples.js'

/**
 * Records a customer's traffic: up to 10,000 samples, each the average bits per second in and
 * out over one 5-minute slot (see core/bandwidth.ts), in one transaction.
 *
 * A sample counts for the slot its `at` falls in. Two samples of one import for the same slot
 * are refused; a sample for a slot already stored replaces it (a corrected report). Any bad
 * sample (negative, not an integer, past 1 Tbit/s, `at` not an instant, before 2000 or later
 * than 5 minutes from now) refuses the whole import, naming it, and nothing is written.
 *
 * Only an ancestor reports usage: the master organisation for anyone, a reseller for its
 * subtree; the actor needs `org.write` there.
 */
export const importBandwidth = defineOp({
  name: 'bandwidth.import',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), samples: SamplesInput }, { additionalProperties: false }),
  async run(ctx, input): Promise<ImportResult> {
    requirePermission(ctx, 'org.write')
    const rows = checkSamples(ctx, input.samples)
    return ctx.store.write(async (trx) => writeSamples(ctx, trx, await getReportedOrg(ctx, trx, input.orgId), rows))
  },
})
