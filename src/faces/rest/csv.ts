/**
 * A CSV writer (RFC 4180): fields separated by commas, records by CRLF; a field holding a
 * comma, a double quote, CR, LF or leading/trailing spaces is quoted, its quotes doubled. Null is
 * an empty field, booleans `true`/`false`. Cells are written as they are: a spreadsheet that
 * reads one starting with `=` as a formula does so on its own account.
 */

/** One field as written. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** A whole document: the header (when given) and every row, each line ending in CRLF. */
export function toCsv(header: string[] | undefined, rows: (string | number | boolean | null)[][]): string {
  const lines: string[] = []
  if (header) lines.push(header.map(csvField).join(','))
  for (const r of rows) lines.push(r.map(csvField).join(','))
  return lines.map((l) => l + '\r\n').join('')
}
