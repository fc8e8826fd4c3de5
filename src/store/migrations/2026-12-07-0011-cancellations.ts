import { sql, type Kysely } from 'kysely'

/**
 * Cancellation requests (issue 13, seed 001's `requestCancellation`): one row per request, its
 * status (requested | approved | cancelled | withdrawn | rejected), the core request that asked
 * for it (`request_guid`), the approval deciding it, and when it takes effect. A partial unique
 * index keeps at most one open (requested or approved) cancellation per customer, so that
 * concurrent requests make one (SQLite and PostgreSQL both have partial indexes).
 */
export function cancellations() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('cancellations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text')
        .addColumn('request_guid', 'text', (c) => c.notNull())
        .addColumn('approval_id', 'text')
        .addColumn('effective_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .execute()
      await sql`create unique index cancellations_open on cancellations (org_id) where status in ('requested', 'approved')`.execute(db)
      await db.schema.createIndex('cancellations_org').on('cancellations').columns(['org_id', 'created_at']).execute()
      await db.schema.createIndex('cancellations_due').on('cancellations').columns(['status', 'effective_at']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('cancellations').execute()
    },
  }
}
