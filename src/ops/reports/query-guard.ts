/**
 * The checks a report's query passes before it is stored and again before each run, and the
 * SQL the runner sends for it. See README.md beside this file for the rules and why.
 *
 * The query is tokenised here (strings, quoted identifiers, comments, `:name` parameters) and
 * the text sent to the database is rebuilt from those tokens, so the database parses exactly
 * what was checked: comments are dropped, every `:name` becomes a bound parameter, and the
 * report views are put in front as common table expressions limited to the runner's subtree.
 */
import { DomainError } from '../../core/errors.js'
import { REPORT_VIEWS, type ReportParameterType } from '../../core/reports.js'

/** The longest query accepted, in characters. */
export const MAX_QUERY_LENGTH = 20_000

type Kind = 'word' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'lparen' | 'rparen' | 'comma' | 'dot' | 'space'

interface Token {
  kind: Kind
  /** The text as written (for `space`: one space). */
  text: string
  /** Words and quoted identifiers: the name lower-cased; parameters: the name as written. */
  value: string
}

/** A query that passed `checkReportQuery`. */
export interface CheckedQuery {
  tokens: Token[]
  /** The parameter names it uses, each once, as first written. */
  parameters: string[]
}

/** Statements and clauses a report may not contain anywhere (unquoted, any case). */
const FORBIDDEN = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'create', 'drop', 'alter', 'truncate', 'pragma', 'attach', 'detach',
  'vacuum', 'reindex', 'analyze', 'analyse', 'grant', 'revoke', 'copy', 'begin', 'commit', 'rollback', 'savepoint',
  'release', 'set', 'reset', 'lock', 'listen', 'notify', 'unlisten', 'call', 'do', 'execute', 'exec', 'prepare',
  'deallocate', 'load', 'into', 'for', 'refresh', 'cluster', 'discard', 'checkpoint', 'import', 'returning', 'table',
  'conflict', 'comment', 'security', 'show', 'explain', 'declare', 'fetch', 'move', 'close',
])

/** Names outside the database's own tables that lead to other data (schemas, catalogues). */
const SYSTEM_NAMES = new Set(['main', 'temp', 'public', 'information_schema'])

/** Functions a report may call: aggregates, windows and plain scalar functions of both databases. */
export const REPORT_FUNCTIONS = [
  'abs', 'avg', 'coalesce', 'count', 'dense_rank', 'first_value', 'lag', 'last_value', 'lead', 'length', 'lower',
  'ltrim', 'max', 'min', 'nullif', 'ntile', 'rank', 'replace', 'round', 'row_number', 'rtrim', 'substr', 'sum',
  'trim', 'upper',
] as const
const FUNCTIONS = new Set<string>(REPORT_FUNCTIONS)

/** Keywords that may stand right before `(`. */
const PAREN_KEYWORDS = new Set([
  'all', 'and', 'any', 'as', 'between', 'by', 'case', 'cast', 'distinct', 'else', 'escape', 'except', 'exists', 'filter',
  'from', 'group', 'having', 'in', 'intersect', 'is', 'join', 'lateral', 'like', 'limit', 'materialized', 'not', 'offset',
  'on', 'or', 'over', 'partition', 'range', 'rows', 'select', 'some', 'then', 'union', 'using', 'values', 'when', 'where',
  'with', 'within',
])

const refuse = (message: string): never => {
  throw new DomainError('invalid_argument', message, { field: 'query' })
}

const isIdentStart = (c: string) => /[A-Za-z_]/.test(c)
const isIdent = (c: string) => /[A-Za-z0-9_]/.test(c)

