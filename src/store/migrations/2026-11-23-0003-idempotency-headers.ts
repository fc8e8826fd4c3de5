import type { Kysely } from 'kysely'

/** Idempotent answers keep the headers a replay must carry (content type, Location, ETag), as JSON, in place of the content type alone. */
export function idempotencyHeaders() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('idempotency_keys').addColumn('headers', 'text').execute()
      await db.schema.alterTable('idempotency_keys').dropColumn('content_type').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('idempotency_keys').addColumn('content_type', 'text').execute()
      await db.schema.alterTable('idempotency_keys').dropColumn('headers').execute()
    },
  }
}
