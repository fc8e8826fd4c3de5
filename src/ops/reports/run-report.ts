import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { actsForMaster } from '../access.js'
import { DomainError, isDomainError } from '../../core/errors.js'
import { seedColumnType, viewColumnType, type ReportColumnType, type ReportResult, type ReportValue } from '../../core/reports.js'
import { readOnlyPlaceholder, ReadOnlyQueryError, type DbColumnType } from '../../store/read-only-query.js'
import { toReport } from '../../store/reports.repo.js'
import { bindParameters, checkQuery, getReportRow, runReadOnly, scopeOf } from './report-access.js'
import { compileReport } from './query-guard.js'
import { MAX_REPORT_ROWS, MAX_REPORT_TIMEOUT_MS, RunFields } from './schema.js'

/**
 * Runs a report and answers its columns (name, neutral type, seed 004 type) and rows.
 *
 * Any authenticated actor may; the run sees only the actor's organisation and its descendants,
 * whoever wrote the query (the report views are limited to that subtree before the query reads
 * them; see README.md). Parameters are bound, never spliced into the SQL.
 *
 * Errors: `not_found` (details.resource `report`) for an unknown report; `invalid_argument`
 * with details.field `parameters.<name>` for an unknown, missing or mistyped parameter and
 * `columns` for an unknown or repeated column; `deadline_exceeded` when the query runs past
 * `timeoutMs` (it is stopped); `failed_precondition` (details.reason `query_failed` or
 * `too_many_rows`) when the stored query fails or answers more than 50,000 rows — the database's
 * message is shown to actors of the master organisation only.
 */
export const runReport = defineOp({
  name: 'report.run',
  input: Type.Object({ report: Type.String({ maxLength: 200 }), ...RunFields }, { additionalProperties: false }),
  async run(ctx, input): Promise<ReportResult> {
    const def = toReport(await getReportRow(ctx.store.db, input.report))
    const values = bindParameters(def.parameters, input.parameters ?? {})
    const timeoutMs = input.timeoutMs === undefined || input.timeoutMs === 0 ? MAX_REPORT_TIMEOUT_MS : Math.min(input.timeoutMs, MAX_REPORT_TIMEOUT_MS)
    let checked
    try {
      checked = await checkQuery(ctx, def.query)
    } catch (e) {
      if (!isDomainError(e, 'invalid_argument')) throw e
      throw failed(ctx, def.name, e.message)
    }
    const c = compileReport(checked, scopeOf(ctx), values, (i) => readOnlyPlaceholder(ctx.store.dialect, i))
    let result
    try {
      result = await runReadOnly(ctx, c.text, c.params, timeoutMs, MAX_REPORT_ROWS)
    } catch (e) {
      if (!(e instanceof ReadOnlyQueryError)) throw e
      if (e.kind === 'timeout') {
        throw new DomainError('deadline_exceeded', `report ${JSON.stringify(def.name)} ran past ${timeoutMs} ms and was stopped`, { resource: 'report', timeoutMs })
      }
      if (e.kind === 'too_many_rows') {
        throw new DomainError('failed_precondition', `report ${JSON.stringify(def.name)} answers more than ${MAX_REPORT_ROWS} rows; narrow it with its parameters`, {
          resource: 'report',
          reason: 'too_many_rows',
        })
      }
      throw failed(ctx, def.name, e.message)
    }

    const all = result.columns.map((col, i) => {
      const type = viewColumnType(col.name) ?? fromDb(col.type) ?? inferred(result.rows, i)
      return { name: col.name, type, seedType: seedColumnType(type), index: i }
    })
    const picked = input.columns === undefined ? all : pick(all, input.columns)
    return {
      name: def.name,
      description: def.description,
      columns: picked.map(({ name, type, seedType }) => ({ name, type, seedType })),
      rows: result.rows.map((row) => picked.map((col) => cell(row[col.index], col.type))),
    }
  },
})

function failed(ctx: Parameters<typeof runReport>[0], name: string, why: string): DomainError {
  const message = actsForMaster(ctx)
    ? `report ${JSON.stringify(name)} failed: ${why}`
    : `report ${JSON.stringify(name)} failed; its definition must be fixed by the master organisation`
  return new DomainError('failed_precondition', message, { resource: 'report', reason: 'query_failed' })
}

/** The columns named in `names`, in that order: exact names first, then any case. */
function pick<C extends { name: string }>(all: C[], names: string[]): C[] {
  const seen = new Set<C>()
  return names.map((n) => {
    const exact = all.filter((c) => c.name === n)
    const loose = exact.length > 0 ? exact : all.filter((c) => c.name.toLowerCase() === n.toLowerCase())
    if (loose.length !== 1) {
      const known = all.map((c) => c.name).join(', ')
      throw new DomainError('invalid_argument', loose.length === 0 ? `the report has no column ${JSON.stringify(n)} (its columns: ${known})` : `the column name ${JSON.stringify(n)} is ambiguous`, { field: 'columns' })
    }
    const c = loose[0]!
    if (seen.has(c)) throw new DomainError('invalid_argument', `the column ${JSON.stringify(n)} is named twice`, { field: 'columns' })
    seen.add(c)
    return c
  })
}

function fromDb(t: DbColumnType): ReportColumnType | undefined {
  return t
}

/** The type of a computed column, from its values: integer, number, boolean, else text. */
function inferred(rows: unknown[][], i: number): ReportColumnType {
  let type: ReportColumnType | undefined
  for (const r of rows) {
    const v = r[i]
    if (v === null || v === undefined) continue
    const t: ReportColumnType = typeof v === 'boolean' ? 'boolean' : typeof v === 'number' || typeof v === 'bigint' ? (Number.isInteger(Number(v)) ? 'integer' : 'number') : 'text'
    if (type === undefined) type = t
    else if (type !== t) {
      if ((type === 'integer' && t === 'number') || (type === 'number' && t === 'integer')) type = 'number'
      else return 'text'
    }
  }
  return type ?? 'text'
}

/** A cell as answered: booleans as true/false, big integers and times as plain values. */
function cell(v: unknown, type: ReportColumnType): ReportValue {
  if (v === null || v === undefined) return null
  if (type === 'boolean' && (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string')) return Number(v) !== 0
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.toISOString()
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if ((type === 'integer' || type === 'number') && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  return String(v)
}
