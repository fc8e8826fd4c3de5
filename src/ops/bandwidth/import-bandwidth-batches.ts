import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { MAX_SAMPLES_PER_IMPORT } from '../../core/bandwidth.js'
import { findOrgIdByCode } from '../../store/bandwidth.repo.js'
import { SamplesInput, checkSamples, getReportedOrg, writeSamples, type ImportResult } from './samples.js'

/**
 * Records several customers' traffic in one transaction (what `clientele bandwidth import`
 * calls): each batch names its customer by id or short code and carries its samples, under the
 * rules of `bandwidth.import`; at most 10,000 samples in all. One bad sample, an unknown
 * customer, or one the actor may not report for refuses every batch, and nothing is written.
 * A customer named twice is refused (give its samples in one batch).
 */
export const importBandwidthBatches = defineOp({
  name: 'bandwidth.import_batches',
  input: Type.Object(
    {
      batches: Type.Array(Type.Object({ customer: Type.String({ minLength: 1, maxLength: 64, description: 'Org id or short code' }), samples: SamplesInput }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: MAX_SAMPLES_PER_IMPORT,
      }),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ImportResult[]> {
    requirePermission(ctx, 'org.write')
    const total = input.batches.reduce((n, b) => n + b.samples.length, 0)
    if (total > MAX_SAMPLES_PER_IMPORT) throw new DomainError('invalid_argument', `at most ${MAX_SAMPLES_PER_IMPORT} samples per import (${total} given)`, { field: 'batches' })
    const checked = input.batches.map((b, i) => checkSamples(ctx, b.samples, `batches.${i}.samples`))
    return ctx.store.write(async (trx) => {
      const seen = new Set<string>()
      const out: ImportResult[] = []
      for (const [i, b] of input.batches.entries()) {
        const id = isUuid(b.customer) ? b.customer : await findOrgIdByCode(trx, b.customer)
        if (!id) throw new DomainError('not_found', `no customer ${JSON.stringify(b.customer)}`, { resource: 'customer', field: `batches.${i}.customer` })
        const org = await getReportedOrg(ctx, trx, id)
        if (seen.has(org.id)) throw new DomainError('invalid_argument', `customer ${b.customer} is named by two batches`, { field: `batches.${i}.customer` })
        seen.add(org.id)
        out.push(await writeSamples(ctx, trx, org, checked[i]!))
      }
      return out
    })
  },
})
