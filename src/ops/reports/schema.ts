/**
 * Input fields of report definitions and runs, shared by the report operations and the faces
 * that derive their wire schemas from them.
 *
 * Limits: names as catalogue names (1–100 characters, no `/` or control characters, no
 * surrounding spaces); descriptions 2000; at most 50 parameters, each named like an SQL
 * identifier (`^[A-Za-z_][A-Za-z0-9_]{0,62}$`, unique case-insensitively); queries 20,000
 * characters; parameter values 4000 characters; at most 200 selected columns.
 */
import { Type } from 'typebox'
import { CatalogName } from '../catalog/schema.js'
import { REPORT_PARAMETER_TYPES } from '../../core/reports.js'
import { MAX_QUERY_LENGTH } from './query-guard.js'

/** A report's name. */
export const ReportName = CatalogName

/** A value given for a parameter (coerced to its declared type; see `bindParameters`). */
export const ParameterValue = Type.Union([Type.String({ maxLength: 4000 }), Type.Number(), Type.Boolean(), Type.Null()])

/** A declared parameter. */
export const ReportParameterInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Written :name in the query' }),
    type: Type.Enum(REPORT_PARAMETER_TYPES, { description: 'text, integer, boolean or datetime (ISO 8601)' }),
    required: Type.Optional(Type.Boolean({ description: 'A run without a value (and no default) is refused; default false' })),
    default: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Number(), Type.Boolean()], { description: 'Used when a run gives no value' })),
  },
  { additionalProperties: false },
)

/** The fields of a definition other than its name. */
export const ReportFields = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  parameters: Type.Optional(Type.Array(ReportParameterInput, { maxItems: 50 })),
  query: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'One SELECT (or WITH … SELECT) over the report views; parameters written :name' }),
}

/** The largest run timeout, in ms; `0` or none means this. */
export const MAX_REPORT_TIMEOUT_MS = 30_000

/** The most rows a run answers; more fail the run. */
export const MAX_REPORT_ROWS = 50_000

/** What a run takes besides the report's name. */
export const RunFields = {
  parameters: Type.Optional(Type.Record(Type.String({ maxLength: 63 }), ParameterValue, { propertyNames: { maxLength: 63 }, description: 'Values by parameter name (any case)' })),
  columns: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, description: 'Answer only these columns, in this order' })),
  timeoutMs: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: `Stop the query after this many ms; 0 or none: the server's maximum (${MAX_REPORT_TIMEOUT_MS} ms), which also caps larger values` }),
  ),
}
