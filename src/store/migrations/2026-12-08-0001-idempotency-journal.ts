import type { Kysely } from 'kysely'

/**
 * The writes a keyed call committed, recorded in each write's own transaction (sealed JSON; see
 * ops/idempotency.ts): a retry after the process died between a write's commit and the
 * answer's record resumes from them instead of doing the writes again. And how a stored answer's
 * body is encoded: `base64` for a binary one (Thrift's), whose NUL bytes no text column holds.
 */
export function idempotencyJournal() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('idempotency_keys').addColumn('journal', 'text').execute()
      await db.schema.alterTable('idempotency_keys').addColumn('body_encoding', 'text').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('idempotency_keys').dropColumn('body_encoding').execute()
      await db.schema.alterTable('idempotency_keys').dropColumn('journal').execute()
    },
  }
}