/** Splits `text` into tokens, refusing what either database would read differently or what reports never need. */
function tokenize(text: string): Token[] {
  const out: Token[] = []
  const space = () => {
    if (out.length > 0 && out[out.length - 1]!.kind !== 'space') out.push({ kind: 'space', text: ' ', value: ' ' })
  }
  const prefixed = () => {
    const last = out[out.length - 1]
    if (last && (last.kind === 'word' || last.kind === 'number' || last.kind === 'qident' || last.kind === 'string')) {
      refuse('a quote must not follow a word or another literal directly (string prefixes such as E\'…\' or X\'…\' are refused)')
    }
  }
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    const n = text[i + 1]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      space()
      i++
    } else if (c === '-' && n === '-') {
      const end = text.indexOf('\n', i)
      i = end < 0 ? text.length : end + 1
      space()
    } else if (c === '/' && n === '*') {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) refuse('a /* comment is not closed')
      // PostgreSQL nests block comments and SQLite does not: refuse what they would read apart.
      if (text.slice(i + 2, end).includes('/*')) refuse('block comments may not nest')
      i = end + 2
      space()
    } else if (c === "'") {
      prefixed()
      let j = i + 1
      for (;;) {
        const k = text.indexOf("'", j)
        if (k < 0) refuse('a string is not closed')
        if (text[k + 1] === "'") j = k + 2
        else {
          j = k + 1
          break
        }
      }
      out.push({ kind: 'string', text: text.slice(i, j), value: '' })
      i = j
    } else if (c === '"') {
      prefixed()
      let j = i + 1
      let name = ''
      for (;;) {
        const k = text.indexOf('"', j)
        if (k < 0) refuse('a quoted name is not closed')
        name += text.slice(j, k)
        if (text[k + 1] === '"') {
          name += '"'
          j = k + 2
        } else {
          j = k + 1
          break
        }
      }
      if (name === '') refuse('a quoted name is empty')
      out.push({ kind: 'qident', text: text.slice(i, j), value: name.toLowerCase() })
      i = j
    } else if (isIdentStart(c)) {
      let j = i + 1
      while (j < text.length && isIdent(text[j]!)) j++
      const word = text.slice(i, j)
      out.push({ kind: 'word', text: word, value: word.toLowerCase() })
      i = j
    } else if (/[0-9]/.test(c) || (c === '.' && n !== undefined && /[0-9]/.test(n))) {
      const m = /^[0-9]*(\.[0-9]*)?([eE][+-]?[0-9]+)?/.exec(text.slice(i))!
      const j = i + m[0].length
      if (j < text.length && isIdent(text[j]!)) refuse('a number must not run into a word (hexadecimal and suffixed numbers are refused)')
      out.push({ kind: 'number', text: m[0], value: '' })
      i = j
    } else if (c === ':') {
      if (n === ':') {
        out.push({ kind: 'op', text: '::', value: '' })
        i += 2
      } else if (n !== undefined && isIdentStart(n)) {
        let j = i + 2
        while (j < text.length && isIdent(text[j]!)) j++
        out.push({ kind: 'param', text: text.slice(i, j), value: text.slice(i + 1, j) })
        i = j
      } else refuse('a `:` must start a parameter name (:Name)')
    } else if (c === '(') {
      out.push({ kind: 'lparen', text: c, value: '' })
      i++
    } else if (c === ')') {
      out.push({ kind: 'rparen', text: c, value: '' })
      i++
    } else if (c === ',') {
      out.push({ kind: 'comma', text: c, value: '' })
      i++
    } else if (c === '.') {
      out.push({ kind: 'dot', text: c, value: '' })
      i++
    } else if ('+-*/%<>=!|&~^'.includes(c)) {
      out.push({ kind: 'op', text: c, value: '' })
      i++
    } else if (c === ';') {
      refuse('a report is one statement: `;` is refused outside quotes')
    } else {
      refuse(`the character ${JSON.stringify(c)} is not allowed outside quotes (parameters are written :Name)`)
    }
  }
  if (out[out.length - 1]?.kind === 'space') out.pop()
  return out
}

/**
 * Checks a report's query: one SELECT or WITH statement over the report views, calling only
 * `REPORT_FUNCTIONS`, naming no table or view of the database (`relations`, lower-cased) and no
 * system catalogue. Throws `invalid_argument` (field `query`) saying what is refused.
 */
