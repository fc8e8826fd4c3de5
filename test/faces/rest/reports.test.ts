import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'
import { people } from '../../helpers/people.js'

const EXAMPLES_DIR = new URL('../../../examples/reports/', import.meta.url)
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, EXAMPLES_DIR), 'utf8')) as { name: string; description: string; parameters: unknown[]; query: string })

/** Splits an RFC 4180 document into records of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const out: string[][] = []
  let row: string[] = []
  let i = 0
  while (i < text.length) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        const q = text.indexOf('"', i)
        assert.ok(q >= 0, 'unclosed quote')
        field += text.slice(i, q)
        if (text[q + 1] === '"') {
          field += '"'
          i = q + 2
        } else {
          i = q + 1
          break
        }
      }
    } else {
      const m = /^[^,\r\n]*/.exec(text.slice(i))![0]
      assert.ok(!m.includes('"'), `unquoted field with a quote: ${m}`)
      field = m
      i += m.length
    }
    row.push(field)
    if (text[i] === ',') i++
    else {
      assert.equal(text.slice(i, i + 2), '\r\n', 'records end in CRLF')
      i += 2
      out.push(row)
      row = []
    }
  }
  return out
}

eachDialect('reports over REST', (dialect) => {
  let s: TestServer
  const p = people(() => s)
  let reseller: string

  before(async () => {
    s = await startServer(dialect)
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cortex Reseller', code: 'CRS', isReseller: true, contactEmail: 'ops@crs.example' } })
    assert.equal(r.status, 201, r.text)
    reseller = r.body.id
    const c = await s.req('POST', `/orgs/${reseller}/customers`, {
      body: { name: 'Quote "Co", Ltd', code: 'CQC', description: 'line one\nline two', contactEmail: 'a@cqc.example' },
    })
    assert.equal(c.status, 201, c.text)
    assert.equal((await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Citrus Direct', code: 'CDI' } })).status, 201)
    await p.user(reseller, 'rep-reseller', 'admin')
    await p.user(s.masterId, 'rep-support', 'support')
  })
  after(() => s.close())

  it('ships the examples of examples/reports/ as installed definitions', async () => {
    assert.ok(EXAMPLES.length >= 2)
    const list = await s.req('GET', '/reports', p.as('rep-support'))
    assert.equal(list.status, 200, list.text)
    for (const e of EXAMPLES) {
      const one = await s.req('GET', `/reports/${encodeURIComponent(e.name.toUpperCase())}`, p.as('rep-reseller'))
      assert.equal(one.status, 200, one.text)
      assert.deepEqual({ name: one.body.name, description: one.body.description, parameters: one.body.parameters, query: one.body.query }, e)
      const listed = list.body.items.find((x: { name: string }) => x.name === e.name)
      assert.deepEqual(listed.parameters, e.parameters)
      assert.equal(listed.query, undefined)
    }
  })

  it('runs the seed’s examples as JSON with typed columns', async () => {
    const q = await s.req('POST', '/reports/Customers%20with%20Query/run', { body: { parameters: { Name: 'crs' } } })
    assert.equal(q.status, 200, q.text)
    assert.equal(q.body.rows.length, 1)
    const cols = q.body.columns.map((c: { name: string }) => c.name)
    const row = Object.fromEntries(cols.map((n: string, i: number) => [n, q.body.rows[0][i]]))
    assert.equal(row.Label, 'Cortex Reseller')
    assert.equal(row.ContactEMail, 'ops@crs.example')
    assert.deepEqual(q.body.columns.find((c: { name: string }) => c.name === 'CustomerID'), { name: 'CustomerID', type: 'integer', seedType: 'int' })
    const sp = await s.req('POST', '/reports/Customers%20with%20Stored%20Procedure/run', { body: { parameters: { Name: 'C%' } } })
    assert.equal(sp.status, 200, sp.text)
    assert.deepEqual(sp.body.rows.map((x: unknown[]) => x[1]), ['CDI', 'CQC', 'CRS'])
  })

  it('answers CSV with correct quoting, by Accept or ?format=csv, with or without the header', async () => {
    const body = { parameters: { Name: 'CQC' }, columns: ['Name', 'Label', 'Description'] }
    const a = await s.req('POST', '/reports/Customers%20with%20Query/run', { body, headers: { accept: 'text/csv' } })
    assert.equal(a.status, 200, a.text)
    assert.match(a.headers.get('content-type') ?? '', /^text\/csv/)
    assert.deepEqual(parseCsv(a.text), [
      ['Name', 'Label', 'Description'],
      ['CQC', 'Quote "Co", Ltd', 'line one\nline two'],
    ])
    assert.ok(a.text.includes('"Quote ""Co"", Ltd"'))
    const b = await s.req('POST', '/reports/Customers%20with%20Query/run?format=csv&header=false', { body })
    assert.deepEqual(parseCsv(b.text), [['CQC', 'Quote "Co", Ltd', 'line one\nline two']])
    const j = await s.req('POST', '/reports/Customers%20with%20Query/run?format=json', { body, headers: { accept: 'text/csv' } })
    assert.deepEqual(j.body.rows, [['CQC', 'Quote "Co", Ltd', 'line one\nline two']])
  })

  it('a reseller sees only its own subtree', async () => {
    const sp = await s.req('POST', '/reports/Customers%20with%20Stored%20Procedure/run', { ...p.as('rep-reseller'), body: { parameters: { Name: '%' } } })
    assert.equal(sp.status, 200, sp.text)
    assert.deepEqual(sp.body.rows.map((x: unknown[]) => x[1]), ['CQC', 'CRS'])
    const other = await s.req('POST', '/reports/Customers%20with%20Query/run', { ...p.as('rep-reseller'), body: { parameters: { Name: 'CDI' } } })
    assert.deepEqual(other.body.rows, [])
  })

  it('binds an injection attempt as a value', async () => {
    const r = await s.req('POST', '/reports/Customers%20with%20Query/run', { body: { parameters: { Name: "' OR 1=1 --" } } })
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body.rows, [])
  })

  it('answers problems: 404 unknown report, 400 naming the parameter or column, 403 for writers outside the master organisation', async () => {
    const nf = await s.req('POST', '/reports/No%20Such/run', { body: {} })
    assert.equal(nf.status, 404)
    assert.equal(nf.body.code, 'not_found')
    assert.equal(nf.body.resource, 'report')
    assert.equal((await s.req('GET', '/reports/No%20Such')).status, 404)
    const missing = await s.req('POST', '/reports/Customers%20with%20Query/run', { body: {} })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.field, 'parameters.Name')
    const unknown = await s.req('POST', '/reports/Customers%20with%20Query/run', { body: { parameters: { Name: 'x', Zip: 'y' } } })
    assert.equal(unknown.body.field, 'parameters.Zip')
    const col = await s.req('POST', '/reports/Customers%20with%20Query/run', { body: { parameters: { Name: 'x' }, columns: ['Nope'] } })
    assert.equal(col.status, 400)
    assert.equal(col.body.field, 'columns')
    const def = { name: 'Mine', query: 'SELECT name FROM report_customers' }
    for (const who of ['rep-reseller', 'rep-support']) {
      assert.equal((await s.req('POST', '/reports', { ...p.as(who), body: def })).status, 403)
      assert.equal((await s.req('PUT', '/reports/Customers%20with%20Query', { ...p.as(who), body: { description: 'x' } })).status, 403)
      assert.equal((await s.req('DELETE', '/reports/Customers%20with%20Query', p.as(who))).status, 403)
    }
    assert.equal((await s.req('GET', '/reports/Customers%20with%20Query', { auth: null })).status, 401)
  })

  it('the master organisation adds, changes and removes definitions; writes in a query are refused', async () => {
    for (const query of ['DELETE FROM orgs', 'SELECT * FROM users', 'SELECT 1; DROP TABLE orgs', 'PRAGMA writable_schema = 1', "ATTACH 'x' AS y", 'UPDATE orgs SET name = 1', 'INSERT INTO orgs DEFAULT VALUES', 'CREATE VIEW v AS SELECT 1']) {
      const r = await s.req('POST', '/reports', { body: { name: 'Bad', query } })
      assert.equal(r.status, 400, query)
      assert.equal(r.body.field, 'query', query)
    }
    const c = await s.req('POST', '/reports', {
      body: { name: 'By Depth', description: 'orgs at a depth', parameters: [{ name: 'd', type: 'integer', required: true }], query: 'SELECT name FROM report_customers WHERE depth = :d ORDER BY name' },
    })
    assert.equal(c.status, 201, c.text)
    assert.equal(c.headers.get('location'), '/reports/By%20Depth')
    assert.equal((await s.req('POST', '/reports', { body: { name: 'by depth', query: 'SELECT 1 AS one' } })).status, 409)
    const u = await s.req('PUT', '/reports/by%20depth', { body: { query: 'SELECT name FROM report_customers WHERE depth = :d ORDER BY name DESC' } })
    assert.equal(u.status, 200, u.text)
    assert.equal(u.body.description, 'orgs at a depth')
    const run = await s.req('POST', '/reports/By%20Depth/run', { body: { parameters: { d: 1 } } })
    assert.deepEqual(run.body.rows, [['CRS'], ['CDI']])
    const wrong = await s.req('POST', '/reports/By%20Depth/run', { body: { parameters: { d: 'deep' } } })
    assert.equal(wrong.status, 400)
    assert.equal(wrong.body.field, 'parameters.d')
    assert.equal((await s.req('DELETE', '/reports/BY%20DEPTH')).status, 204)
    assert.equal((await s.req('GET', '/reports/By%20Depth')).status, 404)
  })

  it('stops a runaway query at its timeout with 408, and the server keeps answering', async () => {
    const c = await s.req('POST', '/reports', {
      body: { name: 'Forever', query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) SELECT count(*) AS n FROM c' },
    })
    assert.equal(c.status, 201, c.text)
    const t0 = Date.now()
    const r = await s.req('POST', '/reports/Forever/run', { ...p.as('rep-reseller'), body: { timeoutMs: 500 } })
    const took = Date.now() - t0
    assert.equal(r.status, 408, r.text)
    assert.equal(r.body.code, 'deadline_exceeded')
    assert.ok(took < 3000, `answered after ${took} ms`)
    const t1 = Date.now()
    const ok = await s.req('GET', '/reports')
    assert.equal(ok.status, 200)
    const again = await s.req('POST', '/reports/Customers%20with%20Query/run', { body: { parameters: { Name: 'CRS' } } })
    assert.equal(again.body.rows.length, 1)
    assert.ok(Date.now() - t1 < 2000)
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await s.req('GET', '/openapi.json')).body
    assert.ok(doc.paths['/reports'].get && doc.paths['/reports'].post)
    assert.ok(doc.paths['/reports/{name}'].get && doc.paths['/reports/{name}'].put && doc.paths['/reports/{name}'].delete)
    assert.ok(doc.paths['/reports/{name}/run'].post)
    assert.match(doc.paths['/reports'].post.description, /report_customers/)
  })
})
