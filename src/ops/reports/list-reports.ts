import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { ReportSummary } from '../../core/reports.js'
import { listReportRows, toReport } from '../../store/reports.repo.js'

/**
 * Lists every report definition by name, without queries (seed 004's `FIND <report/>`).
 *
 * Any authenticated actor may; definitions are the master organisation's and the same for all.
 */
export const listReports = defineOp({
  name: 'report.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<ReportSummary[]> {
    return (await listReportRows(ctx.store.db)).map((r) => {
      const { query: _query, ...rest } = toReport(r)
      return rest
    })
  },
})