export function checkReportQuery(text: string, relations: ReadonlySet<string>): CheckedQuery {
  if (text.length > MAX_QUERY_LENGTH) refuse(`the query is longer than ${MAX_QUERY_LENGTH} characters`)
  const tokens = tokenize(text)
  const sig = tokens.filter((t) => t.kind !== 'space')
  const first = sig[0]
  if (!first || first.kind !== 'word' || (first.value !== 'select' && first.value !== 'with')) {
    refuse('a report is one SELECT statement (it may start with WITH)')
  }
  // Where each parenthesis closes.
  const closes = new Map<number, number>()
  const open: number[] = []
  sig.forEach((t, i) => {
    if (t.kind === 'lparen') open.push(i)
    else if (t.kind === 'rparen') {
      const o = open.pop()
      if (o === undefined) refuse('a `)` closes nothing')
      closes.set(o!, i)
    }
  })
  if (open.length > 0) refuse('a `(` is not closed')

  const views = REPORT_VIEWS.map((v) => v.name).join(', ')
  const parameters: string[] = []
  const seen = new Set<string>()
  sig.forEach((t, i) => {
    if (t.kind === 'param') {
      const key = t.value.toLowerCase()
      if (!seen.has(key)) {
        seen.add(key)
        parameters.push(t.value)
      }
      return
    }
    if (t.kind !== 'word' && t.kind !== 'qident') return
    const v = t.value
    if (t.kind === 'word' && FORBIDDEN.has(v)) refuse(`${t.text.toUpperCase()} is not allowed in a report`)
    if (relations.has(v) || SYSTEM_NAMES.has(v) || v.startsWith('pg_') || v.startsWith('sqlite_')) {
      refuse(`a report may read only the report views (${views}); ${JSON.stringify(t.text)} names something else`)
    }
    if (sig[i + 1]?.kind !== 'lparen') return
    if (FUNCTIONS.has(v)) return
    if (t.kind === 'word' && PAREN_KEYWORDS.has(v)) return
    // `AS alias(a, b)` names a derived table's columns; `name(a, b) AS (…)` a CTE's.
    if (sig[i - 1]?.kind === 'word' && sig[i - 1]!.value === 'as') return
    const after = sig[closes.get(i + 1)! + 1]
    if (after?.kind === 'word' && after.value === 'as') return
    refuse(`the function ${JSON.stringify(t.text)} is not allowed in a report (allowed: ${REPORT_FUNCTIONS.join(', ')})`)
  })
  return { tokens, parameters }
}

const SQL_TYPES: Record<ReportParameterType, string> = { text: 'text', integer: 'bigint', boolean: 'integer', datetime: 'text' }

/** The SQL sent for a checked query and the values its placeholders bind, in order. */
export interface CompiledReport {
  text: string
  params: unknown[]
}

/**
 * Builds the SQL of a run: the report views as common table expressions over their base views,
 * limited to the scope range `[lo, hi)` on `scope_path`, then the query with each `:name`
 * replaced by a typed placeholder. `values` maps a parameter name (lower-cased) to its type and
 * bound value. With `probe`, the query is wrapped to answer no row (to check it at creation).
 */
export function compileReport(
  q: CheckedQuery,
  scope: [string, string],
  values: ReadonlyMap<string, { type: ReportParameterType; value: unknown }>,
  placeholder: (i: number) => string,
  probe = false,
): CompiledReport {
  const params: unknown[] = [scope[0], scope[1]]
  const lo = placeholder(1)
  const hi = placeholder(2)
  const ctes = REPORT_VIEWS.map((v) => {
    const cols = v.columns.map((c) => c.name).join(', ')
    const base = `report_base_${v.name.slice('report_'.length)}`
    return `${v.name} AS MATERIALIZED (SELECT ${cols} FROM ${base} WHERE scope_path >= ${lo} AND scope_path < ${hi})`
  }).join(', ')

  const index = new Map<string, number>()
  const render = (tokens: Token[]): string => {
    let out = ''
    for (const t of tokens) {
      if (t.kind !== 'param') {
        out += t.text
        continue
      }
      const key = t.value.toLowerCase()
      const p = values.get(key)
      if (!p) throw new DomainError('invalid_argument', `the query uses :${t.value}, which is not one of the report's parameters`, { field: 'query' })
      let n = index.get(key)
      if (n === undefined) {
        params.push(p.value)
        n = params.length
        index.set(key, n)
      }
      out += `CAST(${placeholder(n)} AS ${SQL_TYPES[p.type]})`
    }
    return out
  }

  if (probe) return { text: `WITH ${ctes} SELECT * FROM (${render(q.tokens)}) AS report_probe LIMIT 0`, params }
  const sig = q.tokens.filter((t) => t.kind !== 'space')
  if (sig[0]!.value !== 'with') return { text: `WITH ${ctes} ${render(q.tokens)}`, params }
  // The query's own WITH list goes after the views: `WITH RECURSIVE <views>, <its CTEs> SELECT …`
  // (RECURSIVE allows recursive and plain CTEs alike on both databases).
  const skip = sig[1]?.kind === 'word' && sig[1].value === 'recursive' ? 2 : 1
  return { text: `WITH RECURSIVE ${ctes}, ${render(q.tokens.slice(tailStart(q.tokens, skip)))}`, params }
}

/** The index in `tokens` of the first token after the `skip` leading significant tokens. */
function tailStart(tokens: Token[], skip: number): number {
  let seen = 0
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.kind === 'space') continue
    if (seen === skip) return i
    seen++
  }
  return tokens.length
}
