/**
 * Seed 004's `<report>` through the XML action API: FIND lists the definitions, GET runs one
 * with parameters, a timeout, column selection and both data formats (XML with or without
 * column names, TSV with or without a header), errors 13 and 14, and a reseller's run seeing
 * only its own subtree.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { XMLParser } from 'fast-xml-parser'
import { eachDialect, startServer, type TestServer } from '../../helpers/harness.js'

const PATH = '/cortexapi/default.aspx'
const DECL = '<?xml version="1.0" encoding="utf-8"?>'
const doc = (action: string, inner: string) => `${DECL}<request action="${action}" version="1.0">${inner}</request>`
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (n) => ['report', 'row', 'column', 'value', 'parameter'].includes(n),
})
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) SELECT count(*) AS n FROM c'

eachDialect('the XML action API: reports (seed 004)', (dialect) => {
  let s: TestServer
  const RESELLER: [string, string] = ['admin_CSP', 'reseller-password-1']

  async function post(body: string, auth?: [string, string]): Promise<{ status: number; text: string; doc: any }> {
    const r = await s.req('POST', PATH, { raw: body, headers: { 'content-type': 'text/xml' }, ...(auth ? { auth } : {}) })
    return { status: r.status, text: r.text, doc: parser.parse(r.text).response }
  }

  before(async () => {
    s = await startServer(dialect)
    const csp = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cortex Service Provider', code: 'CSP', isReseller: true, primaryDomain: 'csp.local' } })
    assert.equal(csp.status, 201, csp.text)
    for (const [name, code, parent] of [
      ['Citrix Systems', 'CS', csp.body.id],
      ['Contoso Cloud', 'CC', csp.body.id],
      ['Other Company', 'OC', s.masterId],
      ['Cheap Hosting', 'CH', s.masterId],
    ]) {
      const r = await s.req('POST', `/orgs/${parent}/customers`, { body: { name, code, primaryDomain: `${code.toLowerCase()}.example` } })
      assert.equal(r.status, 201, r.text)
    }
    const m = await s.req('POST', `/orgs/${csp.body.id}/members`, { body: { username: RESELLER[0], password: RESELLER[1], role: 'admin', email: 'admin@csp.local' } })
    assert.equal(m.status, 201, m.text)
    const rr = await s.req('POST', '/reports', { body: { name: 'Runaway', description: 'counts for ever', query: RUNAWAY } })
    assert.equal(rr.status, 201, rr.text)
  })
  after(() => s.close())

  it('FIND <report/> lists the definitions, the seed\'s two examples among them', async () => {
    const r = await post(doc('FIND', '<report />'))
    assert.equal(r.status, 200, r.text)
    const names = r.doc.report.map((x: any) => x.name)
    assert.ok(names.includes('Customers with Query'), r.text)
    assert.ok(names.includes('Customers with Stored Procedure'), r.text)
    const sp = r.doc.report.find((x: any) => x.name === 'Customers with Stored Procedure')
    assert.equal(sp.parameters.parameter[0]['@_name'], 'Name')
    const one = await post(doc('FIND', '<report><name>customers with query</name></report>'))
    assert.deepEqual(one.doc.report.map((x: any) => x.name), ['Customers with Query'])
  })

  it('GET runs the seed\'s XML example: typed columns, rows named by column', async () => {
    const r = await post(
      doc('GET', '<report><name>Customers with Stored Procedure</name><!-- Name of the Report --><parameter name="Name">C%</parameter><dataformat columnnames="true">xml</dataformat></report>'),
    )
    assert.equal(r.status, 200, r.text)
    const rep = r.doc.report[0]
    assert.equal(rep.name, 'Customers with Stored Procedure')
    const cols = rep.result.column.map((c: any) => [c['#text'], c['@_type']])
    assert.deepEqual(cols[0], ['CustomerID', 'int'])
    assert.ok(cols.some((c: string[]) => c[0] === 'Name' && c[1] === 'nvarchar'), r.text)
    assert.deepEqual(rep.result.row.map((x: any) => x.Name).sort(), ['CC', 'CH', 'CS', 'CSP'])
    const cs = rep.result.row.find((x: any) => x.Name === 'CS')
    assert.equal(cs.Label, 'Citrix Systems')
    assert.equal(cs.PrimaryDomain, 'cs.example')
    assert.match(r.text, /<BillingID\/>/)
    // Without column names, each cell is a <value> in the columns' order.
    const plain = await post(doc('GET', '<report><name>Customers with Stored Procedure</name><parameter name="Name">CS</parameter><dataformat columnnames="false">xml</dataformat></report>'))
    assert.equal(plain.status, 200, plain.text)
    assert.equal(plain.doc.report[0].result.row.length, 1)
    assert.equal(plain.doc.report[0].result.row[0].value[1], 'CS')
  })

  it('GET in TSV with a header, no timeout, and column selection', async () => {
    const r = await post(doc('GET', '<report><name>Customers with Query</name><timeout>0</timeout><parameter name="Name">CSP</parameter><dataformat header="true">tsv</dataformat></report>'))
    assert.equal(r.status, 200, r.text)
    assert.match(r.text, /<data><!\[CDATA\[/)
    const lines = String(r.doc.report[0].result.data).trim().split('\n')
    const head = lines[0]!.split('\t')
    assert.equal(head[0], 'CustomerID')
    assert.ok(head.includes('Name'))
    assert.equal(lines.length, 2, r.text)
    assert.equal(lines[1]!.split('\t')[head.indexOf('Name')], 'CSP')
    const noHeader = await post(doc('GET', '<report><name>Customers with Query</name><parameter name="Name">CSP</parameter><dataformat>tsv</dataformat></report>'))
    assert.equal(String(noHeader.doc.report[0].result.data).trim().split('\n').length, 1)
    const cols = await post(doc('GET', '<report><name>Customers with Stored Procedure</name><parameter name="Name">CS</parameter><column>Label</column><column>Name</column><dataformat header="true">tsv</dataformat></report>'))
    assert.equal(cols.status, 200, cols.text)
    assert.equal(String(cols.doc.report[0].result.data).trim(), 'Label\tName\nCitrix Systems\tCS')
    assert.deepEqual(cols.doc.report[0].result.column.map((c: any) => c['#text']), ['Label', 'Name'])
  })

  it('a reseller\'s run sees only its own subtree; a parameter is bound, never spliced', async () => {
    const r = await post(doc('GET', '<report><name>Customers with Stored Procedure</name><parameter name="Name">%</parameter></report>'), RESELLER)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.doc.report[0].result.row.map((x: any) => x.Name).sort(), ['CC', 'CS', 'CSP'])
    const inj = await post(doc('GET', `<report><name>Customers with Query</name><parameter name="Name">' OR 1=1 --</parameter></report>`))
    assert.equal(inj.status, 200, inj.text)
    assert.equal(inj.doc.report[0].result.row, undefined, inj.text)
  })

  it('errors: 14 for an unknown report, 13 for a bad parameter, column or format, 13 with HTTP 500 past the timeout', async () => {
    const nf = await post(doc('GET', '<report><name>No Such Report</name></report>'))
    assert.equal(nf.status, 400, nf.text)
    assert.equal(nf.doc.error.id, '14')
    for (const inner of [
      '<name>Customers with Query</name><parameter name="Nope">x</parameter>',
      '<name>Customers with Query</name>',
      '<name>Customers with Query</name><parameter name="Name">CSP</parameter><column>NoColumn</column>',
      '<name>Customers with Query</name><parameter name="Name">CSP</parameter><dataformat>pdf</dataformat>',
      '<parameter name="Name">CSP</parameter>',
    ]) {
      const r = await post(doc('GET', `<report>${inner}</report>`))
      assert.equal(r.status, 400, r.text)
      assert.equal(r.doc.error.id, '13', r.text)
    }
    const badBool = await post(doc('GET', '<report><name>Customers with Query</name><parameter name="Name">CSP</parameter><dataformat header="maybe">tsv</dataformat></report>'))
    assert.equal(badBool.doc.error.id, '32', badBool.text)
    const badTimeout = await post(doc('GET', '<report><name>Runaway</name><timeout>soon</timeout></report>'))
    assert.equal(badTimeout.doc.error.id, '38', badTimeout.text)
    const t0 = Date.now()
    const slow = await post(doc('GET', '<report><name>Runaway</name><timeout>300</timeout></report>'))
    const ms = Date.now() - t0
    assert.equal(slow.status, 500, slow.text)
    assert.equal(slow.doc.error.id, '13', slow.text)
    assert.ok(ms < 10_000, `stopped after ${ms} ms`)
    // The server is still answering.
    const again = await post(doc('GET', '<global/>'))
    assert.equal(again.status, 200, again.text)
    // SET and DELETE of a report are not actions of this face.
    const set = await post(doc('SET', '<report><name>Runaway</name></report>'))
    assert.equal(set.doc.error.id, '5', set.text)
  })
})
