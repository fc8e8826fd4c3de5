/**
 * Checks shared by the report operations: who may change definitions, loading one by name,
 * checking a definition against the views, binding a run's parameters, and running a query.
 */
import type { Ctx } from '../context.js'
import { actsForMaster, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import type { ReportParameter, ReportParameterType } from '../../core/reports.js'
import type { Db } from '../../store/store.js'
import { findReportByName, relationNames, type ReportRow } from '../../store/reports.repo.js'
import { subtreeRange } from '../../store/orgs.repo.js'
import { readOnlyPlaceholder, ReadOnlyQueryError, type ReadOnlyResult } from '../../store/read-only-query.js'
import { checkReportQuery, compileReport, type CheckedQuery } from './query-guard.js'

/**
 * Throws `forbidden` unless the actor may change report definitions: it acts for the master
 * organisation and its role carries `catalog.write` (superadmin, owner, admin).
 */
export function requireReportWriter(ctx: Ctx): void {
  requirePermission(ctx, 'catalog.write')
  if (!actsForMaster(ctx)) throw new DomainError('forbidden', 'only the master organisation may change report definitions')
}

/** Loads a report by name (case-insensitive) or throws `not_found` (details.resource `report`). */
export async function getReportRow(db: Db, name: string): Promise<ReportRow> {
  const r = await findReportByName(db, name)
  if (!r) throw new DomainError('not_found', `report ${JSON.stringify(name)} not found`, { resource: 'report', name })
  return r
}

/** Checks a definition's query against the database's current tables. */
export async function checkQuery(ctx: Ctx, query: string): Promise<CheckedQuery> {
  return checkReportQuery(query, await relationNames(ctx.store.db, ctx.store.dialect))
}

/**
 * Checks a definition whole: parameter names unique (any case), defaults of their type, every
 * `:name` of the query declared, and the query prepared by the database over the views (run
 * with every parameter NULL, answering no row). Throws `invalid_argument` naming the field.
 */
export async function checkDefinition(ctx: Ctx, parameters: ReportParameter[], query: string): Promise<void> {
  const seen = new Set<string>()
  parameters.forEach((p, i) => {
    const key = p.name.toLowerCase()
    if (seen.has(key)) throw new DomainError('invalid_argument', `parameters[${i}] repeats the name ${p.name}`, { field: `parameters.${i}.name` })
    seen.add(key)
    if (p.default !== undefined) coerce(p.type, p.default, `parameters.${i}.default`)
  })
  const checked = await checkQuery(ctx, query)
  for (const used of checked.parameters) {
    if (!seen.has(used.toLowerCase())) {
      throw new DomainError('invalid_argument', `the query uses :${used}, which is not one of the report's parameters`, { field: 'query' })
    }
  }
  const values = new Map(parameters.map((p) => [p.name.toLowerCase(), { type: p.type, value: null as unknown }]))
  const c = compileReport(checked, ['/', '/'], values, (i) => readOnlyPlaceholder(ctx.store.dialect, i), true)
  try {
    await ctx.store.readOnly.run(c.text, c.params, { timeoutMs: 5000, maxRows: 1 })
  } catch (e) {
    if (!(e instanceof ReadOnlyQueryError)) throw e
    const why = e.kind === 'timeout' ? 'it took too long to prepare' : e.message
    throw new DomainError('invalid_argument', `the query does not run over the report views: ${why}`, { field: 'query' })
  }
}

/** Normalises a parameter list as stored: `required` always given. */
export function normaliseParameters(list: { name: string; type: ReportParameterType; required?: boolean; default?: string | number | boolean }[]): ReportParameter[] {
  return list.map((p) => ({ name: p.name, type: p.type, required: p.required ?? false, ...(p.default !== undefined ? { default: p.default } : {}) }))
}

const TRUE = new Set(['true', 'yes', '1', '-1'])
const FALSE = new Set(['false', 'no', '0'])
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * A value as bound for a parameter of `type`: text as text (numbers and booleans written out),
 * integers from numbers or decimal text, booleans as 1/0 from true/false or seed 004's
 * spellings (`true`, `yes`, `1`, `-1`, `false`, `no`, `0`, any case), datetimes from ISO 8601
 * text as UTC ISO text. Anything else is `invalid_argument` on `field`.
 */
export function coerce(type: ReportParameterType, v: unknown, field: string): string | number | null {
  if (v === null) return null
  const bad = (what: string): never => {
    throw new DomainError('invalid_argument', `${field} must be ${what}`, { field })
  }
  switch (type) {
    case 'text':
      if (typeof v === 'string') return v
      if (typeof v === 'number' || typeof v === 'boolean') return String(v)
      return bad('text')
    case 'integer': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[+-]?\d{1,16}\s*$/.test(v) ? Number(v) : NaN
      if (!Number.isSafeInteger(n)) bad('an integer')
      return n
    }
    case 'boolean':
      if (typeof v === 'boolean') return v ? 1 : 0
      if (typeof v === 'number' && (v === 0 || v === 1 || v === -1)) return v === 0 ? 0 : 1
      if (typeof v === 'string' && TRUE.has(v.trim().toLowerCase())) return 1
      if (typeof v === 'string' && FALSE.has(v.trim().toLowerCase())) return 0
      return bad('a boolean (true or false)')
    case 'datetime': {
      if (typeof v !== 'string' || !ISO.test(v.trim())) return bad('an ISO 8601 date or time')
      const t = Date.parse(v.trim())
      if (Number.isNaN(t)) bad('an ISO 8601 date or time')
      return new Date(t).toISOString()
    }
  }
}

