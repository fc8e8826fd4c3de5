import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { ReportDefinition } from '../../core/reports.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { reportKey, toReport, updateReportRow, type ReportRow } from '../../store/reports.repo.js'
import { checkDefinition, getReportRow, normaliseParameters, requireReportWriter } from './report-access.js'
import { ReportFields, ReportName } from './schema.js'

/**
 * Changes a report definition, its name included; fields left out keep their values, and
 * `parameters` is replaced whole. The resulting definition is checked as `report.create`
 * checks a new one.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise); `not_found` for an unknown report; names stay unique (`already_exists`).
 */
export const updateReport = defineOp({
  name: 'report.update',
  input: Type.Object(
    {
      report: Type.String({ maxLength: 200 }),
      name: Type.Optional(ReportName),
      description: ReportFields.description,
      parameters: ReportFields.parameters,
      query: Type.Optional(ReportFields.query),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<ReportDefinition> {
    requireReportWriter(ctx)
    const old = toReport(await getReportRow(ctx.store.db, input.report))
    const parameters = input.parameters !== undefined ? normaliseParameters(input.parameters) : old.parameters
    const query = input.query ?? old.query
    await checkDefinition(ctx, parameters, query)
    return ctx.store.write(async (trx) => {
      const row = await getReportRow(trx, input.report)
      const set: Partial<ReportRow> = {}
      if (input.name !== undefined) {
        set.name = input.name
        set.name_key = reportKey(input.name)
      }
      if (input.description !== undefined) set.description = input.description
      if (input.parameters !== undefined) set.parameters = JSON.stringify(parameters)
      if (input.query !== undefined) set.query = query
      if (Object.keys(set).length > 0) set.updated_at = nowIso(ctx.clock)
      await mapUnique(
        () => updateReportRow(trx, row.id, set),
        () => `a report named ${JSON.stringify(input.name)} already exists`,
      )
      return toReport({ ...row, ...set })
    })
  },
})
