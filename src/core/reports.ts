/**
 * Reports: named, parameterised, read-only queries over documented views of the data (seed
 * 004's `report` entity; the native REST `/reports`). The master organisation manages the
 * definitions; every authenticated actor may list and run them, and a run sees only the
 * runner's subtree (see `ops/reports/README.md` for how that is enforced).
 */

/** The type of a report parameter, as a definition declares it. */
export const REPORT_PARAMETER_TYPES = ['text', 'integer', 'boolean', 'datetime'] as const
export type ReportParameterType = (typeof REPORT_PARAMETER_TYPES)[number]

/** The neutral type of a result column. */
export const REPORT_COLUMN_TYPES = ['text', 'integer', 'number', 'boolean', 'datetime'] as const
export type ReportColumnType = (typeof REPORT_COLUMN_TYPES)[number]

/** A parameter of a report: bound to the query's `:name` placeholders, never spliced into it. */
export interface ReportParameter {
  name: string
  type: ReportParameterType
  required: boolean
  /** Used when the caller gives no value; absent: NULL (for a parameter that is not required). */
  default?: string | number | boolean
}

/** A report definition. */
export interface ReportDefinition {
  id: string
  /** Unique case-insensitively; the name every face addresses it by. */
  name: string
  description: string
  parameters: ReportParameter[]
  /** One SELECT (or WITH … SELECT) over the report views (`REPORT_VIEWS`). */
  query: string
  createdAt: string
  updatedAt: string
}

/** A report definition as listed: everything but its query. */
export type ReportSummary = Omit<ReportDefinition, 'query'>

/** A column of a report's result. */
export interface ReportColumn {
  name: string
  type: ReportColumnType
  /** The type as seed 004 writes it in `<column type="…">` (`int`, `nvarchar`, `bit`, `datetime`, `float`). */
  seedType: string
}

/** A value of a result cell. */
export type ReportValue = string | number | boolean | null

/** What a run answers: its columns in order, and its rows as arrays in the same order. */
export interface ReportResult {
  name: string
  description: string
  columns: ReportColumn[]
  rows: ReportValue[][]
}

const SEED_TYPES: Record<ReportColumnType, string> = {
  integer: 'int',
  number: 'float',
  text: 'nvarchar',
  boolean: 'bit',
  datetime: 'datetime',
}

/** Maps a neutral column type to seed 004's SQL Server type name. */
export function seedColumnType(t: ReportColumnType): string {
  return SEED_TYPES[t]
}

/** A column of a report view. */
export interface ReportViewColumn {
  name: string
  type: ReportColumnType
  nullable: boolean
  description: string
}

/** A view reports may read. */
export interface ReportView {
  /** The name a report's query uses. */
  name: string
  description: string
  columns: ReportViewColumn[]
}

const col = (name: string, type: ReportColumnType, description: string, nullable = false): ReportViewColumn => ({ name, type, nullable, description })

/**
 * The views a report's query may read, with their columns. Times are ISO-8601 UTC text;
 * booleans are answered as true/false. A run sees only the rows of the runner's organisation
 * and its descendants.
 */
