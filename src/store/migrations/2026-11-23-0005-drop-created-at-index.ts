import type { Kysely } from 'kysely'

/**
 * Customers sorted by `createdAt` are sorted by `number`, which is handed out in creation
 * order; the index on `created_at` only cost every insert a write.
 */
export function dropCreatedAtIndex() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('orgs_sort_created_at').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('orgs_sort_created_at').on('orgs').columns(['created_at', 'number']).execute()
    },
  }
}
