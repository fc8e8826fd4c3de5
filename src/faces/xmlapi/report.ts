/**
 * The `<report>` entity: FIND lists the report definitions (`report.list`); GET runs one
 * (`report.run`) and answers the seed's shape:
 *
 * ```xml
 * <report><name>…</name><description/><result>
 *   <column type="int">CustomerID</column> …
 *   <row><CustomerID>3</CustomerID> …</row>             (dataformat xml, columnnames="true")
 *   <row><value>3</value> …</row>                       (dataformat xml, columnnames false)
 *   <data><![CDATA[CustomerID\tName…\n1\tCSP…]]></data>  (dataformat tsv; header="true" adds the names)
 * </result></report>
 * ```
 *
 * Tags of a GET: `<name>` (required), `<parameter name="…">value</parameter>` (any number),
 * `<timeout>` in milliseconds (0: the server's maximum), `<column>` (any number: only those
 * columns, in that order), `<dataformat columnnames="…" header="…">xml|tsv</dataformat>`
 * (default xml with column names). Choices where the seed is silent: a column name that is not
 * an XML name is written with `_` for each character XML names cannot hold; values are written as
 * text (dates ISO 8601, booleans True/False, null as an empty element or an empty TSV field);
 * in TSV a tab, CR or LF inside a value becomes a space, so rows and fields stay one per line
 * and tab. Errors: an unknown report is 14 ReportNotFound; a bad parameter, column or timeout,
 * a query that fails or runs past its timeout is 13 ReportError (HTTP 400, 500 for the timeout).
 */
import type { XmlElement } from '../xml/reader.js'
import type { ReportResult, ReportValue } from '../../core/reports.js'
import { listReports } from '../../ops/reports/list-reports.js'
import { runReport } from '../../ops/reports/run-report.js'
import { at, type Call } from './call.js'
import { E, XmlApiError } from './errors.js'
import { add, bool, checkTags, kids, one, parseBool, parseInteger, val, type Node } from './document.js'

const NAME_START = /[A-Za-z_]/
const NAME_CHAR = /[A-Za-z0-9_.-]/

/** A column name as an element name: characters XML names cannot hold become `_`. */
export function elementName(column: string): string {
  let out = ''
  for (const ch of column) out += out === '' ? (NAME_START.test(ch) ? ch : NAME_CHAR.test(ch) ? '_' + ch : '_') : NAME_CHAR.test(ch) ? ch : '_'
  if (out === '') out = '_'
  // Names starting with "xml" (any case) are reserved.
  return /^xml/i.test(out) ? '_' + out : out
}

function text(v: ReportValue): string {
  if (v === null) return ''
  if (typeof v === 'boolean') return bool(v)
  return String(v)
}

const tsvField = (v: ReportValue): string => text(v).replace(/[\t\r\n]/g, ' ')

async function findReport(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, { name: 'ok', description: 'readonly' })
  const name = val(el, 'name')?.toLowerCase()
  const list = await at('report', listReports(call.read, {}))
  return list
    .filter((r) => name === undefined || r.name.toLowerCase() === name)
    .map((r) => ({
      name: r.name,
      description: r.description,
      parameters: r.parameters.length === 0 ? '' : { parameter: r.parameters.map((p) => ({ '@_name': p.name, '@_type': p.type, '@_required': bool(p.required) })) },
    }))
}

async function getReport(call: Call, el: XmlElement): Promise<Node[]> {
  checkTags(el, { name: 'ok', description: 'readonly', parameter: 'ok', parameters: 'ok', timeout: 'ok', column: 'ok', dataformat: 'ok' })
  const name = val(el, 'name')
  if (name === undefined) throw new XmlApiError(E.ReportError, '<report> needs the <name> of the report to run')
  const parameters: Record<string, string> = Object.create(null)
  const paramEls = [...kids(el, 'parameter'), ...(one(el, 'parameters') ? kids(one(el, 'parameters')!, 'parameter') : [])]
  for (const p of paramEls) {
    const pn = Object.entries(p.attrs).find(([k]) => k.toLowerCase() === 'name')?.[1]?.trim()
    if (!pn) throw new XmlApiError(E.ReportError, '<parameter> needs a name attribute: <parameter name="Name">value</parameter>')
    if (p.children.length > 0) throw new XmlApiError(E.InvalidXmlFormat, `<parameter name="${pn}"> takes a value, not elements`)
    if (Object.hasOwn(parameters, pn.toLowerCase())) throw new XmlApiError(E.ReportError, `parameter ${pn} is given twice`)
    parameters[pn] = p.text.trim()
  }
  const t = val(el, 'timeout')
  const timeoutMs = t === undefined ? undefined : parseInteger(t, 'timeout', 0)
  const columns = kids(el, 'column').map((c) => {
    const v = c.text.trim()
    if (v === '' || c.children.length > 0) throw new XmlApiError(E.ReportError, '<column> names one column of the report')
    return v
  })
  let format: 'xml' | 'tsv' = 'xml'
  let names = true
  let header = false
  const df = one(el, 'dataformat')
  if (df) {
    const f = df.text.trim().toLowerCase()
    if (f !== '' && f !== 'xml' && f !== 'tsv') throw new XmlApiError(E.ReportError, '<dataformat> must be xml or tsv')
    format = f === 'tsv' ? 'tsv' : 'xml'
    for (const [k, v] of Object.entries(df.attrs)) {
      const key = k.toLowerCase()
      if (key === 'columnnames') names = parseBool(v, 'dataformat columnnames')
      else if (key === 'header') header = parseBool(v, 'dataformat header')
      else throw new XmlApiError(E.InvalidXmlFormat, `unknown attribute ${k} on <dataformat>`)
    }
  }
  const r = await at('report', runReport(call.read, { report: name, parameters, ...(columns.length > 0 ? { columns } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) }))
  return [reportNode(r, format, names, header)]
}

/** The seed's `<report>` answer of a run. */
export function reportNode(r: ReportResult, format: 'xml' | 'tsv', names: boolean, header: boolean): Node {
  const result: Node = { column: r.columns.map((c) => ({ '@_type': c.seedType, '#text': c.name })) }
  if (format === 'xml') {
    const tags = r.columns.map((c) => elementName(c.name))
    result.row = r.rows.map((row) => {
      if (!names) return { value: row.map(text) }
      const n: Node = Object.create(null)
      row.forEach((v, i) => add(n, tags[i]!, text(v)))
      return n
    })
  } else {
    const lines = r.rows.map((row) => row.map(tsvField).join('\t'))
    if (header) lines.unshift(r.columns.map((c) => tsvField(c.name)).join('\t'))
    result.data = { '#cdata': lines.join('\n') + (lines.length > 0 ? '\n' : '') }
  }
  return { name: r.name, description: r.description, result }
}

export const REPORT_ENTITY = { find: findReport, get: getReport }
