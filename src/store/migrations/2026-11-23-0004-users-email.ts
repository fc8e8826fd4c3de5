import { sql, type Kysely } from 'kysely'

/** Users can be found by e-mail, case-insensitively (seed 003's clients log in with their e-mail). */
export function usersEmail() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`create index users_email_lower on users (lower(email))`.execute(db)
    },
    async down(db: Kysely<any>): Promise<void> {
      await sql`drop index users_email_lower`.execute(db)
    },
  }
}
