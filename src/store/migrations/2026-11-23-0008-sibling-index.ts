import { sql, type Kysely } from 'kysely'

/**
 * One index serves both sibling-name uniqueness and children listed by name: `tombstone` is 0
 * for a live organisation and its own number once deleted, so (parent_id, name, tombstone) is
 * unique among live siblings while deleted ones keep their names. It replaces the partial
 * unique index and the (parent_id, name, number) listing index: one index write fewer per
 * insert.
 */
export function siblingIndex() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('orgs').addColumn('tombstone', 'integer', (c) => c.notNull().defaultTo(0)).execute()
      await sql`update orgs set tombstone = number where status = 'deleted'`.execute(db)
      await db.schema.dropIndex('orgs_sibling_name').execute()
      await db.schema.dropIndex('orgs_parent_sort').execute()
      await db.schema.createIndex('orgs_siblings').unique().on('orgs').columns(['parent_id', 'name', 'tombstone']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('orgs_siblings').execute()
      await sql`create unique index orgs_sibling_name on orgs (parent_id, name) where status <> 'deleted'`.execute(db)
      await db.schema.createIndex('orgs_parent_sort').on('orgs').columns(['parent_id', 'name', 'number']).execute()
      await db.schema.alterTable('orgs').dropColumn('tombstone').execute()
    },
  }
}
