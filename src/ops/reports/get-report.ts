import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { ReportDefinition } from '../../core/reports.js'
import { toReport } from '../../store/reports.repo.js'
import { getReportRow } from './report-access.js'

/**
 * Answers one report definition by name, case-insensitively, with its query (`not_found`, with
 * details.resource `report`, when there is none).
 *
 * Any authenticated actor may.
 */
export const getReport = defineOp({
  name: 'report.get',
  input: Type.Object({ report: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<ReportDefinition> {
    return toReport(await getReportRow(ctx.store.db, input.report))
  },
})