export const REPORT_VIEWS: readonly ReportView[] = [
  {
    name: 'report_customers',
    description: 'Every organisation (the master organisation, resellers, customers), deleted ones included (status `deleted`).',
    columns: [
      col('customer_id', 'integer', 'The organisation number (seed 004 CustomerID)'),
      col('id', 'text', 'The organisation id (UUID)'),
      col('name', 'text', 'The short code (`CSP`, `BAC`; seed 004 Name)'),
      col('label', 'text', 'The full name (seed 004 Label)'),
      col('description', 'text', 'Free text'),
      col('contact_name', 'text', 'The contact’s name'),
      col('contact_email', 'text', 'The contact’s e-mail'),
      col('primary_domain', 'text', 'The primary domain'),
      col('billing_id', 'text', 'The billing system’s id'),
      col('external_id', 'text', 'An external system’s id'),
      col('address', 'text', 'Postal address'),
      col('city', 'text', 'City'),
      col('country', 'text', 'Country'),
      col('status', 'text', 'Lifecycle status: active, configured, suspended, disabled, deleted'),
      col('enabled', 'boolean', 'Whether it is enabled'),
      col('is_reseller', 'boolean', 'Whether it may have customers'),
      col('parent_id', 'integer', 'The parent organisation’s number (null for the master organisation)', true),
      col('depth', 'integer', 'Levels below the master organisation (0 for it)'),
      col('created', 'datetime', 'When it was created'),
      col('updated', 'datetime', 'When it last changed'),
    ],
  },
  {
    name: 'report_users',
    description: 'Every user of every organisation.',
    columns: [
      col('user_id', 'text', 'The user id (UUID)'),
      col('username', 'text', 'The login name'),
      col('email', 'text', 'E-mail'),
      col('first_name', 'text', 'First name'),
      col('last_name', 'text', 'Last name'),
      col('role', 'text', 'Role in its organisation (superadmin, owner, admin, support, billing, member, readonly)'),
      col('enabled', 'boolean', 'Whether the user may log in'),
      col('customer_id', 'integer', 'Its organisation’s number'),
      col('customer_name', 'text', 'Its organisation’s short code'),
      col('created', 'datetime', 'When it was created'),
      col('updated', 'datetime', 'When it last changed'),
    ],
  },
  {
    name: 'report_services',
    description: 'The services customers hold (customer services), in every provisioning status.',
    columns: [
      col('customer_id', 'integer', 'The customer’s number'),
      col('customer_name', 'text', 'The customer’s short code'),
      col('service', 'text', 'The catalogue service’s short name (`HE`)'),
      col('service_label', 'text', 'The catalogue service’s display name'),
      col('location', 'text', 'The location it is provisioned at', true),
      col('status', 'text', 'Provisioning status (NotProvisioned, Requested, InProgress, Provisioned, Failed, Pending)'),
      col('user_limit', 'integer', 'Users it may be given to (null: unlimited)', true),
      col('users_count', 'integer', 'Users holding it'),
      col('is_billed', 'boolean', 'Whether it is billed'),
      col('created', 'datetime', 'When it was first requested'),
      col('updated', 'datetime', 'When it last changed'),
      col('provisioned', 'datetime', 'When it was last provisioned', true),
    ],
  },
  {
    name: 'report_requests',
    description: 'Every recorded request (each mutation, with its status and times).',
    columns: [
      col('request_id', 'integer', 'The request id (seed 004 request id)'),
      col('guid', 'text', 'The request guid'),
      col('parent_request_id', 'integer', 'The parent request’s id', true),
      col('operation', 'text', 'The operation (`customer.create`)'),
      col('via', 'text', 'How the actor authenticated (basic, bearer, session, system)'),
      col('target', 'text', 'What it concerns (`org:<id>`)'),
      col('status', 'text', 'queued, running, succeeded, failed'),
      col('error', 'text', 'Why it failed', true),
      col('received', 'datetime', 'When it was received'),
      col('started', 'datetime', 'When its work started', true),
      col('finished', 'datetime', 'When it finished', true),
    ],
  },
]

/**
 * The type of a result column named `name` when it comes straight from a view: a view column
 * whose name, lower-cased without underscores, equals the result column's name lower-cased
 * (`customer_id` types `CustomerID`, `created` types `Created`).
 */
export function viewColumnType(name: string): ReportColumnType | undefined {
  return VIEW_TYPES.get(name.toLowerCase().replace(/_/g, ''))
}

const VIEW_TYPES = new Map<string, ReportColumnType>()
for (const v of REPORT_VIEWS) for (const c of v.columns) VIEW_TYPES.set(c.name.replace(/_/g, ''), c.type)
