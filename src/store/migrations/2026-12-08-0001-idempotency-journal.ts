import type { Kysely } from 'kysely'

/**
 * The writes a keyed call committed, recorded in each write's own transaction (JSON; see
 * ops/idempotency.ts): a retry after the process died between a write's commit and the
 * answer's record resumes from them instead of doing the writes again.
 */
export function idempotencyJournal() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('idempotency_keys').addColumn('journal', 'text').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('idempotency_keys').dropColumn('journal').execute()
    },
  }
}
