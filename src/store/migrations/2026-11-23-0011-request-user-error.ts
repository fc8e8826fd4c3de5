import type { Kysely } from 'kysely'

/**
 * Requests remember the caller's `executionparams.userErrormsg` (`user_error`), so that a request
 * whose job fails later, on a worker, answers it as its error as a synchronous failure does;
 * `error` keeps the failure's own message for the log.
 */
export function requestUserError() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('requests').addColumn('user_error', 'text').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('requests').dropColumn('user_error').execute()
    },
  }
}
