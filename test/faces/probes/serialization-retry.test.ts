/**
 * PostgreSQL's serialization failures (SQLSTATE 40001) are retried, not answered: a trigger
 * that fails the first insert of an organisation with 40001 (counting on a sequence, which a
 * rollback does not undo) makes the create run twice inside the store; the caller gets one 201,
 * and exactly one organisation exists. (SQLite has one writer and no such failure.)
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
})
