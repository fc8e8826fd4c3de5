import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { deleteReportRow } from '../../store/reports.repo.js'
import { getReportRow, requireReportWriter } from './report-access.js'

/**
 * Removes a report definition (the shipped examples too; they are data like any other).
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise); `not_found` for an unknown report.
 */
export const deleteReport = defineOp({
  name: 'report.delete',
  input: Type.Object({ report: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireReportWriter(ctx)
    await ctx.store.write(async (trx) => {
      const row = await getReportRow(trx, input.report)
      await deleteReportRow(trx, row.id)
    })
  },
})
