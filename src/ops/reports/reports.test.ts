import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError, type ErrorCode } from '../../core/errors.js'
import type { Ctx } from '../context.js'
import { createCustomer } from '../orgs/create-customer.js'
import { createUser } from '../users/create-user.js'
import { createReport } from './create-report.js'
import { updateReport } from './update-report.js'
import { deleteReport } from './delete-report.js'
import { listReports } from './list-reports.js'
import { getReport } from './get-report.js'
import { runReport } from './run-report.js'

/** Asserts that `p` fails with `code` (and the detail given) and answers the error. */
async function fails(p: Promise<unknown>, code: ErrorCode, details: Record<string, unknown> = {}): Promise<Error> {
  try {
    await p
  } catch (e) {
    assert.ok(isDomainError(e, code), `expected ${code}, got ${String(e)}`)
    for (const [k, v] of Object.entries(details)) assert.equal(e.details?.[k], v, `details.${k} of ${e.message}`)
    return e
  }
  assert.fail(`expected ${code}, but it succeeded`)
}

const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) SELECT count(*) AS n FROM c'

eachDialect('report operations', (dialect) => {
  let f: OpsFixture
  let reseller: Ctx
  let masterSupport: Ctx
  const ids: Record<string, string> = {}

  before(async () => {
    f = await opsFixture(dialect)
    const m = f.master
    const org = async (parentId: string, name: string, code: string, extra: object = {}) =>
      (await createCustomer(m, { parentId, name, code, contactName: `${code} Admin`, contactEmail: `admin@${code.toLowerCase()}.example`, ...extra })).id
    ids.crs = await org(f.masterId, 'Cortex Reseller Systems', 'CRS', { isReseller: true, primaryDomain: 'crs.example' })
    ids.cab = await org(ids.crs, 'Cab Company', 'CAB')
    ids.cde = await org(f.masterId, 'Cde Limited', 'CDE')
    ids.xyz = await org(f.masterId, 'Xyz Partners', 'XYZ')
    await createUser(m, { orgId: ids.crs, username: 'r-admin', password: 'r-admin-password', role: 'admin' })
    await createUser(m, { orgId: ids.cab, username: 'cab-user', password: 'cab-user-password', role: 'member' })
    await createUser(m, { orgId: ids.cde, username: 'cde-user', password: 'cde-user-password', role: 'member' })
    await createUser(m, { orgId: f.masterId, username: 'm-support', password: 'm-support-password', role: 'support' })
    reseller = await f.as('r-admin')
    masterSupport = await f.as('m-support')
  })
  after(() => f.close())

  it('ships the seed’s two examples, listed without their queries', async () => {
    const list = await listReports(masterSupport, {})
    const names = list.map((r) => r.name)
    assert.ok(names.includes('Customers with Query') && names.includes('Customers with Stored Procedure'), names.join())
    const one = list.find((r) => r.name === 'Customers with Query')!
    assert.deepEqual(one.parameters, [{ name: 'Name', type: 'text', required: true }])
    assert.equal('query' in one, false)
    assert.match((await getReport(reseller, { report: 'customers WITH query' })).query, /report_customers/)
  })

  it('"Customers with Query" answers the customer of a short code, any case, with typed columns', async () => {
    const r = await runReport(masterSupport, { report: 'Customers with Query', parameters: { Name: 'cde' } })
    assert.equal(r.rows.length, 1)
    const row = Object.fromEntries(r.columns.map((c, i) => [c.name, r.rows[0]![i]]))
    assert.equal(row.Name, 'CDE')
    assert.equal(row.Label, 'Cde Limited')
    assert.equal(row.ContactEMail, 'admin@cde.example')
    assert.equal(typeof row.CustomerID, 'number')
    assert.match(String(row.Created), /^\d{4}-\d{2}-\d{2}T/)
    const types = Object.fromEntries(r.columns.map((c) => [c.name, c.seedType]))
    assert.equal(types.CustomerID, 'int')
    assert.equal(types.Name, 'nvarchar')
    assert.equal(types.Created, 'datetime')
  })

  it('"Customers with Stored Procedure" takes a LIKE pattern and answers in name order', async () => {
    const r = await runReport(f.master, { report: 'Customers with Stored Procedure', parameters: { Name: 'C%' } })
    assert.deepEqual(r.columns.map((c) => c.name), ['CustomerID', 'Name', 'Label', 'BillingID', 'PrimaryDomain', 'Status'])
    assert.deepEqual(r.rows.map((x) => x[1]), ['CAB', 'CDE', 'CRS'])
    assert.equal(r.rows[2]![4], 'crs.example')
  })

  it('a reseller’s run sees only its own subtree, whoever wrote the query', async () => {
    const sp = await runReport(reseller, { report: 'Customers with Stored Procedure', parameters: { Name: '%' } })
    assert.deepEqual(sp.rows.map((x) => x[1]), ['CAB', 'CRS'])
    assert.equal((await runReport(reseller, { report: 'Customers with Query', parameters: { Name: 'CDE' } })).rows.length, 0)
    assert.equal((await runReport(reseller, { report: 'Customers with Query', parameters: { Name: 'cab' } })).rows.length, 1)
    await createReport(f.master, {
      name: 'Everything',
      query:
        'SELECT (SELECT count(*) FROM report_customers) AS n_customers, (SELECT count(*) FROM report_users) AS n_users, ' +
        '(SELECT count(*) FROM report_requests) AS n_requests, (SELECT count(*) FROM report_services) AS n_services',
    })
    const all = await runReport(f.master, { report: 'Everything' })
    const mine = await runReport(reseller, { report: 'Everything' })
    assert.deepEqual(all.columns.map((c) => c.type), ['integer', 'integer', 'integer', 'integer'])
    assert.equal(all.rows[0]![0], 5)
    assert.equal(mine.rows[0]![0], 2)
    assert.equal(mine.rows[0]![1], 2) // r-admin and cab-user
    assert.ok((all.rows[0]![2] as number) > (mine.rows[0]![2] as number))
    const cab = await runReport(await f.as('cab-user'), { report: 'Everything' })
    assert.deepEqual(cab.rows[0]!.slice(0, 2), [1, 1])
  })

  it('binds parameters: an injection attempt is a value that matches nothing', async () => {
    for (const Name of ["' OR 1=1 --", "x' OR '1'='1", 'CDE; DROP TABLE orgs']) {
      assert.equal((await runReport(f.master, { report: 'Customers with Query', parameters: { Name } })).rows.length, 0, Name)
    }
    assert.equal((await runReport(f.master, { report: 'Customers with Stored Procedure', parameters: { Name: "%' OR '1'='1" } })).rows.length, 0)
    assert.equal((await runReport(f.master, { report: 'Customers with Query', parameters: { Name: 'CDE' } })).rows.length, 1)
  })

  it('refuses bad parameters, naming the field', async () => {
    await fails(runReport(f.master, { report: 'Customers with Query', parameters: {} }), 'invalid_argument', { field: 'parameters.Name' })
    await fails(runReport(f.master, { report: 'Customers with Query', parameters: { Name: 'CDE', Other: 1 } }), 'invalid_argument', { field: 'parameters.Other' })
    await createReport(f.master, {
      name: 'Typed',
      parameters: [
        { name: 'Depth', type: 'integer', required: true },
        { name: 'Reseller', type: 'boolean', default: false },
        { name: 'Since', type: 'datetime', default: '2000-01-01T00:00:00Z' },
      ],
      query: 'SELECT name, is_reseller FROM report_customers WHERE depth = :Depth AND is_reseller = :Reseller AND created >= :Since ORDER BY name',
    })
    await fails(runReport(f.master, { report: 'Typed', parameters: { Depth: 'one' } }), 'invalid_argument', { field: 'parameters.Depth' })
    await fails(runReport(f.master, { report: 'Typed', parameters: { Depth: 1, Reseller: 'maybe' } }), 'invalid_argument', { field: 'parameters.Reseller' })
    await fails(runReport(f.master, { report: 'Typed', parameters: { Depth: 1, Since: 'yesterday' } }), 'invalid_argument', { field: 'parameters.Since' })
    const r = await runReport(f.master, { report: 'Typed', parameters: { depth: '1', reseller: 'yes' } })
    assert.deepEqual(r.rows, [['CRS', true]])
    assert.equal(r.columns[1]!.seedType, 'bit')
    const none = await runReport(f.master, { report: 'Typed', parameters: { Depth: 1, Since: '2999-01-01' } })
    assert.equal(none.rows.length, 0)
  })

  it('selects columns by name, in the order asked; an unknown column is refused', async () => {
    const r = await runReport(f.master, { report: 'Customers with Stored Procedure', parameters: { Name: 'C%' }, columns: ['Label', 'name'] })
    assert.deepEqual(r.columns.map((c) => c.name), ['Label', 'Name'])
    assert.deepEqual(r.rows[0], ['Cab Company', 'CAB'])
    await fails(runReport(f.master, { report: 'Customers with Stored Procedure', parameters: { Name: 'C%' }, columns: ['Nope'] }), 'invalid_argument', { field: 'columns' })
  })

  it('refuses at creation any query that is not one read over the report views, storing nothing', async () => {
    const before = (await listReports(f.master, {})).length
    const refused = [
      "DELETE FROM orgs",
      "UPDATE report_customers SET name = 'x'",
      "INSERT INTO report_customers (name) VALUES ('x')",
      'CREATE TABLE t (x integer)',
      'PRAGMA table_info(orgs)',
      "ATTACH DATABASE 'x.db' AS x",
      'SELECT 1; SELECT 2',
      'SELECT 1;',
      'SELECT * FROM users',
      'SELECT * FROM report_customers JOIN orgs ON orgs.id = report_customers.id',
      'SELECT * FROM "Orgs"',
      'SELECT * FROM report_base_customers',
      'SELECT * FROM main.report_customers',
      'SELECT * FROM sqlite_master',
      'SELECT * FROM pg_catalog.pg_tables',
      'SELECT * FROM information_schema.tables',
      "SELECT * FROM pragma_table_info('orgs')",
      "SELECT query_to_xml('select * from users', true, true, '')",
      'WITH x AS (DELETE FROM report_customers RETURNING *) SELECT * FROM x',
      'SELECT * INTO t FROM report_customers',
      'SELECT * FROM report_customers FOR UPDATE',
      "SELECT E'\\'' FROM report_customers",
      'SELECT $$x$$',
      'SELECT ?',
      'SELECT * FROM report_customers WHERE name = :Undeclared',
      'SELECT no_such_column FROM report_customers',
      'SELECT * FROM no_such_view',
      '/* SELECT */ DELETE FROM orgs',
      'VALUES (1)',
    ]
    for (const query of refused) {
      await fails(createReport(f.master, { name: 'Refused', query }), 'invalid_argument', { field: 'query' })
    }
    await fails(createReport(f.master, { name: 'Refused', parameters: [{ name: 'a', type: 'text' }, { name: 'A', type: 'text' }], query: 'SELECT :a AS a' }), 'invalid_argument', {
      field: 'parameters.1.name',
    })
    await fails(createReport(f.master, { name: 'Refused', parameters: [{ name: 'n', type: 'integer', default: 'many' }], query: 'SELECT :n AS n' }), 'invalid_argument', {
      field: 'parameters.0.default',
    })
    assert.equal((await listReports(f.master, {})).length, before)
    await fails(getReport(f.master, { report: 'Refused' }), 'not_found', { resource: 'report' })
  })

  it('only the master organisation’s catalogue writers change definitions', async () => {
    const body = { name: 'Theirs', query: 'SELECT name FROM report_customers' }
    await fails(createReport(reseller, body), 'forbidden')
    await fails(createReport(masterSupport, body), 'forbidden')
    await fails(updateReport(reseller, { report: 'Customers with Query', description: 'x' }), 'forbidden')
    await fails(deleteReport(masterSupport, { report: 'Customers with Query' }), 'forbidden')
    await createReport(f.master, body)
    await fails(createReport(f.master, { ...body, name: 'THEIRS' }), 'already_exists')
    const u = await updateReport(f.master, { report: 'theirs', name: 'Ours', description: 'renamed' })
    assert.equal(u.name, 'Ours')
    assert.equal((await runReport(reseller, { report: 'ours' })).rows.length, 2)
    await deleteReport(f.master, { report: 'OURS' })
    await fails(runReport(f.master, { report: 'Ours' }), 'not_found', { resource: 'report' })
    await fails(deleteReport(f.master, { report: 'Ours' }), 'not_found', { resource: 'report' })
  })

  it('stops a runaway query at its timeout, and the database keeps answering', async () => {
    await createReport(f.master, { name: 'Runaway', query: RUNAWAY })
    const t0 = Date.now()
    const e = await fails(runReport(reseller, { report: 'Runaway', timeoutMs: 400 }), 'deadline_exceeded', { resource: 'report' })
    const took = Date.now() - t0
    assert.ok(took < 3000, `stopped after ${took} ms`)
    assert.match(e.message, /400 ms/)
    // Several at once, then ordinary work at once.
    const many = await Promise.allSettled([1, 2, 3].map(() => runReport(f.master, { report: 'Runaway', timeoutMs: 300 })))
    for (const r of many) assert.ok(r.status === 'rejected' && isDomainError(r.reason, 'deadline_exceeded'))
    const t1 = Date.now()
    assert.equal((await runReport(f.master, { report: 'Customers with Query', parameters: { Name: 'CDE' } })).rows.length, 1)
    assert.ok(Date.now() - t1 < 2000)
    await createCustomer(f.master, { parentId: f.masterId, name: 'After Runaway', code: 'AFR' })
  })

  it('a stored query that fails at run time is failed_precondition, its message for the master organisation only', async () => {
    await createReport(f.master, { name: 'Divides', parameters: [{ name: 'd', type: 'integer' }], query: 'SELECT customer_id / :d AS q FROM report_customers' })
    // Not an error in SQLite (NULL), an error in PostgreSQL: both are answers, never `internal`.
    const r = await runReport(f.master, { report: 'Divides', parameters: { d: 0 } }).catch((e) => e)
    if (r instanceof Error) assert.ok(isDomainError(r, 'failed_precondition'), String(r))
    else assert.ok(r.rows.every((x: unknown[]) => x[0] === null))
    const masterErr = r instanceof Error ? r : undefined
    if (masterErr) {
      const theirs = await fails(runReport(reseller, { report: 'Divides', parameters: { d: 0 } }), 'failed_precondition', { reason: 'query_failed' })
      assert.doesNotMatch(theirs.message, /division/i)
      assert.match(masterErr.message, /division/i)
    }
  })
})
