import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Jobs: the slow part of a request (provisioning), run by workers. A job is claimed under a
 * lease (`lease_owner`, `lease_until`); a lease that runs out (its worker died) lets another
 * worker claim the job again. Times are ISO-8601 UTC text, so they compare as text.
 */
export function jobs(dialect: Dialect) {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('guid', 'text', (c) => c.notNull().unique())
        .addColumn('request_id', 'integer', (c) => c.notNull().references('requests.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        // JSON; never a secret in clear (drivers read their settings from the catalogue).
        .addColumn('payload', 'text', (c) => c.notNull())
        // queued | running | waiting (for a callback) | succeeded | failed
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_after', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'text')
        // received_at + executionparams.maxduration of the request, when it has one.
        .addColumn('deadline_at', 'text')
        .addColumn('result', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute()
      // What a worker looks for: due queued jobs, expired leases, waiting jobs past their deadline.
      await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_after']).execute()
      await db.schema.createIndex('jobs_lease').on('jobs').columns(['status', 'lease_until']).execute()
      await db.schema.createIndex('jobs_request').on('jobs').columns(['request_id']).execute()
      await db.schema
        .createIndex('jobs_deadline')
        .on('jobs')
        .columns(['status', 'deadline_at'])
        .where(sql.ref('deadline_at'), 'is not', null)
        .execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('jobs').execute()
    },
  }
}
