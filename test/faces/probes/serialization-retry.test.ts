/**
 * PostgreSQL's serialization failures (SQLSTATE 40001) are retried, not answered: a trigger
 * that fails the first insert of an organisation with 40001 (counting on a sequence, which a
 * rollback does not undo) makes the create run twice inside the store; the caller gets one 201,
 * and exactly one organisation exists. A failure that persists (a trigger raising 40001 every
 * time) is answered, once the retries are spent, with the declared 503 `unavailable`,
 * `Retry-After` and a problem body (on `/v3/admin` too; XML-RPC's fault 503), nothing written;
 * with the trigger gone the same request succeeds. A write whose backend is ended under it
 * (pg_terminate_backend) is answered 503 `unavailable` with `Retry-After` too, and so is a read
 * whose backend is ended while it waits; the server goes on serving. (SQLite has one writer and
 * no such failure.)
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { dialects, startServer, type TestServer } from '../../helpers/harness.js'

if (dialects.includes('postgres')) describe('serialization failures are retried [postgres]', () => {
  const dialect = 'postgres' as const
  let s: TestServer
  let c: pg.Client
  before(async () => {
    s = await startServer(dialect, { worker: false })
    c = new pg.Client({ connectionString: s.location })
    await c.connect()
    await c.query(`create sequence inject_40001`)
    await c.query(`
      create function inject_40001() returns trigger language plpgsql as $$
      begin
        if new.name = 'Retried Once' and nextval('inject_40001') = 1 then
          raise exception 'injected serialization failure' using errcode = '40001';
        end if;
        return new;
      end $$`)
    await c.query(`create trigger inject_40001 before insert on orgs for each row execute function inject_40001()`)
    await c.query(`create sequence always_40001`)
    await c.query(`
      create function always_40001() returns trigger language plpgsql as $$
      begin
        if new.name = 'Always Conflicting' then
          perform nextval('always_40001');
          raise exception 'injected serialization failure' using errcode = '40001';
        end if;
        return new;
      end $$`)
    await c.query(`create trigger always_40001 before insert on orgs for each row execute function always_40001()`)
    await c.query(`
      create function slow_insert() returns trigger language plpgsql as $$
      begin
        if new.name = 'Cut Off' then perform pg_sleep(30); end if;
        return new;
      end $$`)
    await c.query(`create trigger slow_insert before insert on orgs for each row execute function slow_insert()`)
  })
  after(async () => {
    await c?.end()
    await s?.close()
  })

  it('an injected 40001 on the first attempt: one 201, one organisation, and the insert ran twice', async () => {
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Retried Once' } })
    assert.equal(r.status, 201, r.text)
    const { rows } = await c.query(`select count(*)::int as n from orgs where name = 'Retried Once'`)
    assert.equal(rows[0].n, 1)
    const seq = await c.query(`select last_value::int as v from inject_40001`)
    assert.equal(seq.rows[0].v, 2, 'the first attempt failed with 40001 and the store ran it again')
  })

  it('a 40001 that persists: 503 with Retry-After and a problem body once the retries are spent, nothing written; then the same request succeeds', async () => {
    const count = async () => (await c.query(`select count(*)::int as n from orgs where name = 'Always Conflicting'`)).rows[0].n as number
    const t0 = Date.now()
    const r = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Always Conflicting' } })
    const took = Date.now() - t0
    assert.equal(r.status, 503, r.text)
    assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, 'Retry-After in whole seconds')
    assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/)
    assert.equal(r.body.code, 'unavailable')
    assert.equal(r.body.status, 503)
    assert.doesNotMatch(r.body.detail, /40001|serializ|trigger|exception/i, 'no database internals in the answer')
    assert.equal(await count(), 0, 'nothing written')
    const tries = (await c.query(`select last_value::int as v from always_40001`)).rows[0].v as number
    assert.ok(tries > 1, `the store retried before giving up (${tries} attempts, ${took} ms)`)
    // The same request through the other faces' listings: still nothing.
    const list = await s.req('GET', `/orgs/${s.masterId}/customers?limit=1000`)
    assert.ok(!JSON.stringify(list.body).includes('Always Conflicting'))

    // The other faces answer the same code in their own way: /v3/admin a 503 problem with
    // Retry-After, XML-RPC its declared fault 503; neither shows the database's words.
    const v3 = await s.req('POST', '/v3/admin/customers', { body: { name: 'Always Conflicting' } })
    assert.equal(v3.status, 503, v3.text)
    assert.match(v3.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/)
    assert.equal(v3.body.code, 'unavailable')
    const call = `<?xml version="1.0"?><methodCall><methodName>cloud_api_customer.create</methodName><params><param><value><string>Always Conflicting</string></value></param></params></methodCall>`
    const rpc = await s.req('POST', '/appserver/xmlrpc', { raw: call, headers: { 'content-type': 'text/xml' } })
    assert.equal(rpc.status, 200, rpc.text)
    assert.match(rpc.text, /<name>faultCode<\/name>\s*<value>\s*<int>503<\/int>/, rpc.text)
    assert.doesNotMatch(rpc.text, /40001|serializ|trigger/i)
    assert.equal(await count(), 0, 'nothing written through any face')

    await c.query(`drop trigger always_40001 on orgs`)
    const again = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Always Conflicting' } })
    assert.equal(again.status, 201, again.text)
    assert.equal(await count(), 1)
  })
  it('a write whose backend is ended under it: 503 unavailable with Retry-After, nothing written, and the server goes on serving', async () => {
    const pending = s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'Cut Off' } })
    // Wait until the insert sleeps in its trigger, then end that backend as an operator would.
    let ended = 0
    for (let i = 0; i < 200 && ended === 0; i++) {
      await new Promise((r) => setTimeout(r, 25))
      const { rows } = await c.query(`select pg_terminate_backend(pid) as ok from pg_stat_activity where query like '%insert into "orgs"%' and wait_event = 'PgSleep' and pid <> pg_backend_pid()`)
      ended = rows.filter((r) => r.ok).length
    }
    assert.equal(ended, 1, 'the sleeping insert was found and its backend ended')
    const r = await pending
    assert.equal(r.status, 503, r.text)
    assert.equal(r.body.code, 'unavailable')
    assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/)
    assert.doesNotMatch(r.text, /terminat|administrator|57P01/i, 'no database internals in the answer')
    assert.equal((await c.query(`select count(*)::int as n from orgs where name = 'Cut Off'`)).rows[0].n, 0, 'nothing written')
    const next = await s.req('POST', `/orgs/${s.masterId}/customers`, { body: { name: 'After The Cut' } })
    assert.equal(next.status, 201, next.text)
  })
  it('a read whose backend is ended under it: 503 unavailable with Retry-After, and the server goes on serving', async () => {
    const path = `/orgs/${s.masterId}/customers?limit=5`
    assert.equal((await s.req('GET', path)).status, 200)
    // Hold the table so that the read waits on its lock, then end the waiting backend.
    const holder = new pg.Client({ connectionString: s.location })
    await holder.connect()
    try {
      const holderPid = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid as number
      await holder.query('begin')
      await holder.query('lock table orgs in access exclusive mode')
      const pending = s.req('GET', path)
      let ended = 0
      for (let i = 0; i < 200 && ended === 0; i++) {
        await new Promise((r) => setTimeout(r, 25))
        const { rows } = await c.query(`select pg_terminate_backend(pid) as ok from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and pid <> pg_backend_pid() and pid <> $1`, [holderPid])
        ended = rows.filter((r) => r.ok).length
      }
      assert.ok(ended >= 1, 'the waiting read was found and its backend ended')
      const r = await pending
      assert.equal(r.status, 503, r.text)
      assert.equal(r.body.code, 'unavailable')
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/)
      assert.doesNotMatch(r.text, /terminat|administrator|57P01/i, 'no database internals in the answer')
    } finally {
      await holder.query('rollback')
      await holder.end()
    }
    assert.equal((await s.req('GET', path)).status, 200)
  })
})
