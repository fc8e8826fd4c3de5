/**
 * Reports on the native REST face:
 *
 *   GET    /reports                 list (name, description, parameters)
 *   GET    /reports/{name}          one definition, with its query
 *   POST   /reports                 add a definition (201)            master organisation's writers
 *   PUT    /reports/{name}          change a definition               master organisation's writers
 *   DELETE /reports/{name}          remove a definition (204)         master organisation's writers
 *   POST   /reports/{name}/run      run it: JSON {columns, rows}, or CSV with `Accept: text/csv`
 *                                   or `?format=csv` (`header=false` leaves the header line out)
 *
 * Names are case-insensitive and percent-encoded in the path. The rules (views, scoping,
 * timeouts, errors) are the operations' (src/ops/reports/README.md).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { REPORT_COLUMN_TYPES, REPORT_PARAMETER_TYPES, REPORT_VIEWS, type ReportDefinition, type ReportSummary } from '../../core/reports.js'
import { createReport } from '../../ops/reports/create-report.js'
import { updateReport } from '../../ops/reports/update-report.js'
import { deleteReport } from '../../ops/reports/delete-report.js'
import { listReports } from '../../ops/reports/list-reports.js'
import { getReport } from '../../ops/reports/get-report.js'
import { runReport } from '../../ops/reports/run-report.js'
import { REPORT_FUNCTIONS } from '../../ops/reports/query-guard.js'
import { MAX_REPORT_ROWS, MAX_REPORT_TIMEOUT_MS, RunFields } from '../../ops/reports/schema.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { toCsv } from './csv.js'

const Time = Type.String({ format: 'date-time' })
const Value = Type.Union([Type.String(), Type.Number(), Type.Boolean()])

const ParameterWire = Type.Object({
  name: Type.String({ description: 'Written :name in the query; values are matched to it in any case' }),
  type: Type.Enum(REPORT_PARAMETER_TYPES),
  required: Type.Boolean(),
  default: Type.Optional(Value),
})

const SummaryWire = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'Unique, case-insensitively' }),
  description: Type.String(),
  parameters: Type.Array(ParameterWire),
  createdAt: Time,
  updatedAt: Time,
})

const ReportWire = Type.Object({ ...SummaryWire.properties, query: Type.String() }, { $id: 'Report' })

const ResultWire = Type.Object({
  name: Type.String(),
  description: Type.String(),
  columns: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.Enum(REPORT_COLUMN_TYPES),
      seedType: Type.String({ description: "Seed 004's type name: int, float, nvarchar, bit, datetime" }),
    }),
  ),
  rows: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])), { description: 'Each row’s values in column order' }),
})

const toWire = (r: ReportDefinition) => r
const summaryToWire = (r: ReportSummary) => r

const VIEWS_DOC = REPORT_VIEWS.map((v) => `\`${v.name}\` (${v.columns.map((c) => c.name).join(', ')})`).join('; ')
const QUERY_RULES =
  'The query is one SELECT (or WITH … SELECT) statement over the report views — ' +
  `${VIEWS_DOC} — with parameters written \`:name\` and bound, never spliced. It may name no table of the database, ` +
  `use no \`;\`, and call only ${REPORT_FUNCTIONS.join(', ')}; INSERT, UPDATE, DELETE, CREATE, PRAGMA, ATTACH, INTO, FOR and the like are refused anywhere. ` +
  'It is prepared by the database before it is stored (400 with the reason otherwise).'
const WRITERS = 'Master organisation only, with a role that may change the catalogue (superadmin, owner, admin).'
const Params = Type.Object({ name: Type.String({ maxLength: 200 }) })
const at = (name: string) => `/reports/${encodeURIComponent(name)}`

export function reportsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'List the report definitions (seed 004 FIND <report/>)',
        description: 'Any authenticated user; queries are left out (GET /reports/{name} shows one).',
        response: { 200: Type.Object({ items: Type.Array(SummaryWire), total: Type.Integer() }), ...errorResponses(401) },
      },
    },
    async (req) => {
      const items = (await listReports(ctxOf(deps, req), {})).map(summaryToWire)
      return { items, total: items.length }
    },
  )

  r.get(
    '/reports/:name',
    { schema: { tags: ['reports'], summary: 'Get a report definition with its query', params: Params, response: { 200: ReportWire, ...errorResponses(401, 404) } } },
    async (req) => toWire(await getReport(ctxOf(deps, req), { report: req.params.name })),
  )

  r.post(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Add a report definition',
        description: `${WRITERS} ${QUERY_RULES}`,
        body: createReport.input,
        response: { 201: ReportWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const out = await createReport(ctxOf(deps, req), req.body)
      reply.code(201).header('location', at(out.name))
      return toWire(out)
    },
  )

  r.put(
    '/reports/:name',
    {
      schema: {
        tags: ['reports'],
        summary: 'Change a report definition (fields left out keep their values; parameters are replaced whole)',
        description: `${WRITERS} ${QUERY_RULES}`,
        params: Params,
        body: Type.Omit(updateReport.input, ['report'], STRICT),
        response: { 200: ReportWire, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => toWire(await updateReport(ctxOf(deps, req), { ...req.body, report: req.params.name })),
  )

  r.delete(
    '/reports/:name',
    {
      schema: { tags: ['reports'], summary: 'Remove a report definition', description: WRITERS, params: Params, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
    },
    async (req, reply) => {
      await deleteReport(ctxOf(deps, req), { report: req.params.name })
      reply.code(204)
    },
  )

  r.post(
    '/reports/:name/run',
    {
      schema: {
        tags: ['reports'],
        summary: 'Run a report',
        description:
          'Any authenticated user; the run sees only the caller’s organisation and its descendants. ' +
          'Answers JSON, or CSV (RFC 4180, CRLF, header line unless `header=false`) with `Accept: text/csv` or `format=csv`. ' +
          `\`timeoutMs\` stops the query (408); 0 or none means the server's maximum, ${MAX_REPORT_TIMEOUT_MS} ms. ` +
          `More than ${MAX_REPORT_ROWS} rows, or a stored query that fails, answers 409. ` +
          'A missing, unknown or mistyped parameter answers 400 naming `parameters.<name>`; an unknown column 400 naming `columns`.',
        params: Params,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Enum(['json', 'csv'] as const)),
            header: Type.Optional(Type.Boolean({ description: 'CSV only: the header line (default true)' })),
          },
          STRICT,
        ),
        body: Type.Optional(Type.Object(RunFields, STRICT)),
        response: {
          200: ResultWire,
          ...errorResponses(400, 401, 404, 408, 409),
        },
      },
    },
    async (req, typedReply) => {
      const reply: FastifyReply = typedReply
      const result = await runReport(ctxOf(deps, req), { ...(req.body ?? {}), report: req.params.name })
      const wantsCsv = req.query.format === 'csv' || (req.query.format === undefined && prefersCsv(req.headers.accept))
      if (!wantsCsv) return result
      const name = result.name.replace(/[^A-Za-z0-9 ._-]/g, '_')
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(toCsv(req.query.header === false ? undefined : result.columns.map((c) => c.name), result.rows))
    },
  )
}

/** True when the Accept header names text/csv and not JSON before it. */
function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase())
  const csv = types.indexOf('text/csv')
  const json = types.indexOf('application/json')
  return csv >= 0 && (json < 0 || csv < json)
}
