// A child process of the report runner (read-only-query.ts): runs one read-only query at a time
// on its own read-only SQLite connection and answers over IPC. The parent kills it (SIGKILL)
// when a query runs past its deadline: better-sqlite3 exposes neither sqlite3_interrupt nor a
// progress handler, and a worker thread cannot be stopped inside a native call.
'use strict'
const [file, driverPath] = process.argv.slice(2)
const Database = require(driverPath)
const db = new Database(file, { readonly: true, fileMustExist: true })
db.pragma('query_only = ON')
db.pragma('busy_timeout = 5000')

process.on('message', (m) => {
  try {
    const stmt = db.prepare(m.sql)
    // Belt and braces behind the runner's checks: SQLite itself says whether it may write.
    if (!stmt.reader || !stmt.readonly) throw Object.assign(new Error('not a read-only query'), { code: 'NOT_READ_ONLY' })
    stmt.raw(true)
    const columns = stmt.columns().map((c) => ({ name: c.name, declType: c.type }))
    const rows = []
    for (const row of stmt.iterate(m.params)) {
      if (rows.length >= m.maxRows) throw Object.assign(new Error(`more than ${m.maxRows} rows`), { code: 'TOO_MANY_ROWS' })
      rows.push(row)
    }
    process.send({ id: m.id, ok: true, columns, rows })
  } catch (e) {
    process.send({ id: m.id, ok: false, code: e && e.code, message: String((e && e.message) || e) })
  }
})
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