/**
 * Binds a run's values to the report's parameters: names match any case; an unknown name, a
 * missing required value or a value of the wrong type is `invalid_argument` on
 * `parameters.<name>`. A parameter without a value takes its default, else NULL.
 */
export function bindParameters(
  declared: ReportParameter[],
  given: Record<string, unknown>,
): Map<string, { type: ReportParameterType; value: unknown }> {
  const byKey = new Map(declared.map((p) => [p.name.toLowerCase(), p]))
  const values = new Map<string, unknown>()
  for (const [name, v] of Object.entries(given)) {
    const p = byKey.get(name.toLowerCase())
    if (!p) {
      const known = declared.map((d) => d.name).join(', ') || 'none'
      throw new DomainError('invalid_argument', `the report has no parameter ${JSON.stringify(name)} (its parameters: ${known})`, { field: `parameters.${name}` })
    }
    if (values.has(p.name.toLowerCase())) throw new DomainError('invalid_argument', `parameter ${p.name} is given twice`, { field: `parameters.${name}` })
    values.set(p.name.toLowerCase(), v)
  }
  const out = new Map<string, { type: ReportParameterType; value: unknown }>()
  for (const p of declared) {
    const key = p.name.toLowerCase()
    const raw = values.has(key) && values.get(key) !== null ? values.get(key) : p.default
    if (raw === undefined || raw === null) {
      if (p.required) throw new DomainError('invalid_argument', `parameter ${p.name} is required`, { field: `parameters.${p.name}` })
      out.set(key, { type: p.type, value: null })
      continue
    }
    out.set(key, { type: p.type, value: coerce(p.type, raw, `parameters.${p.name}`) })
  }
  return out
}

/** The scope range of the actor's subtree on `scope_path` (its organisation included). */
export function scopeOf(ctx: Ctx): [string, string] {
  return subtreeRange(ctx.actor.orgPath)
}

/** Runs a compiled query read-only; the runner's failures as `ReadOnlyQueryError`. */
export async function runReadOnly(ctx: Ctx, text: string, params: unknown[], timeoutMs: number, maxRows: number): Promise<ReadOnlyResult> {
  return ctx.store.readOnly.run(text, params, { timeoutMs, maxRows })
}
