import { sql, type Kysely } from 'kysely'

/**
 * Indexes for the console (issue 14): an organisation search by name prefix whatever its case
 * (`lower(name)`, ASCII folding on both databases), by external id (only those that have one),
 * and the recent requests an organisation's subtree may see (`scope_path` range, newest first).
 */
export function consoleSearch() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`create index orgs_name_lower on orgs (lower(name), number)`.execute(db)
      await sql`create index orgs_external_id on orgs (external_id) where external_id <> ''`.execute(db)
      await db.schema.createIndex('requests_scope').on('requests').columns(['scope_path', 'id']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('requests_scope').execute()
      await db.schema.dropIndex('orgs_external_id').execute()
      await db.schema.dropIndex('orgs_name_lower').execute()
    },
  }
}
