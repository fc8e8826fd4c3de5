import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { newId } from '../../core/ids.js'
import type { ReportDefinition } from '../../core/reports.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { insertReport, reportKey, toReport } from '../../store/reports.repo.js'
import { checkDefinition, normaliseParameters, requireReportWriter } from './report-access.js'
import { ReportFields, ReportName } from './schema.js'

/**
 * Adds a report definition. The query is checked (one SELECT over the report views, see
 * README.md) and prepared by the database before it is stored; `invalid_argument` names the
 * field that is refused.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). Names are unique case-insensitively (`already_exists`).
 */
export const createReport = defineOp({
  name: 'report.create',
  input: Type.Object({ name: ReportName, ...ReportFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<ReportDefinition> {
    requireReportWriter(ctx)
    const parameters = normaliseParameters(input.parameters ?? [])
    await checkDefinition(ctx, parameters, input.query)
    const now = nowIso(ctx.clock)
    const row = {
      id: newId(),
      name: input.name,
      name_key: reportKey(input.name),
      description: input.description ?? '',
      parameters: JSON.stringify(parameters),
      query: input.query,
      created_at: now,
      updated_at: now,
    }
    await ctx.store.write((trx) =>
      mapUnique(
        () => insertReport(trx, row),
        () => `a report named ${JSON.stringify(input.name)} already exists`,
      ),
    )
    return toReport(row)
  },
})
