import type { Kysely } from 'kysely'

/**
 * Failed-login counters are keyed by digests from now on (see store/throttle.repo.ts); the rows
 * kept so far named accounts in clear, and a mistyped password may be among them. They only
 * count recent failures, so they are dropped: the worst a deploy costs is a fresh window.
 */
export function throttleDigests() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.deleteFrom('auth_throttle').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.deleteFrom('auth_throttle').execute()
    },
  }
}
