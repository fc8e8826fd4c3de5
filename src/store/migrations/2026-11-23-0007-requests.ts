import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/** Requests: every mutation, with its actor, operation, target, status, log and times. */
export function requests(dialect: Dialect) {
  const pg = dialect === 'postgres'
  const sortText = pg ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('guid', 'text', (c) => c.notNull().unique())
        .addColumn('parent_id', 'integer', (c) => c.references('requests.id'))
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_org_id', 'text')
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
        // The path of the organisation the request concerns: who may see it.
        .addColumn('scope_path', sortText, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('log', 'text')
        .addColumn('error', 'text')
        .addColumn('stages', 'text')
        .addColumn('max_duration_ms', 'integer')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute()
      await db.schema.createIndex('requests_parent').on('requests').columns(['parent_id', 'id']).where(sql.ref('parent_id'), 'is not', null).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('requests').execute()
    },
  }
}
